import { describe, expect, it } from 'vitest';
import type { ComparisonReport } from '../../src/regress/index.js';
import {
  type Finding,
  findBottlenecks,
  type ReportInput,
  type ReportResult,
  slowQueriesFromFiml,
} from '../../src/report/analysis/index.js';
import type { EnduranceSection } from '../../src/stress/index.js';
import {
  healthyResult,
  judged,
  makeResult,
  phasesOf,
  second,
  serviceReport,
  targetsReport,
} from './fixtures.js';

/** The findings on a result alone, or on a result with what was gathered beside it. */
const findings = (input: ReportInput | ReportResult): Finding[] =>
  findBottlenecks('histograms' in input ? { result: input } : input);

const only = (list: Finding[], id: string): Finding => {
  const found = list.filter((f) => f.id === id);
  expect(found, `one '${id}' finding in ${list.map((f) => f.id).join(', ')}`).toHaveLength(1);
  return found[0] as Finding;
};

/** The value of a named piece of evidence. */
const cited = (f: Finding, name: string) => {
  const e = f.evidence.find((x) => x.name === name);
  expect(e, `evidence '${name}' in ${f.evidence.map((x) => x.name).join(', ')}`).toBeDefined();
  return e?.value;
};

const ids = (list: Finding[]) => list.map((f) => f.id);

describe('a healthy run', () => {
  it('gives no findings', () => {
    const result = { ...healthyResult(), service: serviceReport() };
    expect(findings(result)).toEqual([]);
  });
});

describe('tail ownership', () => {
  // 2,000 requests; narrative is 9% of them but every request slower than the run's p99 (300 ms).
  const tail = () =>
    makeResult({
      endpoints: [
        {
          name: 'price',
          samples: [
            [10, 1800],
            [50, 20],
          ],
        },
        {
          name: 'narrative',
          samples: [
            [10, 140],
            [300, 20],
            [800, 20],
          ],
        },
      ],
    });

  it('names the endpoint owning the requests above p99 and the time, with the figures', () => {
    const f = only(findings(tail()), 'tail-ownership');
    expect(f.title).toContain('GET narrative');
    expect(cited(f, 'endpoint')).toBe('GET narrative');
    expect(cited(f, 'requests above the run p99')).toBe(20);
    expect(cited(f, 'share of requests above the run p99')).toBe(1);
    expect(cited(f, 'share of requests')).toBeCloseTo(0.09);
    expect(cited(f, 'run p99')).toBeCloseTo(300, 0);
    expect(cited(f, 'share of total time') as number).toBeCloseTo(23400 / 42400, 2);
    expect(f.severity).toBe('info');
  });

  it('is a warning when a latency target was missed', () => {
    const result = { ...tail(), targets: targetsReport([judged('P99', 'p99 < 200ms', 300)]) };
    expect(only(findings(result), 'tail-ownership').severity).toBe('warning');
  });

  it('stays quiet when the slow endpoint is slow only because it is most of the traffic', () => {
    const result = makeResult({
      endpoints: [
        {
          name: 'price',
          samples: [
            [10, 1700],
            [800, 20],
          ],
        },
        { name: 'narrative', samples: [[10, 280]] },
      ],
    });
    expect(ids(findings(result))).not.toContain('tail-ownership');
  });

  it('stays quiet with one endpoint', () => {
    const result = makeResult({
      endpoints: [
        {
          name: 'price',
          samples: [
            [10, 1900],
            [800, 100],
          ],
        },
      ],
    });
    expect(ids(findings(result))).not.toContain('tail-ownership');
  });
});

