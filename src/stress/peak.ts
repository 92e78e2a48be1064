import { formatFigure, targetFromFlag } from '../targets/index.js';
import { runPhase, type StressEnv, type StressOutcome } from './phase.js';

export interface PeakOptions {
  /** Normal load, iterations a second. */
  readonly normalRate: number;
  /** Peak = factor x normal. @default 2 */
  readonly factor: number;
  readonly durationMs: number;
  /** Pass criteria. @default 0.05 and 1000 */
  readonly maxErrorRate: number;
  readonly maxP95Ms: number;
}

export interface PeakSection {
  readonly kind: 'peak';
  readonly normalRate: number;
  readonly rate: number;
  readonly criteria: { readonly maxErrorRate: number; readonly maxP95Ms: number };
  readonly errorRate: number | null;
  readonly p95Ms: number | null;
  readonly verdict: 'pass' | 'fail';
}

/** Peak: `factor` x the normal arrival rate for a while; passes with few errors and a low p95. */
export async function runPeak(
  env: StressEnv,
  options: PeakOptions,
): Promise<StressOutcome<PeakSection>> {
  const rate = options.normalRate * options.factor;
  env.note(
    `Peak: ${rate}/s (${options.factor}x normal ${options.normalRate}/s) for ${options.durationMs / 1000}s`,
  );
  const targets = [
    targetFromFlag(
      `error_rate < ${options.maxErrorRate}`,
      `error rate under ${formatFigure('rate', options.maxErrorRate)}`,
    ),
    targetFromFlag(
      `p95 < ${options.maxP95Ms}ms`,
      `p95 under ${formatFigure('latency', options.maxP95Ms)}`,
    ),
  ];
  const { result } = await runPhase(
    env,
    { type: 'constant-arrival-rate', rate, durationMs: options.durationMs, maxUsers: env.maxUsers },
    { targets, label: 'peak' },
  );
  const [errors, p95] = result.targets.outcomes;
  const passed = result.targets.summary.pass === 2;
  const section: PeakSection = {
    kind: 'peak',
    normalRate: options.normalRate,
    rate,
    criteria: { maxErrorRate: options.maxErrorRate, maxP95Ms: options.maxP95Ms },
    errorRate: errors?.value ?? null,
    p95Ms: p95?.value ?? null,
    verdict: passed ? 'pass' : 'fail',
  };
  return {
    result: { ...result, stress: section },
    passed,
    lines: [
      `Peak ${rate}/s: error rate ${errors?.actual ?? 'unknown'} (limit ${formatFigure('rate', options.maxErrorRate)}), p95 ${p95?.actual ?? 'unknown'} (limit ${formatFigure('latency', options.maxP95Ms)}), ${result.totals.rps} requests/s`,
      `Verdict: ${passed ? 'PASS' : 'FAIL'}`,
    ],
  };
}
