import { describe, expect, it } from 'vitest';
import { analyse, summarize } from '../../src/report/analysis/index.js';
import { healthyResult, judged, makeResult, serviceReport, targetsReport } from './fixtures.js';

const standard = (values: { avg: number; p99: number; cache: number | null }) =>
  targetsReport([
    judged('average response time', 'avg < 200ms', values.avg),
    judged('P99 latency', 'p99 < 500ms', values.p99),
    judged('cache hit rate', 'cache_hit_rate > 80%', values.cache),
  ]);

describe('the executive summary', () => {
  it('of a passing run: targets met, throughput, latency, no failures', () => {
    const result = {
      ...healthyResult(),
      targets: standard({ avg: 12.6, p99: 50, cache: 0.92 }),
      service: serviceReport(),
    };
    const { sentences, figures } = summarize({ result });
    expect(sentences).toEqual([
      'All 3 targets were met.',
      'It sent 1,000 requests in 60 s, 16.7/s (closed model).',
      'Latency was 10 ms at the median, 20 ms at p95 and 50 ms at p99 (mean 12 ms, max 50 ms).',
      'No request failed.',
      'The slowest endpoint was GET dsl (p99 50 ms).',
    ]);
    expect(figures.valid).toBe(true);
    expect(figures.targets?.missed).toEqual([]);
    expect(figures.latencyMs.p99).toBe(result.totals.latencyMs.p99);
    expect(figures.errorRate).toBe(0);
  });

  it('of a failing run: the targets missed and by how much, then the errors and worst endpoints', () => {
    const result = {
      ...makeResult({
        endpoints: [
          { name: 'price', samples: [[20, 900]], failures: 30 },
          {
            name: 'narrative',
            samples: [
              [400, 90],
              [700, 10],
            ],
          },
        ],
        errors: [
          {
            kind: 'http',
            method: 'GET',
            name: 'price',
            status: 503,
            count: 30,
            message: 'HTTP 503',
          },
        ],
      }),
      targets: standard({ avg: 150, p99: 612, cache: 0.62 }),
    };
    const { sentences, figures } = summarize({ result });
    expect(sentences[0]).toBe(
      '2 of 3 targets were missed: P99 latency 612 ms missed its 500 ms target by 22%; cache hit rate 62% missed its 80% target by 18 points.',
    );
    expect(sentences).toContain('30 requests failed (3%), mostly HTTP 503 on GET price (30).');
    expect(sentences).toContain(
      'The slowest endpoint was GET narrative (p99 700 ms); the most failures were on GET price (30, 3.3% of its requests).',
    );
    const [p99, cache] = figures.targets?.missed ?? [];
    expect(p99).toMatchObject({
      name: 'P99 latency',
      value: 612,
      threshold: 500,
      byUnit: 'relative',
    });
    expect(p99?.by).toBeCloseTo(0.224);
    expect(cache).toMatchObject({ value: 0.62, threshold: 0.8, byUnit: 'points' });
    expect(cache?.by).toBeCloseTo(0.18);
    expect(figures.mainError).toMatchObject({
      kind: 'http',
      status: 503,
      request: 'GET price',
      share: 1,
    });
    expect(figures.slowestEndpoint).toMatchObject({ endpoint: 'GET narrative', requests: 100 });
    // The histogram's bucket for 700 ms, as the result reports the p99.
    expect(figures.slowestEndpoint?.p99Ms).toBeCloseTo(700, 0);
    expect(figures.mostFailingEndpoint?.endpoint).toBe('GET price');
  });

  it('of a saturated run: says first that the run is invalid, and why', () => {
    const result = {
      ...makeResult({
        endpoints: [{ name: 'price', samples: [[10, 1000]] }],
        generator: { reasons: ['CPU averaged 97% of 1 core(s)'] },
      }),
      targets: standard({ avg: 10, p99: 10, cache: 0.9 }),
    };
    const { sentences, figures } = summarize({ result });
    expect(sentences[0]).toMatch(
      /^This run is invalid: the load generator was saturated \(CPU averaged 97% of 1 core\(s\)\)/,
    );
    expect(figures.valid).toBe(false);
    expect(figures.saturationReasons).toEqual(['CPU averaged 97% of 1 core(s)']);
  });

  it('of an interrupted run, and of one a target stopped', () => {
    const interrupted = makeResult({
      endpoints: [{ name: 'price', samples: [[10, 100]] }],
      interrupted: true,
      durationS: 12.5,
    });
    expect(summarize({ result: interrupted }).sentences[0]).toBe(
      'The run was stopped early, after 13 s; its figures cover that part only.',
    );
    const stopped = {
      ...interrupted,
      targets: {
        ...standard({ avg: 10, p99: 900, cache: 0.9 }),
        abortedBy: { target: 'P99 latency', atSeconds: 12, actual: '900ms' },
      },
    };
    const { sentences, figures } = summarize({ result: stopped });
    expect(sentences[0]).toBe(
      "The run was stopped at 12 s because the target 'P99 latency' failed (--abort-on-fail); its figures cover that part only.",
    );
    expect(figures.abortedBy).toEqual({ target: 'P99 latency', atSeconds: 12 });
  });

  it('names targets that could not be judged', () => {
    const result = { ...healthyResult(), targets: standard({ avg: 12, p99: 50, cache: null }) };
    const { sentences } = summarize({ result });
    expect(sentences.slice(0, 2)).toEqual([
      '2 of 3 targets were met.',
      '1 target could not be judged: cache hit rate (no metrics).',
    ]);
  });

  it('says a target missed only in windows met it over the whole run', () => {
    const p99 = judged('P99 latency', 'p99 < 500ms', 420);
    const windowed = {
      ...p99,
      verdict: 'fail' as const,
      windows: { seconds: 10, judged: 6, failed: [{ from: 20, to: 30, actual: '812ms' }] },
    };
    const result = { ...healthyResult(), targets: targetsReport([windowed]) };
    const { sentences, figures } = summarize({ result });
    expect(sentences[0]).toBe(
      '1 of 1 targets was missed: P99 latency met its 500 ms target over the whole run (420 ms) but missed it in 1 of 6 10 s windows (first 20-30 s: 812ms).',
    );
    expect(figures.targets?.missed[0]).toMatchObject({
      by: null,
      failedWindows: 1,
      judgedWindows: 6,
    });
  });
});

