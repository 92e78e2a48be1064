import { normalCdf, normalQuantile } from '../stats/index.js';

export { normalCdf, normalQuantile };

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
