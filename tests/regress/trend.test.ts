import { describe, expect, it } from 'vitest';
import { type HistoryEntry, trends } from '../../src/regress/index.js';
import { processMedians } from '../helpers/bench-results.js';

function history(levels: number[]): HistoryEntry[] {
  return levels.map((median, i) => ({
    savedAt: `2026-11-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`,
    name: 'main',
    commit: `c${i}`.padEnd(40, '0'),
    medians: { 'suite > x': median },
  }));
}

describe('trend', () => {
  it('flags a creeping regression that no single save crossed the threshold with', () => {
    // +3% a save for ten saves: never 10% at once, 34% in all.
    const creeping = Array.from({ length: 10 }, (_, i) => 1000 * 1.03 ** i);
    const [t] = trends(history(creeping), 0.1);
    expect(t!.flagged).toBe(true);
    expect(t!.drift).toBeGreaterThan(1.2);
  });

  it('finds the save where a step change happened', () => {
    const step = [...processMedians(1, 1000, 0.01, 6), ...processMedians(2, 1250, 0.01, 6)];
    const [t] = trends(history(step), 0.1);
    expect(t!.flagged).toBe(true);
    expect(t!.changePoint!.index).toBe(6);
    expect(t!.changePoint!.ratio).toBeGreaterThan(1.2);
  });

  it('leaves a flat, noisy history alone', () => {
    const [t] = trends(history(processMedians(3, 1000, 0.02, 12)), 0.1);
    expect(t!.flagged).toBe(false);
  });
});
