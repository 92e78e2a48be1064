import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countAbove, createHistogram, type Histogram } from '../../src/stats/index.js';

/** What the histogram reports for a value: the top of its bucket. */
type Reporting = Histogram & { highestEquivalentValue(value: number): number };

describe('countAbove, the count a percentile past a value rests on', () => {
  it('counts the values whose reported figure is above it, with or without bucket access', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 50_000 }),
        (values, threshold) => {
          const histogram = createHistogram() as Reporting;
          for (const value of values) histogram.recordValue(value);
          const expected = values.filter(
            (v) => histogram.highestEquivalentValue(v) > threshold,
          ).length;
          expect(countAbove(histogram, threshold)).toBe(expected);
          // A histogram that only answers percentiles (hdr-histogram-js's WebAssembly one).
          const bare = {
            totalCount: histogram.totalCount,
            getValueAtPercentile: (p: number) => histogram.getValueAtPercentile(p),
          } as unknown as Histogram;
          expect(countAbove(bare, threshold)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is 0 for an empty histogram', () => {
    expect(countAbove(createHistogram(), 0)).toBe(0);
  });
});
