import { decodeHistogram, type Histogram, type RunResult } from '../stats/index.js';
import { normalCdf, normalQuantile, type ShiftEstimate } from './statistics.js';
import { type Comparison, classify, judge, onlyIn, shiftFields } from './verdict.js';

const Z = normalQuantile(0.975);

/**
 * A distribution-free 95% interval for a percentile from a histogram of n values: the values at
 * ranks n*q -/+ z*sqrt(n*q*(1-q)) (order statistics), on the log scale with its standard error.
 */
function percentileLog(h: Histogram, q: number): { value: number; se: number } | undefined {
  const n = h.totalCount;
  if (n < 20) return undefined;
  const spread = Z * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) =>
    Math.max(1, h.getValueAtPercentile(Math.min(100, Math.max(0, (rank / n) * 100))));
  const value = Math.log(at(n * q));
  const low = Math.log(at(n * q - spread));
  const high = Math.log(at(n * q + spread));
  return { value, se: Math.max((high - low) / (2 * Z), 1e-9) };
}

function shiftOf(
  a: { value: number; se: number },
  b: { value: number; se: number },
): ShiftEstimate {
  const estimate = b.value - a.value;
  const se = Math.sqrt(a.se ** 2 + b.se ** 2);
  return {
    estimate,
    low: estimate - Z * se,
    high: estimate + Z * se,
    p: 2 * (1 - normalCdf(Math.abs(estimate) / se)),
  };
}

/** The error rate's change, in percentage points, judged against an absolute threshold. */
function errorRate(
  id: string,
  a: { requests: number; failures: number },
  b: { requests: number; failures: number },
  threshold: number,
): Comparison {
  const pa = a.failures / Math.max(a.requests, 1);
  const pb = b.failures / Math.max(b.requests, 1);
  const se =
    Math.sqrt(
      (pa * (1 - pa)) / Math.max(a.requests, 1) + (pb * (1 - pb)) / Math.max(b.requests, 1),
    ) || 1e-12;
  const diff = pb - pa;
  const low = diff - Z * se;
  const high = diff + Z * se;
  const verdict = classify(low, high, threshold);
  return {
    id,
    verdict,
    significant: low > 0 || high < 0,
    threshold,
    baseline: pa,
    current: pb,
    ratio: diff,
    low,
    high,
    p: 2 * (1 - normalCdf(Math.abs(diff) / se)),
    q: 1,
    detectable: verdict === 'inconclusive' ? threshold + (high - low) / 2 : null,
    unit: `request (${a.requests} vs ${b.requests})`,
    note: 'error rate: change in percentage points',
  };
}

/**
 * Compares two load-test results per endpoint: p50, p95 and p99 from the encoded histograms
 * (order-statistic intervals), and the error rate.
 */
export function compareLoadResults(
  baseline: RunResult,
  current: RunResult,
  threshold: number,
  errorThreshold: number,
): { comparisons: Comparison[]; onlyBaseline: string[]; onlyCurrent: string[] } {
  const comparisons: Comparison[] = [];
  const before = baseline.histograms.endpoints;
  const keys = Object.keys(current.histograms.endpoints).filter((k) => k in before);
  const figures = [
    ['p50', 0.5],
    ['p95', 0.95],
    ['p99', 0.99],
  ] as const;
  const rows = [
    ...keys.map((key) => ({
      key,
      a: before[key] as string,
      b: current.histograms.endpoints[key] as string,
    })),
    { key: 'Aggregated', a: baseline.histograms.total, b: current.histograms.total },
  ];
  for (const { key, a, b } of rows) {
    const ha = decodeHistogram(a);
    const hb = decodeHistogram(b);
    for (const [label, q] of figures) {
      const pa = percentileLog(ha, q);
      const pb = percentileLog(hb, q);
      if (!pa || !pb) continue;
      const shift = shiftOf(pa, pb);
      const { verdict, detectable, significant } = judge(shift, threshold);
      comparisons.push({
        id: `${key} ${label}`,
        verdict,
        significant,
        threshold,
        baseline: Math.exp(pa.value) / 1000,
        current: Math.exp(pb.value) / 1000,
        ...shiftFields(shift),
        detectable,
        unit: `request (${ha.totalCount} vs ${hb.totalCount})`,
        note: null,
      });
    }
    ha.destroy();
    hb.destroy();
    const ea =
      key === 'Aggregated'
        ? baseline.totals
        : baseline.endpoints.find((e) => `${e.method} ${e.name}` === key);
    const eb =
      key === 'Aggregated'
        ? current.totals
        : current.endpoints.find((e) => `${e.method} ${e.name}` === key);
    if (ea && eb) comparisons.push(errorRate(`${key} error rate`, ea, eb, errorThreshold));
  }
  return {
    comparisons,
    onlyBaseline: onlyIn(Object.keys(before), Object.keys(current.histograms.endpoints)),
    onlyCurrent: onlyIn(Object.keys(current.histograms.endpoints), Object.keys(before)),
  };
}
