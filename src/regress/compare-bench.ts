import type { BenchResult } from '../bench/index.js';
import { median } from '../bench/index.js';
import { hodgesLehmann } from './statistics.js';
import { type Comparison, judge, onlyIn, shiftFields } from './verdict.js';

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
    const judged = judge(shift, threshold);
    // CPU time leaves out waiting that elapsed time includes: the two do not compare.
    const sameClock = then.clock === now.clock;
    const verdict = sameClock ? judged.verdict : 'inconclusive';
    const detectable = sameClock ? judged.detectable : null;
    comparisons.push({
      id: now.id,
      verdict,
      significant: sameClock && judged.significant,
      threshold,
      baseline: median(x),
      current: median(y),
      ...shiftFields(shift),
      detectable,
      unit: `${byProcess ? 'process' : 'iteration sample'} (${x.length} vs ${y.length}), ${now.clock} time`,
      note: !sameClock
        ? `timed with the ${then.clock} clock in the baseline and the ${now.clock} clock now: save a new baseline`
        : byProcess
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