describe('low cache hit rate', () => {
  it('fires below 80% with the rate, the target, the layers and the seed troubleshooting steps', () => {
    const f = only(
      findings({
        result: { ...healthyResult(), service: serviceReport({ cacheHitRate: 0.62 }) },
        cacheLayers: [
          { layer: 'l1', hits: 500, misses: 500 },
          { layer: 'l2', hits: 120, misses: 380, errors: 7, connected: true },
        ],
      }),
      'low-cache-hit-rate',
    );
    expect(f.severity).toBe('warning');
    expect(cited(f, 'cache hit rate')).toBe(0.62);
    expect(cited(f, 'target')).toBe(0.8);
    expect(cited(f, 'l1 hit rate')).toBe(0.5);
    expect(cited(f, 'l2 hit rate')).toBe(0.24);
    expect(cited(f, 'l2 errors')).toBe(7);
    const steps = (f.recommendation ?? []).join('\n');
    for (const step of ['Redis connection', 'TTL', 'key generation', 'collisions'])
      expect(steps).toContain(step);
  });

  it('is critical under 50%', () => {
    const result = { ...healthyResult(), service: serviceReport({ cacheHitRate: 0.3 }) };
    expect(only(findings(result), 'low-cache-hit-rate').severity).toBe('critical');
  });

  it("uses the run's cache_hit_rate target when it has one", () => {
    const result = {
      ...healthyResult(),
      service: serviceReport({ cacheHitRate: 0.9 }),
      targets: targetsReport([judged('cache', 'cache_hit_rate > 95%', 0.9)]),
    };
    expect(cited(only(findings(result), 'low-cache-hit-rate'), 'target')).toBe(0.95);
  });

  it('stays quiet at 80% or more, and without service figures', () => {
    expect(
      ids(findings({ ...healthyResult(), service: serviceReport({ cacheHitRate: 0.85 }) })),
    ).toEqual([]);
    expect(
      ids(findings({ ...healthyResult(), service: serviceReport({ cacheHitRate: null }) })),
    ).toEqual([]);
    expect(ids(findings(healthyResult()))).toEqual([]);
  });
});

describe('provider errors', () => {
  it('fires when provider uptime is below 99%, naming the providers below it', () => {
    const result = {
      ...healthyResult(),
      service: serviceReport({
        providerUptime: 0.97,
        providers: { yahoo: 0.95, fmp: 1, ccxt: null },
      }),
    };
    const f = only(findings(result), 'provider-errors');
    expect(f.severity).toBe('warning');
    expect(f.title).toContain('yahoo');
    expect(cited(f, 'provider uptime')).toBe(0.97);
    expect(cited(f, 'yahoo uptime')).toBe(0.95);
    expect(f.evidence.some((e) => e.name === 'fmp uptime')).toBe(false);
  });

  it('is critical when a provider fails one call in ten', () => {
    const result = {
      ...healthyResult(),
      service: serviceReport({ providerUptime: 0.95, providers: { yahoo: 0.8, fmp: 1 } }),
    };
    expect(only(findings(result), 'provider-errors').severity).toBe('critical');
  });

  it('stays quiet with every provider at 99% or more', () => {
    expect(ids(findings({ ...healthyResult(), service: serviceReport() }))).toEqual([]);
  });
});

describe('error bursts with latency spikes', () => {
  const series = (burst: { failures: number; p99: number }) =>
    Array.from({ length: 20 }, (_, t) =>
      t === 10 || t === 11
        ? second(t, { requests: 100, failures: burst.failures, p99: burst.p99 })
        : second(t, { requests: 100, p99: 20 }),
    );

  it('fires on seconds where failures and p99 jump together, with the stretch and the figures', () => {
    const result = makeResult({
      endpoints: [
        {
          name: 'price',
          samples: [
            [20, 1960],
            [200, 40],
          ],
          failures: 40,
        },
      ],
      timeseries: series({ failures: 20, p99: 200 }),
    });
    const f = only(findings(result), 'error-bursts');
    expect(f.title).toContain('10-11 s');
    expect(cited(f, 'bursts')).toBe(1);
    expect(cited(f, 'first burst at')).toBe(10);
    expect(cited(f, 'failures in bursts')).toBe(40);
    expect(cited(f, 'share of all failures')).toBe(1);
    expect(cited(f, 'peak p99 in a burst')).toBe(200);
    expect(cited(f, 'p99 of a typical second')).toBe(20);
  });

  it('stays quiet when failures jump without latency, or latency without failures', () => {
    const failuresOnly = makeResult({
      endpoints: [{ name: 'price', samples: [[20, 2000]], failures: 40 }],
      timeseries: series({ failures: 20, p99: 22 }),
    });
    const latencyOnly = makeResult({
      endpoints: [{ name: 'price', samples: [[20, 2000]] }],
      timeseries: series({ failures: 0, p99: 300 }),
    });
    expect(ids(findings(failuresOnly))).not.toContain('error-bursts');
    expect(ids(findings(latencyOnly))).not.toContain('error-bursts');
  });
});

