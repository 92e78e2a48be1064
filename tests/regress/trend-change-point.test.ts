/**
 * `trend` finds each benchmark's change point from one ranking of its history and the shift by
 * selection (issue 25: the pairwise test at every split took 22 s for 40 benchmarks over a year).
 * It must find what the pairwise test at every split found, to the bit: same split, same p, same
 * ratio, ties included. (Its speed is measured by scripts/trend-speed.ts, not asserted here.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median } from '../../src/bench/index.js';
import { type HistoryEntry, hodgesLehmann, type Trend, trends } from '../../src/regress/index.js';

/** trends() as it was: Hodges-Lehmann and Mann-Whitney from every pairwise difference, per split. */
function pairwise(history: readonly HistoryEntry[], threshold = 0.1, alpha = 0.05): Trend[] {
  const ids = [...new Set(history.flatMap((h) => Object.keys(h.medians)))].sort();
  return ids.map((id) => {
    const points = history
      .filter((h) => typeof h.medians[id] === 'number')
      .map((h) => ({ savedAt: h.savedAt, commit: h.commit, median: h.medians[id] as number }));
    const values = points.map((p) => p.median);
    const window = Math.min(3, Math.floor(values.length / 2));
    const drift = window > 0 ? median(values.slice(-window)) / median(values.slice(0, window)) : 1;
    let changePoint: Trend['changePoint'] = null;
    for (let k = 2; k <= values.length - 2; k++) {
      const shift = hodgesLehmann(values.slice(0, k).map(Math.log), values.slice(k).map(Math.log));
      if (!changePoint || shift.p < changePoint.p)
        changePoint = {
          index: k,
          commit: points[k]?.commit ?? null,
          ratio: Math.exp(shift.estimate),
          p: shift.p,
        };
    }
    if (changePoint && changePoint.p >= alpha) changePoint = null;
    const beyond = (ratio: number) => Math.abs(Math.log(ratio)) > Math.log1p(threshold);
    return {
      id,
      points,
      drift,
      changePoint,
      flagged: beyond(drift) || (changePoint !== null && beyond(changePoint.ratio)),
    };
  });
}

const history = (series: Record<string, number[]>): HistoryEntry[] => {
  const length = Math.max(...Object.values(series).map((s) => s.length));
  return Array.from({ length }, (_, i) => ({
    savedAt: `save ${i}`,
    name: 'main',
    commit: `c${i}`,
    medians: Object.fromEntries(
      Object.entries(series).flatMap(([id, s]) => (i < s.length ? [[id, s[i] as number]] : [])),
    ),
  }));
};

describe('trend: the change point from one ranking is the pairwise one', () => {
  it('on histories with steps, drifts and ties, to the bit', () => {
    // Levels from a few values force ties; a step part-way makes a significant split likely.
    const level = fc.constantFrom(1000, 1000.5, 1001, 1010, 1200, 1234.5678);
    const series = fc
      .tuple(fc.array(level, { minLength: 0, maxLength: 40 }), fc.array(level, { maxLength: 40 }))
      .map(([before, after]) => [...before, ...after.map((v) => v * 1.3)]);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c > d'), series), (medians) => {
        const h = history(medians);
        expect(trends(h)).toEqual(pairwise(h));
      }),
      { numRuns: 300 },
    );
  });

  it('on noisy histories of every length up to 120 saves', () => {
    let seed = 7;
    const noise = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    for (let n = 0; n <= 120; n++) {
      const h = history({
        flat: Array.from({ length: n }, () => 1000 * (1 + (noise() - 0.5) * 0.05)),
        step: Array.from({ length: n }, (_, i) => (i < n / 3 ? 1000 : 1150) * (1 + noise() * 0.02)),
        creep: Array.from({ length: n }, (_, i) => 500 * 1.004 ** i * (1 + noise() * 0.01)),
      });
      expect(trends(h)).toEqual(pairwise(h));
    }
  });
});
