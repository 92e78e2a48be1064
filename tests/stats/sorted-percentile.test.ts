import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clampMicros,
  createHistogram,
  HIGHEST_TRACKABLE_US,
  percentileMs,
  percentilesMs,
  sortedPercentileMs,
} from '../../src/stats/index.js';

const PERCENTILES = [1, 50, 66.6, 90, 95, 99, 99.9, 100];

const latencies = (maxLength: number) =>
  fc.array(
    fc.oneof(
      // Either side of the bucket boundaries of both layouts.
      fc.constantFrom(127, 128, 255, 256, 257, 511, 512, 2047, 2048, 2049, 4095, 4096),
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 1, max: HIGHEST_TRACKABLE_US }),
    ),
    { minLength: 1, maxLength },
  );

describe('percentiles of a short sorted list', () => {
  it.each([2, 3] as const)(
    'are what a %i-digit histogram of the same latencies reports',
    (digits) => {
      fc.assert(
        fc.property(latencies(64), (values) => {
          const micros = values.map(clampMicros);
          const histogram = createHistogram(digits);
          for (const value of micros) histogram.recordValue(value);
          const sorted = Float64Array.from(micros).sort();
          for (const p of PERCENTILES)
            expect(sortedPercentileMs(sorted, p, digits)).toBe(percentileMs(histogram, p));
        }),
        { numRuns: 300 },
      );
    },
  );

  it('is 0 for no latencies, as an empty histogram', () => {
    expect(sortedPercentileMs(new Float64Array(0), 99)).toBe(0);
  });
});

describe('several percentiles in one walk of a histogram', () => {
  it.each([2, 3] as const)('are what percentileMs gives one by one (%i digits)', (digits) => {
    fc.assert(
      fc.property(latencies(500), (values) => {
        const histogram = createHistogram(digits);
        for (const value of values) histogram.recordValue(clampMicros(value));
        expect(percentilesMs(histogram, PERCENTILES)).toEqual(
          PERCENTILES.map((p) => percentileMs(histogram, p)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('gives zeros for an empty histogram', () => {
    expect(percentilesMs(createHistogram(2), [50, 99])).toEqual([0, 0]);
  });
});