describe('a saturated generator', () => {
  it('is critical and cites its reasons and figures', () => {
    const result = makeResult({
      endpoints: [{ name: 'price', samples: [[10, 1000]] }],
      generator: {
        reasons: ['CPU averaged 97% of 1 core(s)', 'event-loop delay p99 was 45 ms'],
        cpuPercent: { mean: 97, max: 100 },
        eventLoopLagMs: { p50: 5, p99: 45, max: 80 },
      },
    });
    const f = only(findings(result), 'generator-saturated');
    expect(f.severity).toBe('critical');
    expect(cited(f, 'reason 1')).toBe('CPU averaged 97% of 1 core(s)');
    expect(cited(f, 'reason 2')).toBe('event-loop delay p99 was 45 ms');
    expect(cited(f, 'generator CPU (mean)')).toBe(97);
    expect(cited(f, 'event-loop delay p99')).toBe(45);
    expect(findings(result)[0]?.id).toBe('generator-saturated');
  });
});

describe('drift', () => {
  const trend = (start: number, end: number) => ({
    perHour: (end - start) * 6,
    low: (end - start) * 3,
    high: (end - start) * 9,
    start,
    end,
    points: 20,
  });
  const endurance = (verdict: EnduranceSection['verdict']): EnduranceSection => ({
    kind: 'endurance',
    rate: 50,
    windowS: 30,
    windows: [],
    p95Ms: trend(20, verdict === 'degrading' ? 40 : 21),
    errorRate: null,
    rssMb: trend(80, verdict === 'leaking' ? 160 : 81),
    verdict,
    reasons: verdict === 'stable' ? [] : [`${verdict} for the test`],
  });

  it('reports a degrading endurance run from its trends', () => {
    const result = { ...healthyResult(), stress: endurance('degrading') };
    const f = only(findings(result), 'latency-drift');
    expect(f.severity).toBe('warning');
    expect(cited(f, 'p95 at start (fitted)')).toBe(20);
    expect(cited(f, 'p95 at end (fitted)')).toBe(40);
    expect(cited(f, 'verdict')).toBe('degrading');
  });

  it('reports a leaking endurance run as critical, with the memory trend', () => {
    const result = { ...healthyResult(), stress: endurance('leaking') };
    const f = only(findings(result), 'memory-leak');
    expect(f.severity).toBe('critical');
    expect(cited(f, 'service memory at end (fitted)')).toBe(160);
    expect((f.recommendation ?? []).join(' ')).toContain('cache cleanup');
  });

  it('stays quiet for a stable endurance run', () => {
    expect(findings({ ...healthyResult(), stress: endurance('stable') })).toEqual([]);
  });

  it('fits the per-second p95 of a long run that is not an endurance test', () => {
    const rising = Array.from({ length: 120 }, (_, t) =>
      second(t, { requests: 50, p99: 20 + t / 3 }),
    );
    const result = makeResult({
      endpoints: [{ name: 'price', samples: [[30, 6000]] }],
      timeseries: rising,
    });
    const f = only(findings(result), 'latency-drift');
    expect(cited(f, 'p95 at start (fitted)') as number).toBeCloseTo(20, 5);
    expect(cited(f, 'p95 at end (fitted)') as number).toBeCloseTo(20 + 119 / 3, 5);
    const flat = Array.from({ length: 120 }, (_, t) =>
      second(t, { requests: 50, p99: 20 + (t % 2) }),
    );
    const steady = makeResult({
      endpoints: [{ name: 'price', samples: [[30, 6000]] }],
      timeseries: flat,
    });
    expect(ids(findings(steady))).not.toContain('latency-drift');
  });

  it("notes service memory growing between the run's scrapes", () => {
    const grown = {
      ...healthyResult(),
      service: serviceReport({ residentMemoryMb: { before: 80, after: 150 } }),
    };
    const f = only(findings(grown), 'memory-growth');
    expect(f.severity).toBe('info');
    expect(cited(f, 'memory before')).toBe(80);
    expect(cited(f, 'memory after')).toBe(150);
  });
});

