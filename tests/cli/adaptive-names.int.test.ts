import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLD_AFTER_VALUES, type RunResult } from '../../src/stats/index.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { hasRedis, startRedis } from '../helpers/redis.js';

// Issue 26, item 9: `/status/500` and `/status/404` were one row, `/status/:id`.
let server: TestServer;
let dir: string;
/** Requests the server answered, by path. */
const served = new Map<string, number>();
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    served.set(req.url ?? '', (served.get(req.url ?? '') ?? 0) + 1);
    res.end('{}');
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-adaptive-names-'));
  // Each of 4 users fetches two status pages an iteration and its share of /item/1..200 once
  // (user u: u+1, u+5, ...), then only the status pages. The 20 ms think time spreads the items
  // over more than a second, so shares hear of the fold while they still fetch new ids.
  writeFileSync(
    join(dir, 'mix.mjs'),
    `import { constant, task, User } from 'fiml-perf';
export default class Mix extends User {
  static waitTime = constant(0.02);
  static tasks = [task(1, 'go')];
  next = this.id + 1;
  async go() {
    await this.client.get('/status/500');
    await this.client.get('/status/404');
    if (this.next <= 200) {
      await this.client.get('/item/' + this.next);
      this.next += 4;
    }
  }
}
`,
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Checks the result `run` wrote to `json` against what the server served. */
async function expectFolded(json: string, run: Promise<{ code: number | null; stderr: string }>) {
  const finished = await run;
  expect(finished.code, finished.stderr).toBe(0);
  const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
  const rows = new Map(result.endpoints.map((e) => [e.name, e.requests]));
  // Low-cardinality numbers keep their names, each with every request the server answered.
  expect(rows.get('/status/500')).toBe(served.get('/status/500'));
  expect(rows.get('/status/404')).toBe(served.get('/status/404'));
  expect(rows.has('/status/:id')).toBe(false);

  const items = result.endpoints.filter((e) => e.name.startsWith('/item/'));
  const servedItems = [...served].filter(([path]) => path.startsWith('/item/'));
  // All 200 on an idle machine; a busy one may end the run before the last of them.
  expect(servedItems.length).toBeGreaterThan(FOLD_AFTER_VALUES + 50);
  // The first 20 distinct values the run saw keep their names; every later one is /item/:id.
  const literal = items.filter((e) => e.name !== '/item/:id');
  expect(literal).toHaveLength(FOLD_AFTER_VALUES);
  for (const e of literal) {
    expect(e.name).toMatch(/^\/item\/\d+$/);
    // A name's requests are all in its row: none of them went to the folded row.
    expect(e.requests, e.name).toBe(served.get(e.name));
  }
  expect(rows.get('/item/:id')).toBe(servedItems.length - FOLD_AFTER_VALUES);
  expect(result.endpoints).toHaveLength(2 + FOLD_AFTER_VALUES + 1);
  expect(result.totals.requests).toBe([...served.values()].reduce((a, b) => a + b, 0));
}

const load = (json: string, extra: string[]) =>
  runCli([
    'load',
    '-f',
    join(dir, 'mix.mjs'),
    '--host',
    server.url,
    '-u',
    '4',
    '-r',
    '100',
    '-t',
    '3s',
    '--json',
    json,
    '-q',
    ...extra,
  ]);

describe.each([1, 2])('fiml-perf load -w %i: request names fold per position', (workers) => {
  it('keeps /status/500 and /status/404 apart and folds the 200 item URLs past the threshold', async () => {
    served.clear();
    const json = join(dir, `mix-${workers}.json`);
    await expectFolded(json, load(json, ['-w', String(workers)]));
  });
});

describe.skipIf(!hasRedis)('a distributed run: request names fold per position', () => {
  it('2 agents: the coordinator decides, and names as one machine does', async () => {
    served.clear();
    const redis = await startRedis();
    try {
      const agents: ChildProcess[] = [0, 1].map((i) =>
        spawnCli(['agent', redis.url, '--index', String(i), '--run', 'names-1', '--wait', '30s']),
      );
      const json = join(dir, 'mix-distributed.json');
      const run = load(json, ['--coordinator', redis.url, '--instances', '2', '--run', 'names-1']);
      await expectFolded(json, run);
      const codes = await Promise.all(
        agents.map(
          (a) =>
            new Promise((resolve) =>
              a.exitCode !== null ? resolve(a.exitCode) : a.once('exit', resolve),
            ),
        ),
      );
      expect(codes).toEqual([0, 0]);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});
