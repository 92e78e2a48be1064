import type { ShiftEstimate } from './statistics.js';

export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive';

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
 * The verdict from a shift on the log scale: a regression only when the whole interval lies
 * beyond the threshold, an improvement when it lies beyond it the other way, unchanged when it
 * lies within, inconclusive otherwise. `higherIsWorse` is false for figures like rps.
 */
export function judge(
  shift: ShiftEstimate,
  threshold: number,
): { verdict: Verdict; detectable: number | null } {
  const bound = Math.log1p(threshold);
  let verdict: Verdict;
  if (shift.low > bound) verdict = 'regression';
  else if (shift.high < -bound) verdict = 'improvement';
  else if (shift.low >= -bound && shift.high <= bound) verdict = 'unchanged';
  else verdict = 'inconclusive';
  const halfWidth = (shift.high - shift.low) / 2;
  const detectable =
    verdict === 'inconclusive' && Number.isFinite(halfWidth) ? Math.expm1(bound + halfWidth) : null;
  return { verdict, detectable };
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

/** A significant-looking verdict whose adjusted p-value is not small enough becomes inconclusive. */
export function adjust(comparison: Comparison, q: number, alpha: number): Comparison {
  const decisive = comparison.verdict === 'regression' || comparison.verdict === 'improvement';
  if (decisive && q >= alpha) {
    return {
      ...comparison,
      q,
      verdict: 'inconclusive',
      note: `adjusted p ${q.toPrecision(2)} >= ${alpha} across the suite`,
    };
  }
  return { ...comparison, q };
}
