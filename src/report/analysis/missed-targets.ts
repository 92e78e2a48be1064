import type { TargetExpression, TargetOutcome } from '../../targets/index.js';
import type { AnalysisContext } from './context.js';
import { count, ms, pct, perSecond } from './format.js';
import type { MissedTarget } from './types.js';

/** A figure in its target's base unit, as a reader writes it. */
export function showFigure(kind: TargetExpression['kind'], value: number): string {
  switch (kind) {
    case 'latency':
      return ms(value);
    case 'rate':
      return pct(value);
    case 'throughput':
      return perSecond(value);
    case 'count':
      return count(value);
  }
}

function missed(outcome: TargetOutcome, expr: TargetExpression | null): MissedTarget {
  const windows = outcome.windows;
  const failedWindows = windows?.failed.length ?? 0;
  const judgedWindows = windows?.judged ?? 0;
  const base = {
    name: outcome.name,
    expression: outcome.expression,
    value: outcome.value,
    threshold: expr?.threshold ?? null,
    kind: expr?.kind ?? null,
    failedWindows,
    judgedWindows,
  };
  const windowText = (() => {
    const first = windows?.failed[0];
    if (!windows || !first) return '';
    return `in ${failedWindows} of ${judgedWindows} ${windows.seconds} s windows (first ${first.from}-${first.to} s: ${first.actual})`;
  })();
  if (!expr || outcome.value === null)
    return {
      ...base,
      by: null,
      byUnit: null,
      sentence: `${outcome.name} missed its target ${outcome.threshold}${outcome.actual ? ` (${outcome.actual})` : ''}${windowText ? ` ${windowText}` : ''}`,
    };
  const actual = showFigure(expr.kind, outcome.value);
  const limit = showFigure(expr.kind, expr.threshold);
  const above = expr.op === '<' || expr.op === '<=';
  const past = above ? outcome.value - expr.threshold : expr.threshold - outcome.value;
  const wholeRunMissed = past > 0 || (past === 0 && (expr.op === '<' || expr.op === '>'));
  if (!wholeRunMissed)
    return {
      ...base,
      by: null,
      byUnit: null,
      sentence: `${outcome.name} met its ${limit} target over the whole run (${actual}) but missed it ${windowText || 'in a window'}`,
    };
  const points = expr.kind === 'rate';
  const by = points ? past : expr.threshold === 0 ? null : past / Math.abs(expr.threshold);
  const amount =
    by === null
      ? `by ${showFigure(expr.kind, past)}`
      : points
        ? `by ${Number((by * 100).toFixed(by >= 0.1 ? 0 : 1))} points`
        : `by ${Number((by * 100).toFixed(by >= 0.1 ? 0 : 1))}%`;
  return {
    ...base,
    by,
    byUnit: by === null ? null : points ? 'points' : 'relative',
    sentence: `${outcome.name} ${actual} missed its ${limit} target ${amount}`,
  };
}

/** The run's missed targets, each with how far it missed and a sentence saying so. */
export function missedTargets(context: AnalysisContext): MissedTarget[] {
  return context.targets
    .filter((t) => t.outcome.verdict === 'fail')
    .map((t) => missed(t.outcome, t.expr));
}
