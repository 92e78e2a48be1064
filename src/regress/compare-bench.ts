import type { BenchResult } from '../bench/index.js';
import { median } from '../bench/index.js';
import { hodgesLehmann } from './statistics.js';
import { type Comparison, judge, onlyIn } from './verdict.js';

/** Process medians are the unit of sample when both runs have at least this many processes. */
const MIN_PROCESSES = 3;

/** Compares every benchmark present in both runs. */
export function compareBenchmarks(
  baseline: BenchResult,
  current: BenchResult,
  thresholdOverride: number | undefined,
): { comparisons: Comparison[]; onlyBaseline: string[]; onlyCurrent: string[] } {
  const before = new Map(baseline.benchmarks.map((b) => [b.id, b]));
  const comparisons: Comparison[] = [];
  for (const now of current.benchmarks) {
    const then = before.get(now.id);
    if (!then) continue;
    const byProcess =
      then.processMedians.length >= MIN_PROCESSES && now.processMedians.length >= MIN_PROCESSES;
    const x = byProcess ? then.processMedians : then.samples;
    const y = byProcess ? now.processMedians : now.samples;
    const shift = hodgesLehmann(x.map(Math.log), y.map(Math.log));
    const threshold = thresholdOverride ?? now.threshold;
    const { verdict, detectable } = judge(shift, threshold);
    comparisons.push({
      id: now.id,
      verdict,
      threshold,
      baseline: median(x),
      current: median(y),
      ratio: Math.exp(shift.estimate),
      low: Math.exp(shift.low),
      high: Math.exp(shift.high),
      p: shift.p,
      q: shift.p,
      detectable,
      unit: byProcess
        ? `process (${x.length} vs ${y.length})`
        : `iteration sample (${x.length} vs ${y.length})`,
      note: byProcess
        ? null
        : `fewer than ${MIN_PROCESSES} processes per run: iteration samples understate the variation between processes; use --processes 5`,
    });
  }
  const baselineIds = baseline.benchmarks.map((b) => b.id);
  const currentIds = current.benchmarks.map((b) => b.id);
  return {
    comparisons,
    onlyBaseline: onlyIn(baselineIds, currentIds),
    onlyCurrent: onlyIn(currentIds, baselineIds),
  };
}
