import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Progress, runLoad, type SteeredConfig, Steering } from '../../src/load/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { until } from '../helpers/until.js';

const steered = (users: number): SteeredConfig => ({
  type: 'steered',
  model: 'closed',
  users,
  spawnRate: 1000,
  rate: 0,
  maxUsers: 100,
  durationMs: 0,
});

describe('a steered run over real HTTP, with workers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startHttpServer((_req, res) => setTimeout(() => res.end('ok'), 20));
  });
  afterAll(() => server.close());

  it('quick mode in two workers: each follows its share of a change, and stop ends it', async () => {
    const steering = new Steering({ users: 2, spawnRate: 1000, rate: 0 });
    const stop = new AbortController();
    const seen: Progress[] = [];
    const run = runLoad({
      plan: {
        workload: {
          kind: 'quick',
          url: `${server.url}/`,
          method: 'GET',
          headers: {},
          body: undefined,
        },
        executor: steered(2),
        host: server.url,
        seed: 1,
        timeoutMs: 5000,
        headers: {},
      },
      classes: [],
      workers: 2,
      graceMs: 1000,
      stop: stop.signal,
      steering,
      version: 'test',
      config: {},
      onProgress: (p) => seen.push(p),
    });
    // Workers take a moment to load (longer on a busy machine): steer once both run their share.
    const last = () => seen.at(-1);
    await until(() => last()?.users === 2, 'both workers run their user');
    const before = seen.length;
    steering.set({ users: 6 });
    // Each worker takes its half of the change; then enough requests to show they run.
    await until(
      () =>
        last()?.users === 6 &&
        last()?.workers.every((w) => w.users === 3) === true &&
        (last()?.requests ?? 0) > 50,
      'six users, three a worker, and 50 requests',
    );
    stop.abort();
    const result = await run;
    expect(result.executor).toBe('steered');
    expect(result.totals.requests).toBeGreaterThan(50);
    expect(seen.slice(0, before).every((p) => p.users <= 2)).toBe(true);
    expect(last()?.users).toBe(6);
  });
});
