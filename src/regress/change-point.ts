import { normalCdf } from './statistics.js';

/** Mid-ranks from 1 (tied values share the mean of their ranks), in the input's order. */
function midRanks(values: readonly number[]): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (values[a] as number) - (values[b] as number),
  );
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end] as number] === values[order[start] as number]) end++;
    for (let i = start; i < end; i++) ranks[order[i] as number] = (start + 1 + end) / 2;
    start = end;
  }
  return ranks;
}

/** How many differences y - x lie below t, and at or below it (one pass; see kthDifference). */
function rankOf(xs: Float64Array, ys: Float64Array, t: number): { less: number; atMost: number } {
  const n = xs.length;
  let less = 0;
  let atMost = 0;
  for (let j = 0, a = 0, b = 0; j < ys.length; j++) {
    const y = ys[j] as number;
    while (a < n && y - (xs[a] as number) >= t) a++;
    while (b < n && y - (xs[b] as number) > t) b++;
    less += n - a;
    atMost += n - b;
  }
  return { less, atMost };
}

/**
 * The k-th smallest (from 0) of the differences y - x over every pair, for xs and ys sorted
 * ascending, without forming the n*m differences: y - x falls as x rises and grows with y, so each
 * row (one y) holds the pairs in play as one run of x, and counting against a value is one pass.
 * A pivot drawn from the pairs in play is counted, and the side holding the k-th is kept, until
 * few enough are left to sort. Exact, ties included; O((n + m) log(nm)) expected.
 */
function kthDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  const n = xs.length;
  const m = ys.length;
  // In play: in row j (ys[j]), x from from[j] to to[j], the pairs whose y - x lies in (lo, hi).
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  /** Pairs at or below lo. */
  let below = 0;
  // A fixed pseudo-random sequence: the answer does not depend on the pivots, only the time does.
  let seed = 1;
  for (;;) {
    let total = 0;
    for (let j = 0, a = 0, b = 0; j < m; j++) {
      const y = ys[j] as number;
      while (a < n && !(y - (xs[a] as number) < hi)) a++;
      while (b < n && y - (xs[b] as number) > lo) b++;
      from[j] = a;
      to[j] = Math.max(a, b);
      total += (to[j] as number) - a;
    }
    if (total <= 2 * (n + m)) {
      const left = new Float64Array(total);
      let at = 0;
      for (let j = 0; j < m; j++)
        for (let i = from[j] as number; i < (to[j] as number); i++)
          left[at++] = (ys[j] as number) - (xs[i] as number);
      return left.sort()[k - below] as number;
    }
    seed = (seed * 48_271) % 2_147_483_647;
    let r = Math.floor((seed / 2_147_483_647) * total);
    let pivot = Number.NaN;
    for (let j = 0; j < m; j++) {
      const size = (to[j] as number) - (from[j] as number);
      if (r < size) {
        pivot = (ys[j] as number) - (xs[(from[j] as number) + r] as number);
        break;
      }
      r -= size;
    }
    const { less, atMost } = rankOf(xs, ys, pivot);
    if (k < less) hi = pivot;
    else if (k >= atMost) {
      lo = pivot;
      below = atMost;
    } else return pivot;
  }
}

/** The smallest difference y - x above t (xs and ys sorted ascending). */
function smallestAbove(xs: Float64Array, ys: Float64Array, t: number): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let j = 0, b = 0; j < ys.length; j++) {
    const y = ys[j] as number;
    while (b < xs.length && y - (xs[b] as number) > t) b++;
    // Row j's differences above t run from x 0 to b - 1, falling: the last is its smallest.
    if (b > 0) smallest = Math.min(smallest, y - (xs[b - 1] as number));
  }
  return smallest;
}

/**
 * The Hodges-Lehmann estimate of the shift y - x: the median of every pairwise difference, the
 * same figure `hodgesLehmann` gives (for samples it does not thin), found by selection.
 */
function medianDifference(x: readonly number[], y: readonly number[]): number {
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  const nm = xs.length * ys.length;
  if (nm % 2) return kthDifference(xs, ys, (nm - 1) / 2);
  const lower = kthDifference(xs, ys, nm / 2 - 1);
  const upper = rankOf(xs, ys, lower).atMost > nm / 2 ? lower : smallestAbove(xs, ys, lower);
  return (lower + upper) / 2;
}

/** The split of a series most likely to separate an earlier level from a later one. */
export interface ChangePoint {
  /** The first value after the split. */
  readonly index: number;
  /** Two-sided p-value of the Mann-Whitney test of no shift between the two sides. */
  readonly p: number;
  /** Hodges-Lehmann estimate of the later side's shift from the earlier side. */
  readonly shift: number;
}

/**
 * Of every split of `values` with at least two values a side, the one whose sides differ most
 * significantly (Mann-Whitney, normal approximation, ties counted half; the first of equals),
 * with its Hodges-Lehmann shift; null under four values. The statistic of every split comes from
 * one ranking of the whole series (each split's two sides together are the whole series), so a
 * history of n saves costs O(n log n), not a pairwise comparison per split, which took 22 s for
 * 40 benchmarks over a year of saves (issue 25).
 */
export function changePoint(values: readonly number[]): ChangePoint | null {
  const n = values.length;
  if (n < 4) return null;
  const ranks = midRanks(values);
  // after[k]: the rank sum of values[k..].
  const after = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) after[i] = (after[i + 1] as number) + (ranks[i] as number);
  let best: { index: number; p: number } | null = null;
  for (let k = 2; k <= n - 2; k++) {
    const m = n - k;
    const nm = k * m;
    // U counts pairs with a later value above an earlier one (ties half); its mean is nm/2.
    const u = (after[k] as number) - (m * (m + 1)) / 2;
    const sd = Math.sqrt((nm * (n + 1)) / 12);
    const z = sd > 0 ? (Math.abs(u - nm / 2) - 0.5) / sd : 0;
    const p = Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
    if (!best || p < best.p) best = { index: k, p };
  }
  if (!best) return null;
  return {
    ...best,
    shift: medianDifference(values.slice(0, best.index), values.slice(best.index)),
  };
}
