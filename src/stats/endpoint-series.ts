/**
 * One endpoint's series as the result holds it: columns of equal length, one entry a row, so a
 * chart reads a column as it is and a long run's JSON does not repeat field names a million times.
 */
export interface EndpointSeriesResult {
  /** Seconds a row spans: 1, doubled each time the series was coarsened to stay in its budget. */
  readonly stepS: number;
  /** The first second of the row: its `t` in the aggregate `timeseries`. */
  readonly t: readonly number[];
  readonly requests: readonly number[];
  readonly failures: readonly number[];
  /** Latency in ms from the endpoint's histogram of the second; approximate once coarsened. */
  readonly p50: readonly number[];
  readonly p90: readonly number[];
  readonly p95: readonly number[];
  readonly p99: readonly number[];
  readonly max: readonly number[];
}

/** One second of one endpoint, as the recorder's tick measures it. */
export interface EndpointSecond {
  readonly t: number;
  readonly requests: number;
  readonly failures: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * One endpoint's per-second figures for charts, stored as columns (plain arrays of numbers, about
 * 9 numbers a row). Rows exist only for the seconds the endpoint had requests. `coarsen` doubles
 * the span of a row and merges rows in pairs, so the recorder can hold a run of 1,000 endpoints
 * over hours in a fixed budget; a merged row's percentiles are then only an estimate
 * (request-weighted mean of p50/p90/p95, max of p99/max), which is good enough to draw. Tables and
 * targets never read this: they use the whole-run histograms.
 */
export class EndpointSeries {
  stepS = 1;
  /**
   * The tick (recorder second, counted from 0) each row's slot starts at: a multiple of `stepS`.
   * Slots come from the tick count, not from `t`, which drifts with the timer.
   */
  readonly #slot: number[] = [];
  readonly #t: number[] = [];
  readonly #requests: number[] = [];
  readonly #failures: number[] = [];
  readonly #p50: number[] = [];
  readonly #p90: number[] = [];
  readonly #p95: number[] = [];
  readonly #p99: number[] = [];
  readonly #max: number[] = [];

  get length(): number {
    return this.#t.length;
  }

  /**
   * Adds tick `tick`'s figures: a new row, or (once coarsened) into the last row when that row's
   * slot holds this tick. Returns the rows added, 1 or 0.
   */
  add(tick: number, second: EndpointSecond): number {
    const slot = tick - (tick % this.stepS);
    const last = this.#t.length - 1;
    if (last >= 0 && this.#slot[last] === slot) {
      this.#mergeInto(last, second);
      return 0;
    }
    this.#slot.push(slot);
    this.#t.push(second.t);
    this.#requests.push(second.requests);
    this.#failures.push(second.failures);
    this.#p50.push(second.p50);
    this.#p90.push(second.p90);
    this.#p95.push(second.p95);
    this.#p99.push(second.p99);
    this.#max.push(second.max);
    return 1;
  }

  /**
   * Doubles `stepS`: rows whose slots fall in the same wider slot become one. A series with a row
   * every second halves; a sparse one shrinks less. Returns the rows removed.
   */
  coarsen(): number {
    const step = this.stepS * 2;
    const before = this.#t.length;
    let w = -1;
    for (let r = 0; r < before; r++) {
      const slot = (this.#slot[r] as number) - ((this.#slot[r] as number) % step);
      if (w >= 0 && this.#slot[w] === slot) {
        this.#mergeInto(w, this.#row(r));
        continue;
      }
      w++;
      this.#slot[w] = slot;
      if (w !== r) this.#copy(r, w);
    }
    for (const column of this.#columns()) column.length = w + 1;
    this.stepS = step;
    return before - (w + 1);
  }

  /**
   * Drops the rows of the ticks from `tick` on (what a run could not see: a distributed run that
   * lost its Redis). A coarsened row that starts before `tick` stays.
   */
  dropFrom(tick: number): void {
    let keep = this.#t.length;
    while (keep > 0 && (this.#slot[keep - 1] as number) >= tick) keep--;
    for (const column of this.#columns()) column.length = keep;
  }

  /** The series as the result holds it; the columns are this series' own arrays, not copies. */
  result(): EndpointSeriesResult {
    return {
      stepS: this.stepS,
      t: this.#t,
      requests: this.#requests,
      failures: this.#failures,
      p50: this.#p50,
      p90: this.#p90,
      p95: this.#p95,
      p99: this.#p99,
      max: this.#max,
    };
  }

  #columns(): number[][] {
    return [
      this.#slot,
      this.#t,
      this.#requests,
      this.#failures,
      this.#p50,
      this.#p90,
      this.#p95,
      this.#p99,
      this.#max,
    ];
  }

  #row(i: number): EndpointSecond {
    return {
      t: this.#t[i] as number,
      requests: this.#requests[i] as number,
      failures: this.#failures[i] as number,
      p50: this.#p50[i] as number,
      p90: this.#p90[i] as number,
      p95: this.#p95[i] as number,
      p99: this.#p99[i] as number,
      max: this.#max[i] as number,
    };
  }

  #copy(from: number, to: number): void {
    for (const column of this.#columns()) if (column !== this.#slot) column[to] = column[from]!;
  }

  /**
   * Adds a later row into row `i`, keeping `i`'s `t`. The histograms behind the two rows are gone,
   * so the percentiles are estimated: p50, p90 and p95 as the mean weighted by requests (a chart's
   * line through the middle stays where the traffic was), p99 and max as the larger (a spike in
   * the tail must not be averaged away).
   */
  #mergeInto(i: number, later: EndpointSecond): void {
    const a = this.#requests[i] as number;
    const b = later.requests;
    const total = a + b;
    const mean = (x: number, y: number) => (total === 0 ? x : roundMs((x * a + y * b) / total));
    this.#p50[i] = mean(this.#p50[i] as number, later.p50);
    this.#p90[i] = mean(this.#p90[i] as number, later.p90);
    this.#p95[i] = mean(this.#p95[i] as number, later.p95);
    this.#p99[i] = Math.max(this.#p99[i] as number, later.p99);
    this.#max[i] = Math.max(this.#max[i] as number, later.max);
    this.#requests[i] = total;
    this.#failures[i] = (this.#failures[i] as number) + later.failures;
  }
}
