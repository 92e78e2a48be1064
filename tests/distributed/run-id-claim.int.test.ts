import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, expectUserError, spawnCli, stderrOf, waitForOutput } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { hasRedis, type PrivateRedis, startRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

/**
 * Issue 25, item 1: a second coordinator given a run id that a live coordinator holds was let in.
 * It replaced the plan in Redis; the agents ran the second plan, and both coordinators merged the
 * same deltas and exited 0, the first one's result describing a plan it had not published.
 */
describe.skipIf(!hasRedis)('a run id is claimed by one coordinator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-claim-'));
  let redis: PrivateRedis;
  let server: TestServer;
  let served = 0;
  beforeAll(async () => {
    redis = await startRedis();
    server = await startHttpServer((req, res) => {
      if (req.method !== 'HEAD' && req.url !== '/') served++;
      res.end('ok');
    });
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const coordinator = (rate: number, json: string, run = 'r6', duration = '6s') =>
    spawnCli([
      'load',
      `${server.url}/ok`,
      '--rate',
      String(rate),
      // 20 users an agent (quick mode's default, 10 for all, gives 5 each): the plan's count is
      // asserted exactly, and an agent that stalls on a loaded machine then starts more
      // iterations at once than 5 users take, and drops them (299 of 300 once, with five test
      // files at once; the same as tests/distributed/distributed.int.test.ts's 239 of 240).
      '--max-users',
      '40',
      '-d',
      duration,
      '-q',
      '--coordinator',
      redis.url,
      '--instances',
      '2',
      '--run',
      run,
      '--json',
      json,
    ]);
  const agents = (run: string) =>
    [0, 1].map((i) =>
      spawnCli(['agent', redis.url, '--index', String(i), '--run', run, '--wait', '30s']),
    );

  it('a second coordinator on a live run id is refused on one line (exit 2); the first runs its own plan', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const first = coordinator(50, a);
    const firstErr = stderrOf(first);
    await waitForOutput(first, /waiting for 2 agent/, 'stderr');

    const second = coordinator(80, b);
    const secondErr = stderrOf(second);
    // Refused (it exits), or, as before the fix, let in (it waits for agents): either, then agents.
    await Promise.race([exited(second), waitForOutput(second, /waiting for 2 agent/, 'stderr')]);
    const started = agents('r6');

    expectUserError(
      { code: await exited(second), stderr: secondErr() },
      /^fiml-perf: run r6 is taken: the coordinator \S+ is running it; pick another --run id, or wait until that run ends$/,
    );
    expect(existsSync(b)).toBe(false);

    expect(await exited(first), firstErr()).toBe(0);
    expect(await Promise.all(started.map(exited))).toEqual([0, 0]);
    const result = JSON.parse(readFileSync(a, 'utf8'));
    // Its own plan: 50/s for 6 s, exactly, and the server saw that much and no more.
    expect(result.config.executor).toMatchObject({ type: 'constant-arrival-rate', rate: 50 });
    const counts = `dropped ${result.generator.dropped}, per agent ${result.instances.map((i: { requests: number }) => i.requests)}`;
    expect(result.totals.requests, counts).toBe(300);
    expect(served).toBe(300);
    expect(result.distributed).toMatchObject({ run: 'r6', lost: [], failure: null, problems: [] });
    for (const i of result.instances) expect(i.reconciliation.ok).toBe(true);
  }, 60_000);

  it('once its coordinator has ended, the run id is free again', async () => {
    const again = join(dir, 'again.json');
    const next = coordinator(10, again, 'r6', '2s');
    const started = agents('r6');
    expect(await exited(next)).toBe(0);
    expect(await Promise.all(started.map(exited))).toEqual([0, 0]);
    const result = JSON.parse(readFileSync(again, 'utf8'));
    expect(result.totals.requests, `dropped ${result.generator.dropped}`).toBe(20);
    expect(result.config.executor).toMatchObject({ rate: 10 });
  }, 60_000);

  it('a coordinator whose claim another took (it was silent past its expiry) fails its run, exit 3', async () => {
    const json = join(dir, 'taken.json');
    const taken = coordinator(20, json, 'r7', '60s');
    const stderr = stderrOf(taken);
    const started = agents('r7');
    served = 0;
    await until(() => served >= 20, 'the agents to serve 20 requests');
    // What another coordinator does once this one's claim has lapsed (issue 25).
    const other = new Redis(redis.url);
    await other.set('fiml-perf:run:r7:alive', 'another-plan');
    other.disconnect();

    expect(await exited(taken), stderr()).toBe(3);
    expect(stderr()).toMatch(/run r7 was claimed by another coordinator while this one ran it/);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.interrupted).toBe(true);
    expect(result.distributed.failure).toMatch(/claimed by another coordinator/);
    // Told to stop by their own coordinator, on their plan's stream.
    expect(await Promise.all(started.map(exited))).toEqual([3, 3]);
  }, 60_000);
});
