import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** One hour in microseconds: the longest latency a histogram tracks; longer ones are clamped. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

/**
 * A latency histogram in microseconds, 3 significant digits. It starts small (9 KB) and grows with
 * the largest latency recorded, never past 93 KB (one hour), so memory does not grow with the
 * number of samples: 17 KB when nothing took over 5 ms, 46 KB up to 1 s.
 */
export function createHistogram(significantDigits: 2 | 3 = 3): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: significantDigits,
    bitBucketSize: 32,
    autoResize: true,
  });
}

/** A latency as a histogram records it: whole microseconds, 1 us to one hour. */
export function clampMicros(micros: number): number {
  return micros < 1 ? 1 : micros > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : Math.round(micros);
}

/** Records a latency, clamped into the trackable range (a sub-microsecond reply counts as 1 us). */
export function recordMicros(histogram: Histogram, micros: number): void {
  histogram.recordValue(clampMicros(micros));
}

/** The histogram in HdrHistogram's compressed base64 form, readable by every HDR library. */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string, significantDigits: 2 | 3 = 3): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Decoded histograms are sized to their content and do not grow; copy into the standard shape,
  // which does.
  const histogram = createHistogram(significantDigits);
  histogram.add(decoded);
  decoded.destroy();
  return histogram;
}

/** Latency figures in milliseconds, as every result and report shows them. */
export interface LatencyMs {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

const ms = (micros: number) => Math.round(micros) / 1000;

/** The percentile in milliseconds; 0 for an empty histogram. */
export function percentileMs(histogram: Histogram, percentile: number): number {
  return histogram.totalCount === 0 ? 0 : ms(histogram.getValueAtPercentile(percentile));
}

export function latencyMs(histogram: Histogram): LatencyMs {
  if (histogram.totalCount === 0) {
    return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  }
  return {
    min: ms(histogram.minNonZeroValue),
    mean: ms(histogram.mean),
    p50: percentileMs(histogram, 50),
    p90: percentileMs(histogram, 90),
    p95: percentileMs(histogram, 95),
    p99: percentileMs(histogram, 99),
    p999: percentileMs(histogram, 99.9),
    // The bucket's value rather than the exact maximum, so merged and single histograms agree.
    max: percentileMs(histogram, 100),
  };
}
