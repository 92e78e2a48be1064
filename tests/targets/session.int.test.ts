import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { runLoad } from '../../src/load/index.js';
import type { StatsRecorder } from '../../src/stats/index.js';
import { TargetSession, targetFromFlag } from '../../src/targets/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

let fiml: RunningFiml;
beforeAll(async () => {
  fiml = await startFiml({ enableFaultInjection: true });
});
afterAll(() => fiml.close());

/** A counted quick-mode run of one URL (one connection, `requests` requests), with a session. */
async function judged(
  url: string,
  requests: number,
  exprs: string[],
  host = fiml.url,
  windowMs?: number,
) {
  const session = await TargetSession.start({
    host,
    targets: exprs.map((e) => targetFromFlag(e)),
    windowMs,
  });
  let recorder: StatsRecorder | undefined;
  const result = await runLoad({
    plan: {
      workload: { kind: 'quick', url, method: 'GET', headers: {}, body: undefined },
      executor: {
        type: 'constant-arrival-rate',
        rate: requests / 1.5,
        durationMs: 1500,
        maxUsers: 4,
      },
      host,
      seed: 1,
      timeoutMs: 5000,
      headers: {},
    },
    classes: [],
    version: 'test',
    config: {},
    onTick: (r) => {
      recorder = r;
      session.onTick(r);
    },
  });
  expect(recorder).toBeDefined();
  return { ...(await session.finish(result)), windows: session.windows };
}

