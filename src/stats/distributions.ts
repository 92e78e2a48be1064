/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf, error under 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Standard normal quantile (Acklam's algorithm, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (cs: number[], x: number) => cs.reduce((acc, k) => acc * x + k, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * Student's t quantile with `df` degrees of freedom (Cornish-Fisher expansion around the normal
 * quantile; within 1% of the exact value for df >= 3 at the usual levels).
 */
export function tQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  if (!Number.isFinite(df) || df > 1e6) return z;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** A least-squares line through (x, y) with the slope's confidence interval. */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Confidence interval of the slope; infinite with fewer than 3 points. */
  readonly low: number;
  readonly high: number;
  readonly points: number;
}

/** Ordinary least squares, the slope's interval from Student's t at `level` (default 95%). */
export function linearFit(x: readonly number[], y: readonly number[], level = 0.95): LinearFit {
  const n = Math.min(x.length, y.length);
  const mean = (v: readonly number[]) => v.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += ((x[i] as number) - mx) ** 2;
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3 || sxx === 0) return { slope, intercept, low: -Infinity, high: Infinity, points: n };
  let sse = 0;
  for (let i = 0; i < n; i++) sse += ((y[i] as number) - intercept - slope * (x[i] as number)) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const t = tQuantile(1 - (1 - level) / 2, n - 2);
  return { slope, intercept, low: slope - t * se, high: slope + t * se, points: n };
}