describe('slow queries', () => {
  const entry = (operation: string, durationMs: number) => ({
    operation,
    query: operation === 'dsl_execute' ? 'RSI(AAPL, 14)' : null,
    durationMs,
    at: '2025-01-01T00:00:30.000Z',
  });

  it('fires when slow queries are 1% of requests or more, naming the one that dominates', () => {
    const entries = [
      ...Array.from({ length: 15 }, () => entry('dsl_execute', 1500)),
      ...Array.from({ length: 5 }, () => entry('narrative', 1100)),
      entry('dsl_execute', 4200),
    ];
    const f = only(
      findings({ result: healthyResult(), slowQueries: { thresholdMs: 1000, total: 30, entries } }),
      'slow-queries',
    );
    expect(f.severity).toBe('warning');
    expect(f.title).toContain('dsl_execute');
    expect(cited(f, 'slow queries')).toBe(30);
    expect(cited(f, 'share of requests')).toBe(0.03);
    expect(cited(f, 'dsl_execute in the log')).toBe(16);
    expect(cited(f, 'slowest')).toBe(4200);
    expect(f.detail).toContain('RSI(AAPL, 14)');
  });

  it("reads FIML's slow-query log, counting only the run's entries when given the log before it", () => {
    const entry = (n: number) => ({
      operation: 'dsl_execute',
      duration_ms: 1000 + n,
      at: `2025-01-01T00:00:${String(n).padStart(2, '0')}.000Z`,
      detail: `query ${n}`,
    });
    const before = { threshold_ms: 1000, total: 40, recent: [entry(2), entry(1)] };
    const after = {
      threshold_ms: 1000,
      total: 43,
      recent: [entry(5), entry(4), entry(3), entry(2)],
    };
    expect(slowQueriesFromFiml(after, before)).toEqual({
      thresholdMs: 1000,
      total: 3,
      entries: [5, 4, 3].map((n) => ({
        operation: 'dsl_execute',
        query: `query ${n}`,
        durationMs: 1000 + n,
        at: `2025-01-01T00:00:0${n}.000Z`,
      })),
    });
    expect(slowQueriesFromFiml(after).total).toBe(43);
  });

  it('is a note when slow queries are rare, and quiet with a few or without a log', () => {
    const few = { thresholdMs: 1000, total: 5, entries: [entry('narrative', 1200)] };
    const big = makeResult({ endpoints: [{ name: 'price', samples: [[10, 10000]] }] });
    expect(only(findings({ result: big, slowQueries: few }), 'slow-queries').severity).toBe('info');
    expect(findings({ result: healthyResult(), slowQueries: { ...few, total: 2 } })).toEqual([]);
    expect(findings({ result: healthyResult() })).toEqual([]);
  });
});

