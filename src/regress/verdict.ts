import type { ShiftEstimate } from './statistics.js';

/**
 * `within-threshold`: the interval lies inside ±threshold but not around zero (a small, real
 * change); `no-change`: it lies inside ±threshold and around zero.
 */
export type Verdict =
  | 'regression'
  | 'improvement'
  | 'within-threshold'
  | 'no-change'
  | 'inconclusive';

/** One benchmark's or endpoint figure's comparison. Ratios are current / baseline. */
export interface Comparison {
  /** Benchmark id, or `METHOD name p99` for a load test figure. */
  readonly id: string;
  readonly verdict: Verdict;
  readonly threshold: number;
  readonly baseline: number;
  readonly current: number;
  /** Estimated change as a ratio (1.12 = 12% slower / higher). */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  /** The interval excludes no change, and (after adjustment) the adjusted p is below alpha. */
  readonly significant: boolean;
  readonly p: number;
  /** Benjamini-Hochberg adjusted p-value across the comparison. */
  readonly q: number;
  /** For inconclusive ones: the smallest change this data could have called a regression. */
  readonly detectable: number | null;
  /** What a sample was: a fresh process, an iteration sample, a second of a load test. */
  readonly unit: string;
  readonly note: string | null;
}

/**
 * The verdict of an interval of change against ±bound, on a scale where 0 is no change: a
 * regression only when the whole interval lies beyond the bound, an improvement when it lies
 * beyond it the other way, within threshold or no change when it lies inside (around zero or
 * not), inconclusive otherwise.
 */
export function classify(low: number, high: number, bound: number): Verdict {
  if (low > bound) return 'regression';
  if (high < -bound) return 'improvement';
  if (low >= -bound && high <= bound) return low > 0 || high < 0 ? 'within-threshold' : 'no-change';
  return 'inconclusive';
}

/** The verdict from a shift on the log scale, with the smallest change it could have detected. */
export function judge(
  shift: ShiftEstimate,
  threshold: number,
): { verdict: Verdict; detectable: number | null; significant: boolean } {
  const bound = Math.log1p(threshold);
  const verdict = classify(shift.low, shift.high, bound);
  const halfWidth = (shift.high - shift.low) / 2;
  const detectable =
    verdict === 'inconclusive' && Number.isFinite(halfWidth) ? Math.expm1(bound + halfWidth) : null;
  return { verdict, detectable, significant: shift.low > 0 || shift.high < 0 };
}

/** A log-scale shift as a comparison's ratio, interval and p-value (q until adjusted). */
export function shiftFields(
  shift: ShiftEstimate,
): Pick<Comparison, 'ratio' | 'low' | 'high' | 'p' | 'q'> {
  return {
    ratio: Math.exp(shift.estimate),
    low: Math.exp(shift.low),
    high: Math.exp(shift.high),
    p: shift.p,
    q: shift.p,
  };
}

/** Ids only in the first list, in its order (what a comparison could not pair up). */
export function onlyIn(ids: readonly string[], others: readonly string[]): string[] {
  const seen = new Set(others);
  return ids.filter((id) => !seen.has(id));
}

/**
 * A significant-looking verdict whose adjusted p-value is not small enough becomes inconclusive,
 * and no change is significant then.
 */
export function adjust(comparison: Comparison, q: number, alpha: number): Comparison {
  const decisive = comparison.verdict === 'regression' || comparison.verdict === 'improvement';
  const significant = comparison.significant && q < alpha;
  if (decisive && q >= alpha) {
    return {
      ...comparison,
      q,
      significant,
      verdict: 'inconclusive',
      note: `adjusted p ${q.toPrecision(2)} >= ${alpha} across the suite`,
    };
  }
  return { ...comparison, q, significant };
}
