import { decodeValues } from './recorded-values.js';
import type { DistributionBucket } from './types.js';

/** Buckets a chart of the distribution gets by default: fine enough to show modes, few enough to read. */
export const DEFAULT_DISTRIBUTION_BUCKETS = 60;

const edge = (us: number) => Number((us / 1000).toPrecision(6));

/**
 * The run's latency distribution in log-spaced buckets from its fastest to its slowest request,
 * for a chart: latencies span orders of magnitude, so equal ratios make equal widths.
 * @param histogram an encoded histogram: a result's `histograms.total` or one endpoint's
 * @param buckets how many, clamped to 10..200 @default 60
 */
export function latencyDistribution(
  histogram: string,
  buckets: number = DEFAULT_DISTRIBUTION_BUCKETS,
): DistributionBucket[] {
  const values = decodeValues(histogram);
  const first = values[0];
  const last = values.at(-1);
  if (!first || !last) return [];
  const total = values.reduce((n, v) => n + v.count, 0);
  const lo = first.us;
  const hi = last.us;
  if (lo === hi)
    return [{ fromMs: edge(lo), toMs: edge(hi), count: total, share: 1, cumulative: 1 }];
  const n = Math.min(200, Math.max(10, Math.round(buckets)));
  const span = Math.log(hi / lo);
  const counts = new Array<number>(n).fill(0);
  for (const v of values) {
    const i = Math.min(n - 1, Math.floor((n * Math.log(v.us / lo)) / span));
    counts[i] = (counts[i] as number) + v.count;
  }
  let running = 0;
  return counts.map((count, i) => {
    running += count;
    return {
      fromMs: edge(lo * Math.exp((span * i) / n)),
      toMs: edge(i === n - 1 ? hi : lo * Math.exp((span * (i + 1)) / n)),
      count,
      share: count / total,
      cumulative: running / total,
    };
  });
}