describe('targets against a real FIML', () => {
  it('differences its cache counters: every price lookup of a warmed symbol is a hit', async () => {
    const result = await judged(`${fiml.url}/mcp/tools/get_price?symbol=AAPL`, 30, [
      'cache_hit_rate > 99%',
    ]);
    const n = result.totals.requests;
    expect(n).toBeGreaterThanOrEqual(28);
    const [outcome] = result.targets.outcomes;
    expect(outcome).toMatchObject({
      verdict: 'pass',
      actual: '100%',
      detail: `${n} of ${n} cache lookups answered`,
    });
    expect(result.service.cacheHitRate).toBe(1);
    expect(result.service.uptime?.total).toBeGreaterThanOrEqual(1);
  });

  it("captures the run's slow queries and each cache layer's lookups", async () => {
    // A threshold of a microsecond makes every operation slow.
    const slowFiml = await startFiml({ slowQueryThresholdMs: 0.001, seed: 3 });
    try {
      await call(slowFiml.url, '/mcp/tools/get_price?symbol=MSFT');
      const result = await judged(
        `${slowFiml.url}/mcp/tools/get_price?symbol=TSLA`,
        10,
        ['p99 < 5s'],
        slowFiml.url,
      );
      const slow = result.service.slowQueries;
      expect(slow?.thresholdMs).toBe(0.001);
      // Only the run's: the MSFT lookup before it is not counted.
      expect(slow?.total).toBeGreaterThan(0);
      expect(slow?.entries.every((q) => !String(q.query).includes('MSFT'))).toBe(true);
      expect(slow?.entries[0]).toMatchObject({ operation: expect.any(String) });
      expect(slow?.entries[0]?.durationMs).toBeGreaterThan(0);
      expect(slow?.entries.some((q) => String(q.query).includes('TSLA'))).toBe(true);
      const l1 = result.service.cacheLayers?.find((l) => l.layer === 'l1');
      expect((l1?.hits ?? 0) + (l1?.misses ?? 0)).toBeGreaterThanOrEqual(10);
    } finally {
      await slowFiml.close();
    }
  });

  it('splits the run into windows that together hold every request', async () => {
    const result = await judged(`${fiml.url}/health`, 60, ['p99 < 10s'], fiml.url, 500);
    const counts = result.windows.map((w) => w.figures.run.requests);
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(counts[0]).toBeGreaterThan(0);
    const sum = counts.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(result.totals.requests);
    expect(sum).toBeGreaterThanOrEqual(result.totals.requests * 0.9);
    expect(result.targets.outcomes[0]!.windows?.judged).toBe(counts.filter((n) => n > 0).length);
    // The service's cache hit rate in each window (the report draws it over time).
    expect(result.service.windows?.map((w) => [w.from, w.to])).toEqual(
      result.windows.map((w) => [w.from, w.to]),
    );
  });

  it('gives the cache hit rate of each window', async () => {
    const result = await judged(
      `${fiml.url}/mcp/tools/get_price?symbol=AAPL`,
      40,
      ['cache_hit_rate > 50%'],
      fiml.url,
      500,
    );
    const rates = result.service.windows?.map((w) => w.cacheHitRate) ?? [];
    expect(rates.length).toBeGreaterThanOrEqual(2);
    // AAPL is warm: every lookup of every window is a hit.
    for (const rate of rates.filter((r) => r !== null)) expect(rate).toBe(1);
    expect(rates.some((r) => r === 1)).toBe(true);
  });

  it('counts tasks, and fails the completion target when tasks fail', async () => {
    await call(fiml.url, '/admin/faults', { method: 'POST', body: { task_failure_rate: 1 } });
    try {
      const result = await judged(`${fiml.url}/mcp/tools/analyze_sentiment?symbol=MSFT`, 20, [
        'task_completion_rate > 95%',
        'error_rate < 1%',
      ]);
      const [tasks, errors] = result.targets.outcomes;
      expect(tasks).toMatchObject({ verdict: 'fail', actual: '0%' });
      expect(tasks!.detail).toMatch(/^0 of \d+ tasks completed$/);
      // The failed tasks are answered as errors, which the client counts too.
      expect(errors!.verdict).toBe('fail');
      expect(result.targets.summary).toEqual({ pass: 0, fail: 2, unknown: 0 });
    } finally {
      await call(fiml.url, '/admin/faults', { method: 'DELETE' });
    }
  });

  it('calls a provider down during the run down for that provider only', async () => {
    // Prices that expire at once, so every request reaches the providers.
    const uncached = await startFiml({
      enableFaultInjection: true,
      cache: { warm: false, ttlSeconds: { price: 0.001 } },
    });
    await call(uncached.url, '/admin/faults', {
      method: 'POST',
      body: { provider_outages: ['yahoo'] },
    });
    try {
      const result = await judged(
        `${uncached.url}/mcp/tools/get_price?symbol=AMD`,
        10,
        ['provider["yahoo"].uptime > 99%', 'error_rate < 1%'],
        uncached.url,
      );
      expect(result.targets.outcomes[0]).toMatchObject({ verdict: 'fail', actual: '0%' });
      // The registry falls back to the next provider: the client sees no errors.
      expect(result.targets.outcomes[1]!.verdict).toBe('pass');
      const others = Object.entries(result.service.providers).filter(([name]) => name !== 'yahoo');
      expect(others.some(([, uptime]) => uptime === 1)).toBe(true);
      for (const [, uptime] of others) expect(uptime === null || uptime === 1).toBe(true);
    } finally {
      await uncached.close();
    }
  });
});

describe('targets against a service without metrics or health', () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startHttpServer((req, res) => {
      res.writeHead(req.url === '/' ? 200 : 404).end('ok');
    });
  });
  afterAll(() => plain.close());

  it('reports the service figures unknown, with the reason, and still judges the client ones', async () => {
    const result = await judged(
      `${plain.url}/`,
      10,
      ['cache_hit_rate > 80%', 'uptime > 99%', 'p99 < 1s'],
      plain.url,
    );
    const [cache, uptime, p99] = result.targets.outcomes;
    expect(cache).toMatchObject({
      verdict: 'unknown',
      detail: `no Prometheus metrics: ${plain.url}/metrics answered 404`,
    });
    expect(uptime).toMatchObject({ verdict: 'unknown' });
    expect(uptime!.detail).toBe(
      `no health probes: ${plain.url}/health answered 404 before the run; pass --health-path`,
    );
    expect(p99!.verdict).toBe('pass');
    expect(result.service.unavailable).toMatch(/answered 404/);
  });
});
