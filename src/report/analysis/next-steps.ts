import type { AnalysisContext } from './context.js';
import { count } from './format.js';
import { missedTargets, showFigure } from './missed-targets.js';
import type { Finding, MissedTarget, NextStep } from './types.js';

/** A report's list stays short enough to act on. */
export const MAX_NEXT_STEPS = 8;

/** Findings whose step a missed target of this figure already gives. */
const SAME_AS_TARGET: Readonly<Record<string, string>> = {
  'low-cache-hit-rate': 'cache_hit_rate',
  'provider-errors': 'provider_uptime',
};

const DIRECTION = { '<': 'under', '<=': 'to at most', '>': 'above', '>=': 'to at least' } as const;

function targetStep(
  context: AnalysisContext,
  m: MissedTarget,
  findings: readonly Finding[],
): NextStep {
  const from = { kind: 'target', name: m.name } as const;
  const expr = context.targets.find((t) => t.outcome.name === m.name)?.expr ?? null;
  const outcome = context.targets.find((t) => t.outcome.name === m.name)?.outcome;
  const limit = expr
    ? showFigure(expr.kind, expr.threshold)
    : (outcome?.threshold.replace(/^[<>]=?\s*/, '') ?? '');
  const actual =
    expr && m.value !== null ? showFigure(expr.kind, m.value) : (outcome?.actual ?? 'its value');
  const direction = expr ? DIRECTION[expr.op] : 'within';
  const text =
    m.by === null && m.failedWindows > 0
      ? `Keep ${m.name} ${direction} ${limit} in every ${outcome?.windows?.seconds ?? ''} s window (${m.failedWindows} of ${m.judgedWindows} missed it)`
      : `Bring ${m.name} from ${actual} ${direction} ${limit}`;
  const figure = expr?.metric.scope === 'provider' ? 'provider_uptime' : expr?.metric.figure;
  if (expr?.kind === 'latency') {
    const owner = findings.find((f) => f.id === 'tail-ownership');
    const start = owner ? `: start with ${owner.evidence[0]?.text}, which owns the tail` : '';
    return {
      from,
      text: `${text}${start}; profile the service under load`,
      command: 'fiml-perf run --profile',
    };
  }
  switch (figure) {
    case 'cache_hit_rate':
      return { from, text: `${text}: check Redis, TTLs and cache keys`, doc: 'docs/fiml.md#cache' };
    case 'task_completion_rate':
      return {
        from,
        text: `${text}: find why tasks failed or were rejected (a full pool)`,
        doc: 'docs/fiml.md#tasks',
      };
    case 'provider_uptime':
      return {
        from,
        text: `${text}: see which providers failed (/health/providers)`,
        doc: 'docs/fiml.md#providers',
      };
    case 'uptime':
      return { from, text: `${text}: find why health probes failed`, doc: 'docs/targets.md' };
    case 'error_rate':
    case 'failures':
      return { from, text: `${text}: fix the largest groups of failures` };
    case 'rps':
      return {
        from,
        text: `${text}: find the capacity`,
        command: 'fiml-perf stress breakpoint',
        doc: 'docs/stress.md#breakpoint',
      };
    default:
      return { from, text };
  }
}

/**
 * What to do next, in order: when the run is invalid, rerun it properly first; then each missed
 * target; then the critical findings' steps, then the warnings'. A run with nothing to fix is
 * told to become a baseline.
 */
export function nextSteps(context: AnalysisContext, findings: readonly Finding[]): NextStep[] {
  const steps: NextStep[] = [];
  const seen = new Set<string>();
  const add = (step: NextStep) => {
    if (seen.has(step.text) || steps.length >= MAX_NEXT_STEPS) return;
    seen.add(step.text);
    steps.push(step);
  };
  const fromFinding = (f: Finding) => {
    if (f.action) add({ ...f.action, from: { kind: 'finding', id: f.id, severity: f.severity } });
  };
  const saturated = findings.find((f) => f.id === 'generator-saturated');
  if (saturated) fromFinding(saturated);
  const missed = context.result.targets ? missedTargets(context) : [];
  for (const m of missed) add(targetStep(context, m, findings));
  const missedFigures = new Set(
    context.targets
      .filter((t) => t.outcome.verdict === 'fail')
      .map((t) =>
        t.expr?.metric.scope === 'provider' ? 'provider_uptime' : t.expr?.metric.figure,
      ),
  );
  for (const severity of ['critical', 'warning'] as const)
    for (const f of findings)
      if (f.severity === severity && !missedFigures.has(SAME_AS_TARGET[f.id] ?? '')) fromFinding(f);
  if (steps.length === 0) {
    const unknown = context.result.targets?.summary.unknown ?? 0;
    if (unknown > 0)
      add({
        from: { kind: 'run' },
        text: `Make the ${count(unknown)} unknown target${unknown === 1 ? '' : 's'} measurable (service metrics, health path)`,
        doc: 'docs/targets.md',
      });
    add({
      from: { kind: 'run' },
      text: 'Nothing to fix: keep this run as the baseline to compare later runs with',
      command: 'fiml-perf compare BASELINE CURRENT',
      doc: 'docs/regression.md',
    });
  }
  return steps;
}
