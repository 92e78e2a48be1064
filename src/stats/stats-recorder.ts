import type { StatsDelta } from './delta-recorder.js';
import { type EndpointSecond, EndpointSeries } from './endpoint-series.js';
import type { EndpointStats } from './endpoint-stats.js';
import { EndpointTable, type NameCapOptions, type NameCounts } from './endpoint-table.js';
import { ErrorTable, type Failure } from './errors.js';
import {
  createHistogram,
  decodeHistogram,
  latencyMs,
  percentileMs,
  percentilesMs,
  recordMicros,
  sortedPercentileMs,
} from './histogram.js';
import type { LatencyRecord } from './latency-record.js';
import type { NameFolds } from './name-folds.js';
import { PhaseRecord, type Phases } from './phases.js';
import type { RequestSink } from './request-sink.js';

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
  /**
   * The run's figures so far, Locust's history `Total ...` columns: median, mean, min and max
   * latency (ms) and the mean bytes of a response; 0 before the first request. Results written
   * before they were kept have none.
   */
  readonly totalP50Ms?: number;
  readonly totalMeanMs?: number;
  readonly totalMinMs?: number;
  readonly totalMaxMs?: number;
  readonly totalAvgBytes?: number;
}

/** How a `StatsRecorder` caps the names it records and the rows of their series. */
export interface RecorderOptions extends NameCapOptions {
  /**
   * Rows of the per-endpoint series kept over all endpoints; past it the longest series is
   * coarsened (its rows merged in pairs) until the total fits. @default 200,000 (about 13 MB)
   */
  readonly maxSeriesRows?: number;
  /** Names the provisional names of merged deltas (the run's; see `NameFolds`). @default as sent */
  readonly names?: NameFolds;
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
  wireBytes = 0;
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
  /** Seconds from the start after which the run's figures are unknown (see `unseenAfter`). */
  unknownAfterS: number | undefined;
  /** The tick whose row the last request recorded or merged went into (-1: none yet). */
  #lastFilledTick = -1;

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
    this.wireBytes = 0;
    this.#timelines = [];
    this.#seriesRows = 0;
    this.#lastSeconds = new Map();
    this.resetAt = now;
  }

  /**
   * The run's figures are unknown after its first `seconds` (a distributed run that lost sight of
   * its agents when Redis went away): the per-second rows after the last one that holds anything
   * are dropped, as nothing seen is in them (they would read as zero requests), and rates are over
   * `seconds`. Tick `i` closes second `i + 1`; a second's report that arrived late is in a later
   * row, which is kept.
   */
  unseenAfter(seconds: number): void {
    const kept = Math.max(0, Math.floor(seconds), this.#lastFilledTick + 1);
    // Rows of the later ticks, counted from the last (the oldest may have been shifted out).
    const later = Math.max(0, this.#ticks - kept);
    this.series.splice(Math.max(0, this.series.length - later));
    for (const timeline of this.#timelines) timeline.dropFrom(kept);
    this.unknownAfterS = seconds;
  }

  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
    wireBytes = bytes,
  ): void {
    const stats = this.table.get(method, name);
    stats.count(micros, bytes, failure !== undefined, phases, wireBytes);
    stats.secondRequests++;
    stats.secondRecord().record(micros);
    if (phases) {
      this.#phaseRecord().record(phases);
      this.intervalConnections += phases.newConnections;
    }
    recordMicros(this.total, micros);
    recordMicros(this.interval, micros);
    this.#lastFilledTick = this.#ticks;
    this.requests++;
    this.intervalRequests++;
    this.bytes += bytes;
    this.wireBytes += wireBytes;
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
    if (delta.endpoints.length > 0) this.#lastFilledTick = this.#ticks;
    const named = this.#provisionalNames(delta);
    const nameOf = (method: string, name: string) => named?.get(method)?.get(name) ?? name;
    for (const d of delta.endpoints) {
      const stats = this.table.get(d.method, nameOf(d.method, d.name));
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
      stats.wireBytes += d.wireBytes;
      stats.secondRequests += d.requests;
      stats.secondFailures += d.failures;
      this.requests += d.requests;
      this.failures += d.failures;
      this.bytes += d.bytes;
      this.wireBytes += d.wireBytes;
      this.intervalRequests += d.requests;
      this.intervalFailures += d.failures;
    }
    if (delta.overflowNames) this.table.overflowNames.merge(delta.overflowNames);
    for (const group of delta.errors)
      this.errors.addGroup(
        // A task's exception is not a request: its name is the class, not an endpoint.
        group.kind === 'exception'
          ? group
          : { ...group, name: this.table.nameFor(group.method, nameOf(group.method, group.name)) },
      );
  }

  /** What the run names a delta's provisional names, where that is not the name sent. */
  #provisionalNames(delta: StatsDelta): Map<string, Map<string, string>> | undefined {
    const folds = this.#options.names;
    if (!folds || !delta.provisional) return undefined;
    let named: Map<string, Map<string, string>> | undefined;
    for (const [method, name] of delta.provisional) {
      const resolved = folds.resolve(method, name);
      if (resolved === name) continue;
      named ??= new Map();
      let byName = named.get(method);
      if (!byName) {
        byName = new Map();
        named.set(method, byName);
      }
      byName.set(name, resolved);
    }
    return named;
  }

  /**
   * Closes the current second: appends its row, and a row to the series of each endpoint that had
   * requests in it, and starts the next.
   */
  tick(now: number, users: number, dropped?: number, intended?: number): SecondRow {
    const seconds = Math.max((now - this.lastTick) / 1000, 1e-3);
    const h = this.interval;
    const total = latencyMs(this.total);
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
      totalP50Ms: total.p50,
      totalMeanMs: total.mean,
      totalMinMs: total.min,
      totalMaxMs: total.max,
      totalAvgBytes: this.requests === 0 ? 0 : Math.round(this.bytes / this.requests),
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
