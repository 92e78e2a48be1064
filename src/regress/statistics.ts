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

/** At most this many pairwise differences are formed; larger samples are thinned evenly. */
const MAX_PAIRS = 250_000;

function thin(values: readonly number[], keep: number): number[] {
  if (values.length <= keep) return [...values];
  const sorted = [...values].sort((x, y) => x - y);
  return Array.from(
    { length: keep },
    (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / keep)] as number,
  );
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate of the shift y - x. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Two-sided p-value of the Mann-Whitney test of no shift. */
  readonly p: number;
}

/**
 * The Hodges-Lehmann estimate of the shift between two samples (the median of every pairwise
 * difference y_j - x_i), with its distribution-free confidence interval from the Mann-Whitney
 * statistic (normal approximation), and the test's two-sided p-value.
 */
export function hodgesLehmann(
  x: readonly number[],
  y: readonly number[],
  confidence = 0.95,
): ShiftEstimate {
  const side = Math.max(1, Math.floor(Math.sqrt(MAX_PAIRS)));
  const xs = thin(x, x.length * y.length > MAX_PAIRS ? side : x.length);
  const ys = thin(y, x.length * y.length > MAX_PAIRS ? side : y.length);
  const n = xs.length;
  const m = ys.length;
  const diffs = new Float64Array(n * m);
  let k = 0;
  for (const yi of ys) for (const xi of xs) diffs[k++] = yi - xi;
  diffs.sort();
  const nm = n * m;
  const at = (i: number) => diffs[Math.min(nm - 1, Math.max(0, i))] as number;
  const estimate = nm % 2 ? at((nm - 1) / 2) : (at(nm / 2 - 1) + at(nm / 2)) / 2;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const sd = Math.sqrt((nm * (n + m + 1)) / 12);
  const c = Math.floor(nm / 2 - z * sd);
  const low = c >= 1 ? at(c - 1) : Number.NEGATIVE_INFINITY;
  const high = c >= 1 ? at(nm - c) : Number.POSITIVE_INFINITY;
  // U counts pairs with y > x (ties half); under no shift its mean is nm/2.
  let u = 0;
  for (let i = 0; i < nm; i++)
    u += (diffs[i] as number) > 0 ? 1 : (diffs[i] as number) === 0 ? 0.5 : 0;
  const zU = sd > 0 ? (Math.abs(u - nm / 2) - 0.5) / sd : 0;
  const p = Math.min(1, 2 * (1 - normalCdf(Math.max(0, zU))));
  return { estimate, low, high, p };
}

/** Benjamini-Hochberg adjusted p-values (q-values), in the input order. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const n = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(n);
  let running = 1;
  for (let rank = n; rank >= 1; rank--) {
    const [p, index] = order[rank - 1] as readonly [number, number];
    running = Math.min(running, (p * n) / rank);
    q[index] = running;
  }
  return q;
}
