import { DEFAULT_MAX_NAMES, OTHER_NAMES } from '../names.js';
import { DistinctCounter } from './distinct-count.js';
import {
  type EndpointSecond,
  EndpointSeries,
  type EndpointSeriesResult,
} from './endpoint-series.js';
import { type ErrorGroup, ErrorTable, type Failure } from './errors.js';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentileMs,
  percentilesMs,
  recordMicros,
  sortedPercentileMs,
} from './histogram.js';
import { LatencyRecord } from './latency-record.js';
import { PhaseRecord, type Phases, type PhaseWire } from './phases.js';

/** Where requests are recorded: the run's recorder in one process, a delta in a worker. */
export interface RequestSink {
  /**
   * One finished request: latency in microseconds, response bytes, its failure if any, and where
   * its time went when a response arrived.
   */
  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
  ): void;
  /** An error that is not a request, such as a task that threw. */
  error(method: string, name: string, failure: Failure): void;
}

/** Counts and a histogram for one request name (and method). */
export interface EndpointStats {
  readonly method: string;
  readonly name: string;
  requests: number;
  failures: number;
  bytes: number;
  readonly histogram: Histogram;
  /** Where its time went, once a request with a response reported phases. */
  readonly phases: PhaseRecord | undefined;
  /** Its figures second by second (the run's recorder only; empty before its first tick). */
  readonly series: EndpointSeriesResult;
}

/** What a worker sends every second: what happened since the last delta. */
export interface StatsDelta {
  readonly endpoints: ReadonlyArray<{
    method: string;
    name: string;
    requests: number;
    failures: number;
    bytes: number;
    /** The latencies encoded as a histogram, or (for a rarely used name) as they are. */
    histogram?: string;
    samples?: readonly number[];
    phases?: PhaseWire;
  }>;
  readonly errors: readonly ErrorGroup[];
  /** The distinct-count registers of the names past the cap, when they changed. */
  readonly overflowNames?: string;
}

/** One second of a run. Latency in milliseconds, from the requests that ended in that second. */
export interface SecondRow {
  /** Seconds since the run started. */
  readonly t: number;
  readonly timestamp: number;
  readonly users: number;
  readonly requests: number;
  readonly failures: number;
  readonly rps: number;
  readonly p50: number;
  readonly p66: number;
  readonly p75: number;
  readonly p80: number;
  readonly p90: number;
  readonly p95: number;
  readonly p98: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
  /** Connections opened in that second. */
  readonly newConnections: number;
  /** Open model: iterations the schedule could not start in that second (every user busy). */
  readonly dropped?: number;
  /** Steered open model: the rate asked for in that second (other executors' rate is in the config). */
  readonly intended?: number;
  readonly totalRequests: number;
  readonly totalFailures: number;
}

export interface RecorderOptions {
  /** Distinct `METHOD name` pairs recorded before new ones go to `OTHER_NAMES`. @default 1000 */
  readonly maxNames?: number;
  /**
   * Called once, when the first request goes to `OTHER_NAMES`, with the names recorded (the
   * cap's worth): workers are told to keep exactly these (`DeltaRecorder.restrict`).
   */
  readonly onOverflow?: (
    maxNames: number,
    recorded: ReadonlyArray<readonly [string, string]>,
  ) => void;
  /**
   * Rows of the per-endpoint series kept over all endpoints; past it the longest series is
   * coarsened (its rows merged in pairs) until the total fits. @default 200,000 (about 13 MB)
   */
  readonly maxSeriesRows?: number;
}

/** How the name cap was used: names recorded, and what went past it. */
export interface NameCounts {
  readonly max: number;
  /** Distinct names recorded under their own name. */
  readonly recorded: number;
  /** Estimated distinct names past the cap (1.6% standard error), recorded as `OTHER_NAMES`. */
  readonly overflowNames: number;
  readonly overflowRequests: number;
}

/**
 * Latencies of a second kept as a list: 8 KB, the size of the histogram after it, and a tenth of
 * its cost a request (the tick sorts the list once instead).
 */
const SECOND_LIST_LIMIT = 1024;

/** An endpoint with no series yet: it had no requests at a tick. */
const NO_SERIES: EndpointSeriesResult = Object.freeze({
  stepS: 1,
  t: [],
  requests: [],
  failures: [],
  p50: [],
  p90: [],
  p95: [],
  p99: [],
  max: [],
});

