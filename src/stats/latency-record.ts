import {
  clampMicros,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
} from './histogram.js';

/** A record as a worker sends it: its latencies while they are few, else its histogram. */
export interface LatencyWire {
  readonly samples?: readonly number[];
  readonly histogram?: string;
}

/**
 * How many latencies a name keeps as a plain list before it gets a histogram: 64 numbers take
 * about 0.6 KB, an HDR histogram 9 to 93 KB, and most names of a run with per-id URLs are rare.
 */
const LIST_LIMIT = 64;

/**
 * One request name's latencies in microseconds: a short list while the name is rare, an HDR
 * histogram once it is not. Both give the same figures, since the histogram is built from the
 * list's exact (clamped, whole-microsecond) values.
 */
export class LatencyRecord {
  #list: number[] = [];
  #histogram: Histogram | undefined;

  /**
   * 3 significant digits for latencies; 2 (a histogram a fraction of the size) for phases and a
   * second's figures. `listLimit`: latencies kept as a list before the histogram, 64 for a name's
   * whole run (a list is the smaller while few); a record cleared every second may keep more,
   * since appending to a list costs a tenth of recording into a histogram.
   */
  constructor(
    private readonly digits: 2 | 3 = 3,
    private readonly listLimit = LIST_LIMIT,
  ) {}

  /** Latencies recorded since the last clear. */
  get count(): number {
    return this.#histogram ? this.#histogram.totalCount : this.#list.length;
  }

  record(micros: number): void {
    const value = clampMicros(micros);
    if (this.#histogram) this.#histogram.recordValue(value);
    else {
      this.#list.push(value);
      if (this.#list.length > this.listLimit) this.#grow();
    }
  }

  /** Adds a histogram's counts (a worker's delta). */
  add(histogram: Histogram): void {
    (this.#histogram ?? this.#grow()).add(histogram);
  }

  /**
   * The latencies as a histogram. While they are a list, a new histogram built from it each time
   * (the record stays a list: reading figures once a second must not make every name big).
   */
  get histogram(): Histogram {
    if (this.#histogram) return this.#histogram;
    const histogram = createHistogram(this.digits);
    for (const value of this.#list) histogram.recordValue(value);
    return histogram;
  }

  /** The latencies while they are still a list (a delta sends them as they are), else undefined. */
  get samples(): readonly number[] | undefined {
    return this.#histogram ? undefined : this.#list;
  }

  /** What a worker sends: the list as it is, or the histogram encoded. */
  toWire(): LatencyWire {
    const samples = this.samples;
    return samples ? { samples } : { histogram: encodeHistogram(this.histogram) };
  }

  /** Adds what another record sent (`toWire`). */
  addWire(wire: LatencyWire): void {
    if (wire.samples) for (const micros of wire.samples) this.record(micros);
    else if (wire.histogram) {
      const histogram = decodeHistogram(wire.histogram, this.digits);
      this.add(histogram);
    }
  }

  /** Forgets every latency; `release` drops the histogram too, for a name that went quiet. */
  clear(release: boolean): void {
    this.#list = [];
    if (release) this.#histogram = undefined;
    else this.#histogram?.reset();
  }

  #grow(): Histogram {
    const histogram = this.histogram;
    this.#list = [];
    this.#histogram = histogram;
    return histogram;
  }
}