describe('next steps', () => {
  it('of a failing run: missed targets first, then critical findings, then warnings', () => {
    const result = {
      ...makeResult({
        endpoints: [
          {
            name: 'price',
            samples: [
              [20, 1800],
              [50, 20],
            ],
            failures: 120,
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
            status: 503,
            count: 120,
            message: 'HTTP 503',
          },
        ],
      }),
      targets: standard({ avg: 150, p99: 612, cache: 0.62 }),
      service: serviceReport({
        cacheHitRate: 0.62,
        providerUptime: 0.97,
        providers: { yahoo: 0.95 },
      }),
    };
    const { nextSteps, findings } = analyse({ result });
    expect(nextSteps.map((s) => s.from)).toEqual([
      { kind: 'target', name: 'P99 latency' },
      { kind: 'target', name: 'cache hit rate' },
      { kind: 'finding', id: 'error-rate', severity: 'critical' },
      { kind: 'finding', id: 'tail-ownership', severity: 'warning' },
      { kind: 'finding', id: 'provider-errors', severity: 'warning' },
    ]);
    expect(nextSteps[0]?.text).toBe(
      'Bring P99 latency from 612 ms under 500 ms: start with GET narrative, which owns the tail; profile the service under load',
    );
    expect(nextSteps[0]?.command).toBe('fiml-perf run --profile');
    expect(nextSteps[1]?.doc).toBe('docs/fiml.md#cache');
    // The cache finding's step is the missed target's; the error-rate step covers the failures
    // concentrated on one endpoint and status.
    expect(findings.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'low-cache-hit-rate',
        'failures-on-one-endpoint',
        'failures-one-status',
      ]),
    );
    expect(nextSteps[2]?.text).toBe(
      'Fix the largest group of failures, HTTP 503 on GET price: the service (or a provider behind it) was unavailable: see provider health and the fallbacks',
    );
  });

  it('of a saturated run: rerun it properly first', () => {
    const result = {
      ...makeResult({
        endpoints: [{ name: 'price', samples: [[10, 1000]] }],
        generator: { reasons: ['event-loop delay p99 was 45 ms'] },
      }),
      targets: standard({ avg: 300, p99: 900, cache: 0.9 }),
    };
    const steps = analyse({ result }).nextSteps;
    expect(steps[0]?.from).toEqual({
      kind: 'finding',
      id: 'generator-saturated',
      severity: 'critical',
    });
    expect(steps[0]?.command).toContain('--workers');
    expect(steps[1]?.from).toEqual({ kind: 'target', name: 'average response time' });
  });

  it('of a passing run: keep it as a baseline', () => {
    const result = { ...healthyResult(), targets: standard({ avg: 12, p99: 50, cache: 0.92 }) };
    const steps = analyse({ result }).nextSteps;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      from: { kind: 'run' },
      command: 'fiml-perf compare BASELINE CURRENT',
    });
  });
});
