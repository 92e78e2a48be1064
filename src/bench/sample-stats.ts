/** Statistics of a benchmark's samples (nanoseconds per iteration). */
export interface SampleStats {
  readonly samples: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  readonly stddev: number;
  /** Median absolute deviation from the median. */
  readonly mad: number;
  /** Interquartile range, p75 - p25. */
  readonly iqr: number;
  readonly p75: number;
  readonly p99: number;
  /** Iterations a second, from the median. */
  readonly opsPerSec: number;
  /** Relative margin of error of the mean at 95% (t distribution), in percent. */
  readonly rme: number;
  /** Samples outside Tukey's fences (1.5 IQR beyond the quartiles): reported, never dropped. */
  readonly outliers: { readonly low: number; readonly high: number };
}

/** The p-quantile (0..1) of sorted values, linearly interpolated (type 7, as R and numpy). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Two-sided 97.5% quantile of Student's t for `df` degrees of freedom. */
export function tQuantile975(df: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
    2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052,
    2.048, 2.045, 2.042,
  ];
  if (df < 1) return Number.NaN;
  if (df <= table.length) return table[df - 1] as number;
  // Beyond 30 degrees of freedom: the normal quantile with a first-order correction.
  return 1.96 + 2.4 / df;
}

export function summarize(values: readonly number[]): SampleStats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const stddev = Math.sqrt(variance);
  const med = quantile(sorted, 0.5);
  const p25 = quantile(sorted, 0.25);
  const p75 = quantile(sorted, 0.75);
  const iqr = p75 - p25;
  const deviations = sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const lowFence = p25 - 1.5 * iqr;
  const highFence = p75 + 1.5 * iqr;
  const sem = n > 1 ? stddev / Math.sqrt(n) : 0;
  return {
    samples: n,
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    mean,
    median: med,
    stddev,
    mad: quantile(deviations, 0.5),
    iqr,
    p75,
    p99: quantile(sorted, 0.99),
    opsPerSec: med > 0 ? 1e9 / med : Number.POSITIVE_INFINITY,
    rme: n > 1 && mean > 0 ? ((tQuantile975(n - 1) * sem) / mean) * 100 : 0,
    outliers: {
      low: sorted.filter((v) => v < lowFence).length,
      high: sorted.filter((v) => v > highFence).length,
    },
  };
}
