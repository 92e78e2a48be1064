/**
 * The coordinator killed mid-run, Redis alive: each agent finds its claim unseen for the
 * heartbeat timeout, stops, keeps its own partial result and exits 3 (the load it sent is
 * recorded nowhere else). Judged while Redis answers: Redis' own silence is said as such.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { hasRedis, type PrivateRedis, startRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

let redis: PrivateRedis;
let server: TestServer;
const received: number[] = [];

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  server = await startHttpServer((req, res) => {
    if (req.method !== 'HEAD' && req.url !== '/') received.push(Date.now());
    res.end('ok');
  });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

it.skipIf(!hasRedis)(
  'agents stop within the heartbeat timeout of a killed coordinator and keep their share',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-coordinator-lost-'));
    const coordinator = spawnCli([
      'load',
      `${server.url}/ok`,
      '--rate',
      '40',
      '-d',
      '30s',
      '-q',
      '--coordinator',
      redis.url,
      '--instances',
      '1',
      '--run',
      'cl-1',
    ]);
    const json = join(dir, 'agent.json');
    const agent = spawnCli(['agent', redis.url, '--index', '0', '--run', 'cl-1', '--json', json]);
    let stderr = '';
    agent.stderr?.on('data', (d) => {
      stderr += d;
    });
    const code = new Promise<number | null>((resolve) => agent.on('exit', resolve));
    await waitForOutput(coordinator, /Running GET/, 'stderr');
    await until(() => received.length >= 60, 'the agent to send 60 requests', {
      timeoutMs: 30_000,
    });
    const killedAt = Date.now();
    coordinator.kill('SIGKILL');
    expect(await code, stderr).toBe(3);
    // The claim expires (a few seconds), then the heartbeat timeout (3 s): the load stops well
    // before the plan's 30 s, by the server's own clock.
    expect(Math.max(...received) - killedAt, stderr).toBeLessThan(15_000);
    expect(stderr).toMatch(/Run cl-1 aborted: the coordinator went silent for 3s/);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.stopReason).toMatch(/the coordinator went silent/);
    expect(Math.abs(result.totals.requests - received.length)).toBeLessThanOrEqual(1);
  },
  60_000,
);
