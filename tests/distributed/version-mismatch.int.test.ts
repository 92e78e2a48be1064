/**
 * An agent of another version than its coordinator is told to run the same version, not to fix
 * an index that is fine (issue 25, item 13: the message ended "; fix --index").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinate } from '../../src/distributed/index.js';
import { expectUserErrorLast, runCli } from '../helpers/cli.js';
import { hasRedis, type PrivateRedis, startRedis } from '../helpers/redis.js';

describe.skipIf(!hasRedis)('an agent of another version than the coordinator', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('is refused with the two versions and what to do, on one line, exit 2', async () => {
    const stop = new AbortController();
    const log: string[] = [];
    // The coordinator of an older fiml-perf, waiting for its one agent.
    const coordinator = coordinate({
      redisUrl: redis.url,
      instances: 1,
      run: 'versions-1',
      readyTimeoutMs: 60_000,
      heartbeatTimeoutMs: 5000,
      plan: {
        workload: {
          kind: 'quick',
          url: 'http://127.0.0.1:1/',
          method: 'GET',
          headers: {},
          body: undefined,
        },
        executor: { type: 'constant-users', users: 1, spawnRate: 1, durationMs: 1000 },
        host: 'http://127.0.0.1:1',
        seed: 1,
        timeoutMs: 1000,
        headers: {},
      },
      scenarioFile: undefined,
      graceMs: 1000,
      version: '0.0.9',
      stop: stop.signal,
      log: (line) => log.push(line),
    });
    const settled = coordinator.then(
      (c) => c.close(),
      (error: Error) => error,
    );
    try {
      const agent = await runCli(['agent', redis.url, '--index', '0', '--run', 'versions-1']);
      expectUserErrorLast(
        agent,
        /this agent is fiml-perf \d+\.\d+\.\d+\S*, the coordinator 0\.0\.9: run the same version on both$/,
      );
      expect(agent.stderr).toMatch(/joined run versions-1 \(coordinator 0\.0\.9, this agent /);
      expect(agent.stderr).not.toMatch(/--index/);
    } finally {
      stop.abort();
      await settled;
    }
  }, 60_000);
});