describe('timing phases', () => {
  it('says the server owns the time when latency is slow and TTFB is most of it', () => {
    const result = makeResult({
      endpoints: [
        {
          name: 'narrative',
          samples: [[250, 1000]],
          phases: phasesOf({ newConnections: 10, ttfb: 240 }),
        },
      ],
      totalPhases: phasesOf({ newConnections: 10, ttfb: 240, connect: 0.5, receive: 1 }),
    });
    const f = only(findings(result), 'slow-server');
    expect(cited(f, 'mean time to first byte')).toBe(240);
    expect(cited(f, 'time to first byte share') as number).toBeCloseTo(0.96, 2);
    expect(cited(f, 'GET narrative TTFB p95')).toBe(240);
  });

  it('finds costly connections, no keep-alive and queued requests', () => {
    const result = makeResult({
      endpoints: [{ name: 'price', samples: [[20, 1000]] }],
      totalPhases: phasesOf({
        newConnections: 900,
        connect: 5,
        tls: 10,
        ttfb: 3,
        blocked: 8,
        waited: 400,
      }),
    });
    const list = findings(result);
    const slow = only(list, 'slow-connections');
    expect(cited(slow, 'connect and TLS per new connection')).toBe(15);
    expect(cited(slow, 'new connections per request')).toBe(0.9);
    expect(cited(slow, 'connect and TLS per request') as number).toBeCloseTo(13.5, 5);
    const keepAlive = only(list, 'no-keep-alive');
    expect(cited(keepAlive, 'new connections')).toBe(900);
    expect(cited(keepAlive, 'new connections per request')).toBe(0.9);
    const queued = only(list, 'queued-requests');
    expect(cited(queued, 'mean time blocked')).toBe(8);
    expect(cited(queued, 'requests that waited for a connection')).toBe(400);
    expect(ids(list)).not.toContain('slow-server');
  });

  it('counts every connection of a redirect chain: four per request, each paying its connect (issue 26)', () => {
    const result = makeResult({
      endpoints: [{ name: 'chain', samples: [[20, 1000]] }],
      totalPhases: phasesOf({ newConnections: 4000, connect: 2, ttfb: 3 }),
    });
    const list = findings(result);
    const keepAlive = only(list, 'no-keep-alive');
    expect(keepAlive.title).toBe('Requests opened 4 new connections each');
    expect(keepAlive.detail).toMatch(/^4,000 connections were opened for 1,000 requests/);
    expect(cited(only(list, 'slow-connections'), 'connect and TLS per request')).toBe(8);
  });

  it('no queue diagnosis without requests that waited for a connection, however long blocked (issue 26)', () => {
    // A result whose blocked time is not waiting for a connection (written before issue 26,
    // where blocked was what the other phases left, or nothing queued): no evidence, no finding.
    for (const waited of [0, undefined]) {
      const phases = phasesOf({ newConnections: 10, ttfb: 12, blocked: 8 });
      const result = makeResult({
        endpoints: [{ name: 'price', samples: [[20, 1000]] }],
        totalPhases: { ...phases, waited },
      });
      expect(ids(findings(result))).not.toContain('queued-requests');
    }
  });

  it('stays quiet for a fast run on kept-alive connections, and without phases', () => {
    const result = makeResult({
      endpoints: [{ name: 'price', samples: [[20, 1000]] }],
      totalPhases: phasesOf({ newConnections: 10, connect: 0.3, ttfb: 19, receive: 0.5 }),
    });
    expect(findings(result)).toEqual([]);
  });
});

describe('an open model that did not offer its rate', () => {
  it('blames --max-users when every user was busy, with the dropped iterations and lag', () => {
    const result = makeResult({
      model: 'open',
      endpoints: [{ name: 'price', samples: [[900, 1000]] }],
      generator: { dropped: 50, scheduleLagMs: { p50: 1, p99: 8, max: 20 } },
      config: { executor: { type: 'constant-arrival-rate', rate: 20, maxUsers: 20 } },
      timeseries: [second(0, { requests: 20, p99: 900, users: 20 })],
    });
    const f = only(findings(result), 'open-model-limited');
    expect(f.severity).toBe('critical');
    expect(cited(f, 'dropped iterations')).toBe(50);
    expect(cited(f, 'dropped share of the schedule (about)') as number).toBeCloseTo(50 / 1050);
    expect(cited(f, 'max users')).toBe(20);
    expect(f.action?.text).toContain('--max-users');
  });

  it('blames the generator when iterations started late with users to spare', () => {
    const result = makeResult({
      model: 'open',
      endpoints: [{ name: 'price', samples: [[5, 1000]] }],
      generator: { scheduleLagMs: { p50: 2, p99: 30, max: 60 } },
      config: { executor: { type: 'constant-arrival-rate', rate: 20, maxUsers: 100 } },
      timeseries: [second(0, { requests: 20, p99: 5, users: 3 })],
    });
    const f = only(findings(result), 'open-model-limited');
    expect(f.severity).toBe('warning');
    expect(cited(f, 'schedule lag p99')).toBe(30);
    expect(f.action?.text).toContain('--workers');
  });

  it('says how many late starts of how many the lag rests on', () => {
    const result = makeResult({
      model: 'open',
      endpoints: [{ name: 'price', samples: [[5, 4800]] }],
      generator: {
        scheduleLagMs: { p50: 2, p99: 30, max: 60, iterations: 4800, late: 120 },
      },
      config: { executor: { type: 'constant-arrival-rate', rate: 80, maxUsers: 100 } },
      timeseries: [second(0, { requests: 80, p99: 5, users: 3 })],
    });
    const f = only(findings(result), 'open-model-limited');
    expect(f.detail).toContain('120 of 4,800 iterations started over 10 ms late (p99 30 ms)');
    expect(cited(f, 'iterations started')).toBe(4800);
    expect(cited(f, 'iterations over 10 ms late')).toBe(120);
  });

  it('does not blame the generator for a p99 that rests on one late start of 48 (issue 26)', () => {
    const result = makeResult({
      model: 'open',
      endpoints: [{ name: 'price', samples: [[5, 48]] }],
      generator: {
        scheduleLagMs: { p50: 0.2, p99: 14.279, max: 14.279, iterations: 48, late: 1 },
      },
      config: { executor: { type: 'constant-arrival-rate', rate: 8, maxUsers: 100 } },
      timeseries: [second(0, { requests: 8, p99: 5, users: 1 })],
    });
    expect(findings(result)).toEqual([]);
  });

  it('stays quiet on schedule, and for a closed model', () => {
    const onTime = makeResult({
      model: 'open',
      endpoints: [{ name: 'price', samples: [[5, 1000]] }],
      generator: { scheduleLagMs: { p50: 0.1, p99: 2, max: 4 } },
    });
    expect(findings(onTime)).toEqual([]);
  });
});

