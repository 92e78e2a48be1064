import { describe, expect, it } from 'vitest';
import {
  GATLING_BOUNDS_MS,
  latencyDistribution,
  rangeBounds,
  responseTimeRanges,
} from '../../src/report/analysis/index.js';
import { createHistogram, encodeHistogram } from '../../src/stats/index.js';
import { healthyResult, judged, makeResult, targetsReport } from './fixtures.js';

const spread = () =>
  makeResult({
    endpoints: [
      {
        name: 'price',
        samples: [
          [100, 50],
          [300, 30],
        ],
        failures: 4,
      },
      {
        name: 'narrative',
        samples: [
          [700, 15],
          [1500, 5],
        ],
        failures: 3,
      },
    ],
  });

describe('response-time ranges', () => {
  it("split at the latency targets' thresholds, and sum to the total", () => {
    const result = {
      ...spread(),
      targets: targetsReport([
        judged('p95', 'p95 < 200ms', 700),
        judged('p99', 'p99 < 0.5s', 1500),
        judged('errors', 'error_rate < 1%', 0.07),
        judged('narrative', 'endpoint["narrative"].p99 < 2s', 1500),
      ]),
    };
    const bounds = rangeBounds(result);
    expect(bounds).toEqual({ boundsMs: [200, 500], fromTargets: true });
    const r = responseTimeRanges(result.histograms.total, result.totals.failures, bounds);
    expect(r.ranges.map((x) => [x.label, x.count])).toEqual([
      ['t < 200 ms', 50],
      ['200 ms <= t < 500 ms', 30],
      ['t >= 500 ms', 20],
    ]);
    expect(r.ranges.map((x) => x.share)).toEqual([0.5, 0.3, 0.2]);
    expect(r.failed).toEqual({ count: 7, share: 0.07 });
    expect(r.total).toBe(result.totals.requests);
    expect(r.ranges.reduce((n, x) => n + x.count, 0)).toBe(r.total);
    expect(r.ranges[0]).toMatchObject({ fromMs: 0, toMs: 200 });
    expect(r.ranges[2]).toMatchObject({ fromMs: 500, toMs: null });
  });

  it("default to Gatling's 800 and 1200 ms without latency targets", () => {
    const result = spread();
    const bounds = rangeBounds(result);
    expect(bounds).toEqual({ boundsMs: GATLING_BOUNDS_MS, fromTargets: false });
    const r = responseTimeRanges(result.histograms.total, result.totals.failures);
    expect(r.ranges.map((x) => [x.label, x.count])).toEqual([
      ['t < 800 ms', 95],
      ['800 ms <= t < 1.2 s', 0],
      ['t >= 1.2 s', 5],
    ]);
    expect(r.fromTargets).toBe(false);
  });

  it('of an endpoint histogram, and of an empty one', () => {
    const result = spread();
    const narrative = result.histograms.endpoints['GET narrative'] as string;
    const r = responseTimeRanges(narrative, 3, { boundsMs: [1000], fromTargets: false });
    expect(r.ranges.map((x) => x.count)).toEqual([15, 5]);
    expect(r.total).toBe(20);
    const empty = responseTimeRanges(encodeHistogram(createHistogram()), 0);
    expect(empty.total).toBe(0);
    expect(empty.ranges.every((x) => x.count === 0 && x.share === 0)).toBe(true);
  });
});

describe('the latency distribution', () => {
  it('has 60 log-spaced buckets from the fastest to the slowest request, summing to the total', () => {
    const result = healthyResult();
    const buckets = latencyDistribution(result.histograms.total);
    expect(buckets).toHaveLength(60);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(result.totals.requests);
    expect(buckets[0]?.fromMs).toBeCloseTo(10, 1);
    expect(buckets.at(-1)?.toMs).toBeCloseTo(50, 1);
    expect(buckets.at(-1)?.cumulative).toBe(1);
    for (let i = 1; i < buckets.length; i++) {
      const a = buckets[i - 1] as (typeof buckets)[number];
      const b = buckets[i] as (typeof buckets)[number];
      expect(b.fromMs).toBeCloseTo(a.toMs, 6);
      // Equal ratios: each bucket is as many times wider than its lower edge.
      expect(b.toMs / b.fromMs).toBeCloseTo(a.toMs / a.fromMs, 3);
    }
    expect(buckets[0]?.count).toBe(850);
    expect(buckets.at(-1)?.count).toBe(17);
  });

  it('takes 10 to 200 buckets, one for a single value, none for no requests', () => {
    const result = healthyResult();
    expect(latencyDistribution(result.histograms.total, 100)).toHaveLength(100);
    expect(latencyDistribution(result.histograms.total, 3)).toHaveLength(10);
    const one = makeResult({ endpoints: [{ name: 'price', samples: [[10, 7]] }] });
    expect(latencyDistribution(one.histograms.total)).toEqual([
      {
        fromMs: expect.closeTo(10, 1),
        toMs: expect.closeTo(10, 1),
        count: 7,
        share: 1,
        cumulative: 1,
      },
    ]);
    expect(latencyDistribution(encodeHistogram(createHistogram()))).toEqual([]);
  });
});
