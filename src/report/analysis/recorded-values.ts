import { decodeHistogram, type Histogram } from '../../stats/index.js';

/** A histogram bucket: its highest equivalent value in microseconds, and the requests in it. */
export interface RecordedValue {
  readonly us: number;
  readonly count: number;
}

interface Iterable {
  readonly recordedValuesIterator: {
    reset(): void;
    hasNext(): boolean;
    next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
  };
}

/**
 * Every non-empty bucket of a histogram, lowest first. Values are each bucket's highest
 * equivalent value, as `getValueAtPercentile` reports them, so counts above a percentile agree
 * with the percentile. @throws TypeError for a histogram that cannot be iterated (WebAssembly)
 */
export function recordedValues(histogram: Histogram): RecordedValue[] {
  const it = (histogram as unknown as Partial<Iterable>).recordedValuesIterator;
  if (!it) throw new TypeError('the histogram cannot be iterated (not a JavaScript histogram)');
  it.reset();
  const out: RecordedValue[] = [];
  while (it.hasNext()) {
    const v = it.next();
    out.push({ us: v.valueIteratedTo, count: v.countAtValueIteratedTo });
  }
  return out;
}

/** The buckets of an encoded histogram (a result's `histograms.total` or one endpoint's). */
export function decodeValues(encoded: string): RecordedValue[] {
  const histogram = decodeHistogram(encoded);
  try {
    return recordedValues(histogram);
  } finally {
    histogram.destroy();
  }
}

/** Requests recorded above `us` microseconds. */
export function countAbove(values: readonly RecordedValue[], us: number): number {
  let n = 0;
  for (const v of values) if (v.us > us) n += v.count;
  return n;
}
