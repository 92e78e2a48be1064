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

/** What every histogram built here has (hdr-histogram-js's JsHistogram), though its type omits it. */
interface Buckets {
  readonly countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
}

const hasBuckets = (histogram: object): histogram is Buckets =>
  typeof (histogram as Partial<Buckets>).getCountAtIndex === 'function' &&
  typeof (histogram as Partial<Buckets>).valueFromIndex === 'function' &&
  typeof (histogram as Partial<Buckets>).highestEquivalentValue === 'function';

/** The count a percentile falls at, as HdrHistogram rounds it (up, with 1 ulp of slack). */
function rankAt(percentile: number, count: number): number {
  const fp = (Math.min(percentile, 100) / 100) * count;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.min(Math.max(Math.ceil(fp - ulp), 1), count);
}

/**
 * `percentileMs` of each percentile (ascending, each above 0) in one walk of the buckets instead
 * of one walk each: a thousand endpoints' five figures a second took 14 ms a tick the other way.
 * Falls back to `percentileMs` for a histogram without the bucket methods.
 */
export function percentilesMs(histogram: Histogram, percentiles: readonly number[]): number[] {
  if (histogram.totalCount === 0) return percentiles.map(() => 0);
  if (!hasBuckets(histogram)) return percentiles.map((p) => percentileMs(histogram, p));
  const out: number[] = [];
  let next = rankAt(percentiles[0] as number, histogram.totalCount);
  let seen = 0;
  for (let i = 0; i < histogram.countsArrayLength && out.length < percentiles.length; i++) {
    seen += histogram.getCountAtIndex(i);
    while (seen >= next && out.length < percentiles.length) {
      out.push(ms(histogram.highestEquivalentValue(histogram.valueFromIndex(i))));
      const p = percentiles[out.length];
      if (p !== undefined) next = rankAt(p, histogram.totalCount);
    }
  }
  return out;
}

/**
 * How many recorded values are above `micros`, each value taken as the histogram reports it (the
 * top of its bucket, as percentiles are): the count a percentile past `micros` rests on.
 */
export function countAbove(histogram: Histogram, micros: number): number {
  const total = histogram.totalCount;
  if (total === 0) return 0;
  if (!hasBuckets(histogram)) {
    // The lowest rank whose value is above `micros`, by bisection over the ranks.
    let low = 1;
    let high = total + 1;
    while (low < high) {
      const rank = Math.floor((low + high) / 2);
      if (histogram.getValueAtPercentile((rank / total) * 100) > micros) high = rank;
      else low = rank + 1;
    }
    return total + 1 - low;
  }
  let above = 0;
  for (let i = histogram.countsArrayLength - 1; i >= 0; i--) {
    const n = histogram.getCountAtIndex(i);
    if (n === 0) continue;
    if (histogram.highestEquivalentValue(histogram.valueFromIndex(i)) <= micros) break;
    above += n;
  }
  return above;
}

/**
 * The top of the bucket a value falls in, in a histogram of `significantDigits` (1 us units): what
 * the histogram reports for it. Buckets below `2^ceil(log2(2 * 10^digits))` hold one value each;
 * above, each power of two halves the resolution (HdrHistogram's layout).
 */
function bucketTop(micros: number, significantDigits: 2 | 3): number {
  // log2 of the sub-bucket count, ceil(log2(2 * 10^digits)), less one.
  const halfMagnitude = significantDigits === 2 ? 7 : 10;
  // floor(log2) of a whole number under 2^32 (the longest latency, one hour, is 3.6e9 us).
  const bucket = 31 - Math.clz32(micros) - halfMagnitude;
  if (bucket <= 0) return micros;
  const width = 2 ** bucket;
  return (Math.floor(micros / width) + 1) * width - 1;
}

/**
 * `percentileMs` of a histogram of `significantDigits` holding exactly these latencies (whole
 * microseconds, sorted ascending), without building it: for a few values, filling a histogram and
 * walking its thousand buckets per percentile costs a hundred times more. Same rank rule as
 * HdrHistogram (the count at the percentile rounded up, 1 ulp of slack), so the figure is the same.
 */
export function sortedPercentileMs(
  sorted: ArrayLike<number>,
  percentile: number,
  significantDigits: 2 | 3 = 3,
): number {
  if (sorted.length === 0) return 0;
  return ms(bucketTop(sorted[rankAt(percentile, sorted.length) - 1] as number, significantDigits));
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