describe('failures', () => {
  it('finds failures concentrated on one endpoint and one status', () => {
    const result = makeResult({
      endpoints: [
        { name: 'price', samples: [[10, 600]], failures: 50 },
        { name: 'narrative', samples: [[30, 400]] },
      ],
      errors: [
        { kind: 'http', method: 'GET', name: 'price', status: 503, count: 48, message: 'HTTP 503' },
        {
          kind: 'timeout',
          method: 'GET',
          name: 'price',
          status: null,
          count: 2,
          message: 'UND_ERR_HEADERS_TIMEOUT',
        },
      ],
    });
    const list = findings(result);
    const rate = only(list, 'error-rate');
    expect(rate.severity).toBe('critical');
    expect(cited(rate, 'error rate')).toBe(0.05);
    expect(cited(rate, 'HTTP 503 on GET price')).toBe(48);
    const endpoint = only(list, 'failures-on-one-endpoint');
    expect(cited(endpoint, 'endpoint')).toBe('GET price');
    expect(cited(endpoint, 'share of all failures')).toBe(1);
    const status = only(list, 'failures-one-status');
    expect(cited(status, 'status')).toBe('HTTP 503');
    expect(cited(status, 'share of all failures')).toBe(0.96);
    expect(status.detail).toContain('unavailable');
  });

  it('stays quiet on concentration when failures are spread', () => {
    const result = makeResult({
      endpoints: [
        { name: 'price', samples: [[10, 500]], failures: 10 },
        { name: 'narrative', samples: [[30, 500]], failures: 10 },
      ],
      errors: [
        { kind: 'http', method: 'GET', name: 'price', status: 503, count: 10, message: 'HTTP 503' },
        {
          kind: 'timeout',
          method: 'GET',
          name: 'narrative',
          status: null,
          count: 10,
          message: 'timeout',
        },
      ],
    });
    const list = findings(result);
    expect(only(list, 'error-rate').severity).toBe('warning');
    expect(ids(list)).not.toContain('failures-on-one-endpoint');
    expect(ids(list)).not.toContain('failures-one-status');
  });
});