class Endpoint implements EndpointStats {
  requests = 0;
  failures = 0;
  bytes = 0;
  readonly latency = new LatencyRecord();
  phases: PhaseRecord | undefined;
  /**
   * The run's recorder only (a worker's delta is already one second): the latencies, requests
   * and failures of the current second, for its row of the series. Undefined while the endpoint
   * is quiet, so a rare endpoint holds nothing between its seconds.
   */
  second: LatencyRecord | undefined;
  secondRequests = 0;
  secondFailures = 0;
  timeline: EndpointSeries | undefined;

  /**
   * The current second's latencies, made when a request arrives: a list, then a histogram of two
   * significant digits, since the row is drawn, not tabled (8 KB where three digits take 46).
   */
  secondRecord(): LatencyRecord {
    this.second ??= new LatencyRecord(2, SECOND_LIST_LIMIT);
    return this.second;
  }

  /** One finished request, in the figures kept for the whole run. */
  count(micros: number, bytes: number, failed: boolean, phases: Phases | undefined): void {
    this.requests++;
    this.bytes += bytes;
    this.latency.record(micros);
    if (failed) this.failures++;
    if (phases) this.phaseRecord().record(phases);
  }

  /** Its phase record, made when the first request with phases arrives. */
  phaseRecord(): PhaseRecord {
    this.phases ??= new PhaseRecord();
    return this.phases;
  }

  constructor(
    readonly method: string,
    readonly name: string,
  ) {}

  get histogram(): Histogram {
    return this.latency.histogram;
  }

  get series(): EndpointSeriesResult {
    return this.timeline?.result() ?? NO_SERIES;
  }
}

/**
 * Endpoint stats by method, then name (no key string is built per request), with at most
 * `maxNames` names: a run with per-id URLs stays the size of its cap. A worker's table has no cap
 * of its own (the run's table decides which names are recorded) until it is told the names to
 * keep (`restrict`); until then it forgets the names that were quiet for a delta.
 */
class EndpointTable {
  readonly #byMethod = new Map<string, Map<string, Endpoint>>();
  readonly #overflow: Endpoint[] = [];
  #names = 0;
  /** The names a worker keeps, once the run's table is full. */
  #allowed: Map<string, Set<string>> | undefined;
  readonly overflowNames = new DistinctCounter();
  readonly maxNames: number;
  readonly #onOverflow: RecorderOptions['onOverflow'];

  constructor(options: RecorderOptions) {
    this.maxNames = options.maxNames ?? DEFAULT_MAX_NAMES;
    this.#onOverflow = options.onOverflow;
  }

