import type { Stage } from '../load/index.js';
import { evaluateTargets, type Target, targetFromFlag } from '../targets/index.js';
import { runPhase, type StressEnv, type StressOutcome } from './phase.js';

export interface BreakpointOptions {
  readonly startRate: number;
  readonly stepRate: number;
  readonly stepMs: number;
  readonly maxRate: number;
  /** What must hold at each step. @default p95 < 1s and error_rate < 5% */
  readonly targets?: readonly Target[];
  /** The verdict passes when the service sustains at least this rate. */
  readonly expectRate: number;
}

export interface BreakpointSection {
  readonly kind: 'breakpoint';
  readonly steps: readonly {
    readonly rate: number;
    readonly achievedRps: number;
    readonly held: boolean;
    readonly failed: readonly { readonly target: string; readonly actual: string | null }[];
  }[];
  /** The highest step rate at which every target held; null when the first step broke. */
  readonly sustainableRate: number | null;
  readonly brokeAt: number | null;
  /** The targets that broke first, with their figures. */
  readonly brokeBy: readonly { readonly target: string; readonly actual: string | null }[];
  readonly generatorSaturated: boolean;
  readonly expectRate: number;
  readonly verdict: 'pass' | 'fail';
}

export const DEFAULT_BREAKPOINT_TARGETS = ['p95 < 1s', 'error_rate < 5%'];

/**
 * Breakpoint (capacity search): raises the arrival rate step by step; each step is a window in
 * which every target must hold. Stops at the first step that breaks one; reports the highest
 * sustainable rate and what broke first.
 */
export async function runBreakpoint(
  env: StressEnv,
  options: BreakpointOptions,
): Promise<StressOutcome<BreakpointSection>> {
  const rates: number[] = [];
  for (let r = options.startRate; r <= options.maxRate + 1e-9; r += options.stepRate) rates.push(r);
  const targets = options.targets ?? DEFAULT_BREAKPOINT_TARGETS.map((e) => targetFromFlag(e));
  env.note(
    `Breakpoint: ${rates[0]}/s up by ${options.stepRate}/s every ${options.stepMs / 1000}s to ${rates.at(-1)}/s, until ${targets.map((t) => t.expr.source).join(' or ')} breaks`,
  );
  const stages: Stage[] = rates.flatMap((rate) => [
    { durationMs: 1, target: rate },
    { durationMs: options.stepMs - 1, target: rate },
  ]);
  const { result, session } = await runPhase(
    env,
    { type: 'ramping-arrival-rate', startRate: rates[0] ?? 0, stages, maxUsers: env.maxUsers },
    {
      label: 'breakpoint',
      targets,
      windowMs: options.stepMs,
      abortOnFail: true,
      abortDelayMs: Number.MAX_SAFE_INTEGER,
    },
  );
  const steps: BreakpointSection['steps'][number][] = [];
  for (const w of session.windows) {
    // Windows close on the run's one-second ticks: the step is the one at the window's middle.
    const rate = rates[Math.floor((w.from + w.to) / 2 / (options.stepMs / 1000))];
    if (rate === undefined || steps.some((s) => s.rate === rate)) continue;
    const outcomes = evaluateTargets(targets, w.figures);
    const failed = outcomes
      .filter((o) => o.verdict === 'fail')
      .map((o) => ({ target: o.expression, actual: o.actual }));
    steps.push({
      rate,
      achievedRps:
        Math.round((w.figures.run.requests / Math.max(w.figures.run.seconds, 1e-3)) * 10) / 10,
      held: failed.length === 0,
      failed,
    });
  }
  const broken = steps.find((s) => !s.held);
  const held = steps.filter((s) => s.held && (broken === undefined || s.rate < broken.rate));
  const sustainableRate = held.at(-1)?.rate ?? null;
  const passed = sustainableRate !== null && sustainableRate >= options.expectRate;
  const section: BreakpointSection = {
    kind: 'breakpoint',
    steps,
    sustainableRate,
    brokeAt: broken?.rate ?? null,
    brokeBy: broken?.failed ?? [],
    generatorSaturated: result.generator.saturated,
    expectRate: options.expectRate,
    verdict: passed ? 'pass' : 'fail',
  };
  const lines = steps.map(
    (s) =>
      `  ${String(s.rate).padStart(6)}/s  ${String(s.achievedRps).padStart(7)} requests/s  ${s.held ? 'held' : `BROKE: ${s.failed.map((f) => `${f.target} (${f.actual})`).join(', ')}`}`,
  );
  return {
    result: { ...result, stress: section },
    passed,
    lines: [
      'Steps:',
      ...lines,
      broken
        ? `Highest sustainable rate: ${sustainableRate ?? 'none'}/s; broke at ${broken.rate}/s first by ${broken.failed.map((f) => `${f.target} (${f.actual})`).join(', ')}`
        : `Every step held up to ${steps.at(-1)?.rate ?? 0}/s: the breakpoint is above --max-rate`,
      result.generator.saturated
        ? `WARNING: the load generator saturated (${result.generator.reasons.join('; ')}): the figure is a lower bound of the service's capacity; add --workers`
        : '',
      `Verdict: ${passed ? 'PASS' : 'FAIL'} (expected at least ${options.expectRate}/s)`,
    ].filter(Boolean),
  };
}
