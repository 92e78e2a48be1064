import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { FaultInjectionError, runFaults } from '../../src/stress/index.js';
import { startFiml } from '../helpers/fiml.js';
import { hasRedis, type PrivateRedis, startRedis } from '../helpers/redis.js';
import { stressEnv } from './helpers.js';

let fiml: RunningFiml;
let redis: PrivateRedis | undefined;

beforeAll(async () => {
  redis = hasRedis ? await startRedis() : undefined;
  // As the embedded FIML of `stress faults`: fault injection, a 1 s cache, a connection cap.
  fiml = await startFiml({
    enableFaultInjection: true,
    cache: { ttlSeconds: { price: 1, market_data: 1, history: 1, sentiment: 1, fundamentals: 1 } },
    maxConnections: 60,
    ...(redis ? { redisUrl: redis.url } : {}),
  });
});
afterAll(async () => {
  await fiml.close();
  await redis?.stop();
});

const options = { rate: 40, phaseMs: 2000, floodConnections: 300, only: [] };

describe('stress faults against a real FIML with fault injection', () => {
  it('meets every scenario expectation, and clears each fault after it', async () => {
    const { result, passed } = await runFaults(stressEnv(fiml.url), options);
    const byName = Object.fromEntries(result.stress.scenarios.map((s) => [s.name, s]));
    for (const name of ['provider-down', 'asset-type-down', 'task-failures', 'pool-exhaustion']) {
      const scenario = byName[name]!;
      expect(
        scenario.checks.filter((c) => !c.held),
        name,
      ).toEqual([]);
      expect(scenario.verdict, name).toBe('pass');
      expect(scenario.phases.length).toBeGreaterThan(0);
    }
    expect(byName['l2-cache-down']!.verdict).toBe(hasRedis ? 'pass' : 'skipped');
    expect(passed).toBe(true);
    expect(result.stress.verdict).toBe('pass');
    // The provider outage shows in yahoo's uptime, never as client errors.
    expect(byName['provider-down']!.checks[1]!.observed).toMatch(/^yahoo \d/);
    // Every fault was cleared.
    const faults = await (await fetch(`${fiml.url}/admin/faults`)).json();
    expect(faults).toEqual({
      provider_outages: [],
      provider_latency_ms: {},
      task_failure_rate: null,
      l2_cache_failure: false,
      history_index_missing: null,
    });
  });

  it('runs only the scenarios asked for', async () => {
    const { result } = await runFaults(stressEnv(fiml.url), { ...options, only: ['task'] });
    expect(result.stress.scenarios.map((s) => s.name)).toEqual(['task-failures']);
    await expect(runFaults(stressEnv(fiml.url), { ...options, only: ['nope'] })).rejects.toThrow(
      /--only nope matches no fault scenario; they are: provider-down, asset-type-down/,
    );
  });
});

describe('stress faults against a service without fault injection', () => {
  it('says how to start one that has it', async () => {
    const plain = await startFiml();
    try {
      await expect(runFaults(stressEnv(plain.url), options)).rejects.toThrow(FaultInjectionError);
      await expect(runFaults(stressEnv(plain.url), options)).rejects.toThrow(
        /--enable-fault-injection/,
      );
    } finally {
      await plain.close();
    }
  });
});

describe('stress faults when the service goes away mid-suite', () => {
  it('keeps the scenarios that ran: the one it broke fails with the reason, and the suite stops there', async () => {
    const doomed = await startFiml({ enableFaultInjection: true });
    let scenarios = 0;
    let closing: Promise<void> | undefined;
    const env = {
      ...stressEnv(doomed.url),
      // The second scenario's announcement: the service goes away before it sets its fault.
      note: (line: string) => {
        if (line.startsWith('Fault scenario ') && ++scenarios === 2) closing = doomed.close();
      },
    };
    const { result, passed, lines } = await runFaults(env, { ...options, phaseMs: 1000 });
    await closing;
    const reports = result.stress.scenarios;
    expect(reports).toHaveLength(2);
    expect(reports[0]?.phases.length).toBeGreaterThan(0);
    expect(reports[1]?.verdict).toBe('fail');
    expect(reports[1]?.checks.some((c) => !c.held && /admin\/faults/.test(c.observed))).toBe(true);
    expect(passed).toBe(false);
    expect(lines.join('\n')).toMatch(/Stopped after .*: cannot reach .*\/admin\/faults/);
    expect(result.totals.requests).toBeGreaterThan(0);
  }, 60_000);
});
