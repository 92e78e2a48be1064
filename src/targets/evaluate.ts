import { formatFigure, meets } from './expression.js';
import { type FigureSource, resolveFigure } from './figures.js';
import type { Target } from './targets-file.js';

export type TargetVerdict = 'pass' | 'fail' | 'unknown';

/** One window in which a target did not hold. */
export interface FailedWindow {
  /** Seconds since the run started. */
  readonly from: number;
  readonly to: number;
  readonly actual: string;
}

/** A target's outcome, as the table, the result JSON and JUnit show it. */
export interface TargetOutcome {
  readonly name: string;
  readonly expression: string;
  /** As written: `< 500ms`. */
  readonly threshold: string;
  /** The figure over the whole run, in the target's unit; null when unknown. */
  readonly actual: string | null;
  readonly value: number | null;
  readonly verdict: TargetVerdict;
  /** What the figure is based on, or why it is unknown, or which windows failed. */
  readonly detail: string;
  /** With --window: how many windows were judged and the ones that failed. */
  readonly windows?: {
    readonly seconds: number;
    readonly judged: number;
    readonly failed: readonly FailedWindow[];
  };
}

/** A window of the run and its figures. */
export interface Window {
  readonly from: number;
  readonly to: number;
  readonly figures: FigureSource;
}

/**
 * Judges each target on the whole run and, when windows are given, in every window too: a
 * target fails when the run misses it or any window does; it is unknown when its figure is.
 */
export function evaluateTargets(
  targets: readonly Target[],
  run: FigureSource,
  windows?: { readonly seconds: number; readonly list: readonly Window[] },
): TargetOutcome[] {
  return targets.map((target) => {
    const { expr } = target;
    const figure = resolveFigure(run, expr.metric);
    const base = { name: target.name, expression: expr.source, threshold: expr.thresholdText };
    if (!figure.known)
      return { ...base, actual: null, value: null, verdict: 'unknown', detail: figure.reason };
    const actual = formatFigure(expr.kind, figure.value);
    let verdict: TargetVerdict = meets(expr.op, figure.value, expr.threshold) ? 'pass' : 'fail';
    let detail = figure.basis;
    if (!windows) return { ...base, actual, value: figure.value, verdict, detail };
    const failed: FailedWindow[] = [];
    let judged = 0;
    for (const w of windows.list) {
      const f = resolveFigure(w.figures, expr.metric);
      // A window without the figure (no requests of that endpoint, say) is not judged.
      if (!f.known) continue;
      judged++;
      if (!meets(expr.op, f.value, expr.threshold))
        failed.push({ from: w.from, to: w.to, actual: formatFigure(expr.kind, f.value) });
    }
    if (failed.length > 0) {
      verdict = 'fail';
      const first = failed[0] as FailedWindow;
      detail = `${failed.length} of ${judged} ${windows.seconds}s windows missed it (first ${first.from}-${first.to}s: ${first.actual}); ${detail}`;
    }
    return {
      ...base,
      actual,
      value: figure.value,
      verdict,
      detail,
      windows: { seconds: windows.seconds, judged, failed },
    };
  });
}

export interface TargetSummary {
  readonly pass: number;
  readonly fail: number;
  readonly unknown: number;
}

/** Whether targets let a run pass: none failed, and none unknown unless `allowUnknown`. */
export function targetsPassed(summary: TargetSummary, allowUnknown: boolean): boolean {
  return summary.fail === 0 && (allowUnknown || summary.unknown === 0);
}

export function summarizeOutcomes(outcomes: readonly TargetOutcome[]): TargetSummary {
  const out = { pass: 0, fail: 0, unknown: 0 };
  for (const o of outcomes) out[o.verdict]++;
  return out;
}