  get(method: string, name: string): Endpoint {
    let byName = this.#byMethod.get(method);
    if (!byName) {
      byName = new Map();
      this.#byMethod.set(method, byName);
    }
    const found = byName.get(name);
    if (found) return found;
    if (name !== OTHER_NAMES && this.#accepts(method, name)) {
      this.#names++;
      const stats = new Endpoint(method, name);
      byName.set(name, stats);
      return stats;
    }
    if (name !== OTHER_NAMES) this.overflowNames.add(name, method);
    let other = byName.get(OTHER_NAMES);
    if (!other) {
      other = new Endpoint(method, OTHER_NAMES);
      byName.set(OTHER_NAMES, other);
      this.#overflow.push(other);
      if (this.#overflow.length === 1) this.#onOverflow?.(this.maxNames, this.recorded());
    }
    return other;
  }

  #accepts(method: string, name: string): boolean {
    if (this.#allowed) return this.#allowed.get(method)?.has(name) === true;
    return this.#names < this.maxNames;
  }

  /** The name a request's error is grouped under: its own, or `OTHER_NAMES` past the cap. */
  nameFor(method: string, name: string): string {
    if (name === OTHER_NAMES || this.#byMethod.get(method)?.has(name)) return name;
    return this.#accepts(method, name) ? name : OTHER_NAMES;
  }

  /** Every name recorded under its own name, as `[method, name]`. */
  recorded(): Array<readonly [string, string]> {
    return [...this.values()].filter((e) => e.name !== OTHER_NAMES).map((e) => [e.method, e.name]);
  }

  /** From now on, record only these names; everything else goes to `OTHER_NAMES`. */
  restrict(names: ReadonlyArray<readonly [string, string]>): void {
    this.#allowed = new Map();
    for (const [method, name] of names) {
      let set = this.#allowed.get(method);
      if (!set) {
        set = new Set();
        this.#allowed.set(method, set);
      }
      set.add(name);
    }
  }

  /** After a delta: forgets every name (before `restrict`), or the names it excludes. */
  prune(): void {
    if (!this.#allowed) {
      this.#byMethod.clear();
      this.#names = 0;
      return;
    }
    for (const [method, byName] of this.#byMethod)
      for (const name of byName.keys())
        if (name !== OTHER_NAMES && !this.#accepts(method, name)) {
          byName.delete(name);
          this.#names--;
        }
  }

  *values(): Iterable<Endpoint> {
    for (const byName of this.#byMethod.values()) yield* byName.values();
  }

  counts(): NameCounts {
    return {
      max: this.maxNames,
      recorded: this.#names,
      overflowNames: this.#overflow.length === 0 ? 0 : this.overflowNames.estimate,
      overflowRequests: this.#overflow.reduce((sum, e) => sum + e.requests, 0),
    };
  }
}

/** The most per-second rows kept in memory; a day of seconds is about 10 MB. */
const MAX_ROWS = 86_400;

/**
 * Rows of per-endpoint series over all endpoints: 1,000 endpoints keep 200 rows each (a 1 h run
 * at a row per 16 to 32 s), 10 endpoints a row a second for 5.5 h. At the budget, 12.5 MB of heap
 * and 9 MB of JSON; a row a second for 1,000 endpoints over an hour would be 311 MB and 155 MB
 * (docs/performance.md, "Per-endpoint series").
 */
const MAX_SERIES_ROWS = 200_000;

/**
 * The run's statistics: per-endpoint and total HDR histograms, errors by kind, a per-second
 * series, and a series per endpoint for charts. Memory is bounded per endpoint and endpoints are
 * capped (`maxNames`); the endpoints' series share a budget of rows (`maxSeriesRows`); only the
 * per-second rows grow, by one small row a second.
 */
export class StatsRecorder implements RequestSink {
  private table: EndpointTable;
  readonly total = createHistogram();
  readonly errors = new ErrorTable();
  readonly series: SecondRow[] = [];
  /** Where the time of every request went, once one reported phases. */
  phases: PhaseRecord | undefined;
  requests = 0;
  failures = 0;
  bytes = 0;
  private readonly interval = createHistogram();
  private intervalRequests = 0;
  private intervalFailures = 0;
  private intervalConnections = 0;
  private lastTick: number;
  /** Ticks so far: the slot of a series row. */
  #ticks = 0;
  #timelines: EndpointSeries[] = [];
  #seriesRows = 0;
  readonly #maxSeriesRows: number;
  readonly #options: RecorderOptions;
  /** When the whole-run figures were last started again (`reset`), if ever. */
  resetAt: number | undefined;
  /** Each endpoint's row of the second the last tick closed, keyed by `METHOD name`. */
  #lastSeconds = new Map<string, EndpointSecond>();

  constructor(
    readonly startedAt: number = Date.now(),
    options: RecorderOptions = {},
  ) {
    this.lastTick = startedAt;
    this.#options = options;
    this.table = new EndpointTable(options);
    this.#maxSeriesRows = options.maxSeriesRows ?? MAX_SERIES_ROWS;
  }

  /** Every endpoint seen, keyed by `METHOD name`. */
  get endpoints(): Map<string, EndpointStats> {
    return new Map([...this.table.values()].map((s) => [`${s.method} ${s.name}`, s]));
  }

  /** How many names were recorded, and what went past the cap. */
  get names(): NameCounts {
    return this.table.counts();
  }

  /** Each endpoint's figures in the second the last tick closed (the live UI's lines). */
  get lastSeconds(): ReadonlyMap<string, EndpointSecond> {
    return this.#lastSeconds;
  }

  /**
   * Starts the whole-run figures again, as Locust's "reset stats" does: endpoints, their series,
   * totals, errors and phases. The per-second rows go on (their totals count from here), so a
   * chart of the run keeps its history; `resetAt` says when, for rates over what was kept.
   */
  reset(now: number = Date.now()): void {
    this.table = new EndpointTable(this.#options);
    this.total.reset();
    this.errors.clear();
    this.phases = undefined;
    this.requests = 0;
    this.failures = 0;
    this.bytes = 0;
    this.#timelines = [];
    this.#seriesRows = 0;
    this.#lastSeconds = new Map();
    this.resetAt = now;
  }

  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
  ): void {
    const stats = this.table.get(method, name);
    stats.count(micros, bytes, failure !== undefined, phases);
    stats.secondRequests++;
    stats.secondRecord().record(micros);
    if (phases) {
      this.#phaseRecord().record(phases);
      if (phases.newConnection) this.intervalConnections++;
    }
    recordMicros(this.total, micros);
    recordMicros(this.interval, micros);
    this.requests++;
    this.intervalRequests++;
    this.bytes += bytes;
    if (failure) {
      stats.secondFailures++;
      this.failures++;
      this.intervalFailures++;
      this.errors.add(method, stats.name, failure);
    }
  }

  error(method: string, name: string, failure: Failure): void {
    this.errors.add(method, name, failure);
  }

  #phaseRecord(): PhaseRecord {
    this.phases ??= new PhaseRecord();
    return this.phases;
  }

  /** Adds a worker's delta; histograms are added bucket by bucket, so the merge is exact. */
  merge(delta: StatsDelta): void {
    for (const d of delta.endpoints) {
      const stats = this.table.get(d.method, d.name);
      const second = stats.secondRecord();
      if (d.samples) {
        for (const micros of d.samples) {
          stats.latency.record(micros);
          second.record(micros);
          recordMicros(this.total, micros);
          recordMicros(this.interval, micros);
        }
      } else if (d.histogram) {
        const histogram = decodeHistogram(d.histogram);
        stats.latency.add(histogram);
        // Into 2 digits from the worker's 3: each count lands in the coarser bucket of its value.
        second.add(histogram);
        this.total.add(histogram);
        this.interval.add(histogram);
      }
      if (d.phases) {
        stats.phaseRecord().addWire(d.phases);
        this.#phaseRecord().addWire(d.phases);
        this.intervalConnections += d.phases.newConnections;
      }
      stats.requests += d.requests;
      stats.failures += d.failures;
      stats.bytes += d.bytes;
      stats.secondRequests += d.requests;
      stats.secondFailures += d.failures;
      this.requests += d.requests;
      this.failures += d.failures;
      this.bytes += d.bytes;
      this.intervalRequests += d.requests;
      this.intervalFailures += d.failures;
    }
    if (delta.overflowNames) this.table.overflowNames.merge(delta.overflowNames);
    for (const group of delta.errors)
      this.errors.addGroup(
        // A task's exception is not a request: its name is the class, not an endpoint.
        group.kind === 'exception'
          ? group
          : { ...group, name: this.table.nameFor(group.method, group.name) },
      );
  }

  /**
   * Closes the current second: appends its row, and a row to the series of each endpoint that had
   * requests in it, and starts the next.
   */
  tick(now: number, users: number, dropped?: number, intended?: number): SecondRow {
    const seconds = Math.max((now - this.lastTick) / 1000, 1e-3);
    const h = this.interval;
    const row: SecondRow = {
      t: Math.round((now - this.startedAt) / 100) / 10,
      timestamp: Math.round(now / 1000),
      users,
      requests: this.intervalRequests,
      failures: this.intervalFailures,
      rps: Math.round((this.intervalRequests / seconds) * 10) / 10,
      p50: percentileMs(h, 50),
      p66: percentileMs(h, 66),
      p75: percentileMs(h, 75),
      p80: percentileMs(h, 80),
      p90: percentileMs(h, 90),
      p95: percentileMs(h, 95),
      p98: percentileMs(h, 98),
      p99: percentileMs(h, 99),
      p999: percentileMs(h, 99.9),
      p9999: percentileMs(h, 99.99),
      max: percentileMs(h, 100),
      newConnections: this.intervalConnections,
      ...(dropped === undefined ? {} : { dropped }),
      ...(intended === undefined ? {} : { intended }),
      totalRequests: this.requests,
      totalFailures: this.failures,
    };
    if (this.series.length >= MAX_ROWS) this.series.shift();
    this.series.push(row);
    this.#endpointSeconds(row.t);
    h.reset();
    this.intervalRequests = 0;
    this.intervalFailures = 0;
    this.intervalConnections = 0;
    this.lastTick = now;
    return row;
  }

  /** Every endpoint's row of the second that ends at `t`, then the series kept in budget. */
  #endpointSeconds(t: number): void {
    const tick = this.#ticks++;
    this.#lastSeconds = new Map();
    for (const e of this.table.values()) {
      const second = e.second;
      if (!second) continue;
      if (e.secondRequests === 0) {
        // Quiet for a whole second: give its list or histogram back until it is busy again.
        e.second = undefined;
        continue;
      }
      if (!e.timeline) {
        e.timeline = new EndpointSeries();
        this.#timelines.push(e.timeline);
      }
      const row: EndpointSecond = {
        t,
        requests: e.secondRequests,
        failures: e.secondFailures,
        ...secondPercentiles(second),
      };
      this.#lastSeconds.set(`${e.method} ${e.name}`, row);
      this.#seriesRows += e.timeline.add(tick, row);
      second.clear(false);
      e.secondRequests = 0;
      e.secondFailures = 0;
    }
    while (this.#seriesRows > this.#maxSeriesRows) {
      let longest: EndpointSeries | undefined;
      for (const s of this.#timelines) if (!longest || s.length > longest.length) longest = s;
      // A row per endpoint is as coarse as a series gets; a budget below that is not kept.
      if (!longest || longest.length <= 1) break;
      this.#seriesRows -= longest.coarsen();
    }
  }
}

const SERIES_PERCENTILES = [50, 90, 95, 99, 100] as const;

/**
 * The percentiles of an endpoint's second, as its 2-digit histogram gives them, cheaply: a tick
 * reads them for every endpoint, and filling and walking a histogram five times for each of a
 * thousand endpoints took 15 ms a tick, against 2 to 3 ms now (scripts/series-memory.ts). A
 * second's latencies are read sorted while they are a list; past it, the histogram is walked once
 * for all five. The figures are the same either way.
 */
function secondPercentiles(record: LatencyRecord) {
  const samples = record.samples;
  let figures: readonly number[];
  if (samples) {
    const sorted = Float64Array.from(samples).sort();
    figures = SERIES_PERCENTILES.map((p) => sortedPercentileMs(sorted, p, 2));
  } else figures = percentilesMs(record.histogram, SERIES_PERCENTILES);
  const [p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0] = figures;
  return { p50, p90, p95, p99, max };
}

/** A worker's recorder: keeps only what happened since the last `take()`. */
export class DeltaRecorder implements RequestSink {
  private readonly table = new EndpointTable({ maxNames: Number.POSITIVE_INFINITY });
  private readonly errors = new ErrorTable();

  /**
   * Records only these names from now on, the rest as `OTHER_NAMES`: the run's table is full,
   * and these are the names it records, so a name is never split between its row and the
   * overflow.
   */
  restrict(names: ReadonlyArray<readonly [string, string]>): void {
    this.table.restrict(names);
  }

  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
  ): void {
    const stats = this.table.get(method, name);
    stats.count(micros, bytes, failure !== undefined, phases);
    if (failure) this.errors.add(method, stats.name, failure);
  }

  error(method: string, name: string, failure: Failure): void {
    this.errors.add(method, name, failure);
  }

  /**
   * The delta since the last call; resets the recorder. Before `restrict` every name is then
   * forgotten; after it, a name that was quiet gives its histogram back. Either way a worker holds
   * only the names in use.
   */
  take(): StatsDelta {
    const endpoints: StatsDelta['endpoints'][number][] = [];
    for (const s of this.table.values()) {
      if (s.requests === 0) {
        s.latency.clear(true);
        s.phases = undefined;
        continue;
      }
      const samples = s.latency.samples;
      endpoints.push({
        method: s.method,
        name: s.name,
        requests: s.requests,
        failures: s.failures,
        bytes: s.bytes,
        ...(samples ? { samples } : { histogram: encodeHistogram(s.latency.histogram) }),
        ...(s.phases && s.phases.count > 0 ? { phases: s.phases.toWire() } : {}),
      });
      s.requests = 0;
      s.failures = 0;
      s.bytes = 0;
      s.latency.clear(false);
      s.phases?.clear(false);
    }
    this.table.prune();
    const errors = this.errors.list();
    this.errors.clear();
    const overflowNames = this.table.overflowNames.takeChange();
    return overflowNames ? { endpoints, errors, overflowNames } : { endpoints, errors };
  }
}