describe('stress verdicts, regressions and names', () => {
  it('reports a failed peak with its figures and limits', () => {
    const result = {
      ...healthyResult(),
      stress: {
        kind: 'peak' as const,
        normalRate: 50,
        rate: 100,
        criteria: { maxErrorRate: 0.05, maxP95Ms: 1000 },
        errorRate: 0.08,
        p95Ms: 400,
        verdict: 'fail' as const,
      },
    };
    const f = only(findings(result), 'peak-failed');
    expect(f.severity).toBe('critical');
    expect(f.detail).toContain('error rate 8%');
    expect(cited(f, 'error rate')).toBe(0.08);
  });

  it("notes a breakpoint run's capacity, and fails one below the expected rate", () => {
    const breakpoint = (sustainableRate: number, verdict: 'pass' | 'fail') => ({
      ...healthyResult(),
      stress: {
        kind: 'breakpoint' as const,
        steps: [],
        sustainableRate,
        brokeAt: sustainableRate + 50,
        brokeBy: [{ target: 'p95 < 1s', actual: '1.4s' }],
        generatorSaturated: false,
        expectRate: 200,
        verdict,
      },
    });
    expect(only(findings(breakpoint(300, 'pass')), 'capacity').severity).toBe('info');
    const f = only(findings(breakpoint(150, 'fail')), 'capacity-below-expected');
    expect(cited(f, 'sustainable rate')).toBe(150);
    expect(cited(f, 'broke p95 < 1s')).toBe('1.4s');
  });

  it('reports each failed fault scenario with the checks that did not hold', () => {
    const result = {
      ...healthyResult(),
      stress: {
        kind: 'faults' as const,
        verdict: 'fail' as const,
        scenarios: [
          {
            name: 'provider-down',
            fault: 'yahoo is down',
            verdict: 'fail' as const,
            reason: null,
            checks: [
              { expect: 'error rate < 1%', observed: 'error rate 12%', held: false },
              { expect: 'others stay up', observed: 'fmp 100%', held: true },
            ],
            phases: [],
          },
        ],
      },
    };
    const f = only(findings(result), 'fault-scenario-failed');
    expect(f.evidence).toEqual([
      { name: 'error rate < 1%', value: 'error rate 12%', text: 'error rate 12%' },
    ]);
    expect(f.action?.command).toBe('fiml-perf stress faults --only provider-down');
  });

  it('reports regressions against the baseline', () => {
    const regression = {
      id: 'GET price p99',
      verdict: 'regression' as const,
      threshold: 0.1,
      baseline: 100,
      current: 135,
      ratio: 1.35,
      low: 1.2,
      high: 1.5,
      significant: true,
      p: 0.001,
      q: 0.002,
      detectable: null,
      unit: 'request',
      note: null,
    };
    const comparison: ComparisonReport = {
      schemaVersion: 1,
      kind: 'load',
      baseline: { path: 'base.json', createdAt: '', commit: null },
      current: { path: 'current.json', createdAt: '', commit: null },
      comparisons: [regression, { ...regression, id: 'GET dsl p99', verdict: 'no-change' }],
      onlyBaseline: [],
      onlyCurrent: [],
      environmentDifferences: [],
      summary: {
        regression: 1,
        improvement: 0,
        inconclusive: 0,
        'within-threshold': 0,
        'no-change': 1,
      },
      alpha: 0.05,
    };
    const f = only(findings({ result: healthyResult(), comparison }), 'regressions');
    expect(cited(f, 'GET price p99')).toBe(135);
    expect(f.detail).toContain('+35%');
  });

  it('notes requests recorded past the cap on names', () => {
    const result = {
      ...healthyResult(),
      names: {
        max: 1000,
        recorded: 1000,
        overflowNames: 5200,
        overflowRequests: 9000,
        templated: true,
      },
    };
    const f = only(findings(result), 'names-overflow');
    expect(cited(f, 'requests past the cap')).toBe(9000);
  });
});

describe('the order of findings', () => {
  it('lists critical findings first, then warnings, then notes', () => {
    const result = makeResult({
      endpoints: [
        {
          name: 'price',
          samples: [
            [10, 1800],
            [50, 20],
          ],
          failures: 200,
        },
        {
          name: 'narrative',
          samples: [
            [10, 140],
            [300, 20],
            [800, 20],
          ],
        },
      ],
      errors: [
        {
          kind: 'http',
          method: 'GET',
          name: 'price',
          status: 500,
          count: 200,
          message: 'HTTP 500',
        },
      ],
      generator: { reasons: ['event-loop delay p99 was 45 ms'] },
    });
    const order = { critical: 0, warning: 1, info: 2 };
    const severities = findings(result).map((f) => order[f.severity]);
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    expect(findings(result)[0]?.id).toBe('generator-saturated');
  });
});
