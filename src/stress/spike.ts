import { formatFigure } from '../targets/index.js';
import { runPhase, type StressEnv, type StressOutcome } from './phase.js';
import { SecondSnapshots } from './snapshots.js';

export interface SpikeOptions {
  readonly normalRate: number;
  /** The spike = factor x normal. @default 10 */
  readonly factor: number;
  readonly beforeMs: number;
  readonly spikeMs: number;
  readonly afterMs: number;
  /** Pass when p95 is back within 10% of before the spike within this long. */
  readonly maxRecoveryMs: number;
  /** How long a stretch must be back to normal to count as recovered. @default 5000 */
  readonly settleMs?: number;
}

export interface SpikeSection {
  readonly kind: 'spike';
  readonly normalRate: number;
  readonly spikeRate: number;
  readonly phases: { readonly beforeS: number; readonly spikeS: number; readonly afterS: number };
  readonly before: { readonly p95Ms: number | null; readonly errorRate: number | null };
  readonly peak: {
    readonly p95Ms: number | null;
    readonly atS: number | null;
    readonly errorRate: number;
    readonly failures: number;
  };
  /** Seconds from the end of the spike until p95 was back within 10% of before; null if never. */
  readonly recoveryS: number | null;
  readonly maxRecoveryS: number;
  readonly verdict: 'pass' | 'fail';
}

const rate = (failures: number, requests: number) => (requests === 0 ? null : failures / requests);

/**
 * Spike: normal load, a sudden step to factor x normal, then back. Reports the latency and
 * error peak and the recovery time: seconds from the spike's end until the p95 of a settled
 * stretch (5 s) is back within 10% of the p95 before the spike, and errors are back too.
 */
export async function runSpike(
  env: StressEnv,
  options: SpikeOptions,
): Promise<StressOutcome<SpikeSection>> {
  const normal = options.normalRate;
  const spikeRate = normal * options.factor;
  const { beforeMs, spikeMs, afterMs } = options;
  env.note(
    `Spike: ${normal}/s for ${beforeMs / 1000}s, then ${spikeRate}/s (${options.factor}x) for ${spikeMs / 1000}s, then ${normal}/s for ${afterMs / 1000}s`,
  );
  const snapshots = new SecondSnapshots();
  const step = 1; // ms: a step, not a ramp
  const { result } = await runPhase(
    env,
    {
      type: 'ramping-arrival-rate',
      startRate: normal,
      maxUsers: env.maxUsers,
      stages: [
        { durationMs: beforeMs, target: normal },
        { durationMs: step, target: spikeRate },
        { durationMs: spikeMs - step, target: spikeRate },
        { durationMs: step, target: normal },
        { durationMs: afterMs - step, target: normal },
      ],
    },
    { label: 'spike', onTick: snapshots.onTick },
  );
  const spikeStart = beforeMs / 1000;
  const spikeEnd = (beforeMs + spikeMs) / 1000;
  // Before: skip the first 2 s (connections opening, users starting).
  const baseline = snapshots.stretch(Math.min(2, spikeStart / 2), spikeStart);
  const baselineError = rate(baseline.failures, baseline.requests) ?? 0;
  let peakP95: number | null = null;
  let peakAt: number | null = null;
  let peakErrorRate = 0;
  let spikeFailures = 0;
  for (const row of result.timeseries) {
    if (row.t <= spikeStart || row.t > spikeEnd + 5) continue;
    if (row.requests > 0 && (peakP95 === null || row.p95 > peakP95)) {
      peakP95 = row.p95;
      peakAt = row.t;
    }
    if (row.requests > 0) peakErrorRate = Math.max(peakErrorRate, row.failures / row.requests);
    spikeFailures += row.failures;
  }
  const settle = (options.settleMs ?? 5000) / 1000;
  let recoveryS: number | null = null;
  if (baseline.p95Ms !== null) {
    for (let s = Math.ceil(spikeEnd); s + settle <= snapshots.end + 0.05; s++) {
      const stretch = snapshots.stretch(s, s + settle);
      const errors = rate(stretch.failures, stretch.requests);
      if (
        stretch.p95Ms !== null &&
        stretch.p95Ms <= baseline.p95Ms * 1.1 &&
        errors !== null &&
        errors <= baselineError + 0.01
      ) {
        recoveryS = Math.max(0, s - spikeEnd);
        break;
      }
    }
  }
  const maxRecoveryS = options.maxRecoveryMs / 1000;
  const passed = recoveryS !== null && recoveryS <= maxRecoveryS && !result.interrupted;
  const section: SpikeSection = {
    kind: 'spike',
    normalRate: normal,
    spikeRate,
    phases: { beforeS: spikeStart, spikeS: spikeMs / 1000, afterS: afterMs / 1000 },
    before: { p95Ms: baseline.p95Ms, errorRate: rate(baseline.failures, baseline.requests) },
    peak: { p95Ms: peakP95, atS: peakAt, errorRate: peakErrorRate, failures: spikeFailures },
    recoveryS,
    maxRecoveryS,
    verdict: passed ? 'pass' : 'fail',
  };
  const ms = (v: number | null) => (v === null ? 'n/a' : formatFigure('latency', v));
  return {
    result: { ...result, stress: section },
    passed,
    lines: [
      `Before the spike: p95 ${ms(baseline.p95Ms)}, error rate ${formatFigure('rate', baselineError)}`,
      `Peak: p95 ${ms(peakP95)}${peakAt !== null ? ` at ${peakAt}s` : ''}, error rate up to ${formatFigure('rate', peakErrorRate)} a second, ${spikeFailures} failures`,
      recoveryS === null
        ? `Recovery: p95 never came back within 10% of ${ms(baseline.p95Ms)} for ${settle}s before the end`
        : `Recovery: ${recoveryS}s after the spike (p95 within 10% of before, limit ${maxRecoveryS}s)`,
      `Verdict: ${passed ? 'PASS' : 'FAIL'}`,
    ],
  };
}
