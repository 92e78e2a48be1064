import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, task, User } from '../../src/load/index.js';
import { FOLD_AFTER_VALUES, OTHER_NAMES, type RunResult } from '../../src/stats/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
const seen = new Set<string>();
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    seen.add(req.url ?? '');
    res.end('{}');
  });
});
afterAll(() => server.close());

/** Runs users that each fetch a new URL until `count` requests were sent. */
async function distinctUrls(
  count: number,
  plan: { rawNames?: boolean; maxNames?: number },
): Promise<{ result: RunResult; warnings: string[] }> {
  const stop = new AbortController();
  let sent = 0;
  class PerId extends User {
    static override tasks = [task(1, 'get')];
    async get() {
      if (sent >= count) {
        stop.abort();
        return;
      }
      const id = sent++;
      await this.client.get(`/item/${id}?page=${id % 7}`);
    }
  }
  const warnings: string[] = [];
  const result = await runLoad({
    plan: {
      workload: { kind: 'scenario', file: '', classNames: [] },
      executor: { type: 'constant-users', users: 20, spawnRate: 2000, durationMs: 120_000 },
      host: server.url,
      seed: 1,
      timeoutMs: 5000,
      headers: {},
      ...plan,
    },
    classes: [PerId],
    stop: stop.signal,
    graceMs: 2000,
    onWarning: (message) => warnings.push(message),
    version: 'test',
    config: {},
  });
  return { result, warnings };
}

describe('request names in a run with per-id URLs', () => {
  // The cap through a real run (HTTP, the recorder runLoad builds, its one warning); the
  // 100,000 names of a long run are recorded in process in tests/stats/name-cap.test.ts.
  it('3,000 distinct URLs with --raw-names: the recorded names stay at the cap', async () => {
    const { result, warnings } = await distinctUrls(3000, { rawNames: true });
    expect(result.totals.requests).toBe(3000);
    expect(result.totals.failures).toBe(0);
    expect(result.endpoints).toHaveLength(1001);
    expect(Object.keys(result.histograms.endpoints)).toHaveLength(1001);
    const other = result.endpoints.find((e) => e.name === OTHER_NAMES)!;
    expect(other.requests).toBe(2000);
    expect(result.names).toMatchObject({
      max: 1000,
      recorded: 1000,
      overflowRequests: 2000,
      templated: false,
    });
    expect(Math.abs(result.names!.overflowNames - 2000) / 2000).toBeLessThan(0.05);
    expect(warnings.filter((w) => w.includes('distinct request names'))).toHaveLength(1);
  });

  it('by default names them by their template, and sends the exact URLs', async () => {
    seen.clear();
    const { result, warnings } = await distinctUrls(2000, {});
    // The first 20 ids keep their names (issue 26, item 9: a number may be a status code); the
    // 21st folds the position, and every later id is /item/:id.
    const names = result.endpoints.map((e) => e.name);
    expect(names).toHaveLength(FOLD_AFTER_VALUES + 1);
    expect(names.filter((n) => /^\/item\/\d+$/.test(n))).toHaveLength(FOLD_AFTER_VALUES);
    const folded = result.endpoints.find((e) => e.name === '/item/:id')!;
    expect(folded.requests).toBe(2000 - FOLD_AFTER_VALUES);
    expect(result.names).toMatchObject({
      recorded: FOLD_AFTER_VALUES + 1,
      overflowRequests: 0,
      templated: true,
    });
    expect(warnings).toEqual([]);
    expect(seen.size).toBe(2000);
    expect(seen.has('/item/1999?page=4')).toBe(true);
  });

  it('--max-names sets the cap', async () => {
    const { result } = await distinctUrls(500, { rawNames: true, maxNames: 10 });
    expect(result.endpoints).toHaveLength(11);
    expect(result.names).toMatchObject({ max: 10, recorded: 10, overflowRequests: 490 });
  });
});
