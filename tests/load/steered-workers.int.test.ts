import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type SteeredConfig, Steering } from '../../src/load/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    const seen: number[] = [];
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
      onProgress: (p) => seen.push(p.users),
    });
    // Workers take a moment to load (longer on a cold machine): steer once both run their share.
    for (let waited = 0; !seen.includes(2) && waited < 15_000; waited += 100) await sleep(100);
    expect(seen).toContain(2);
    const before = seen.length;
    steering.set({ users: 6 });
    await sleep(2200);
    stop.abort();
    const result = await run;
    expect(result.executor).toBe('steered');
    expect(result.totals.requests).toBeGreaterThan(50);
    expect(seen.slice(0, before).every((users) => users <= 2)).toBe(true);
    expect(seen.at(-1)).toBe(6);
  });
});
