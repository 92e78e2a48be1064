import { type ErrorGroup, ErrorTable, type Failure } from './errors.js';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentileMs,
  recordMicros,
} from './histogram.js';

/** Where requests are recorded: the run's recorder in one process, a delta in a worker. */
export interface RequestSink {
  /** One finished request: latency in microseconds, response bytes, and its failure if any. */
  record(method: string, name: string, micros: number, bytes: number, failure?: Failure): void;
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
}

/** What a worker sends every second: what happened since the last delta, histograms encoded. */
export interface StatsDelta {
  readonly endpoints: ReadonlyArray<{
    method: string;
    name: string;
    requests: number;
    failures: number;
    bytes: number;
    histogram: string;
  }>;
  readonly errors: readonly ErrorGroup[];
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
  readonly totalRequests: number;
  readonly totalFailures: number;
}

/** Endpoint stats by method, then name: no key string is built per request. */
type EndpointTable = Map<string, Map<string, EndpointStats>>;

function entry(table: EndpointTable, method: string, name: string): EndpointStats {
  let byName = table.get(method);
  if (!byName) {
    byName = new Map();
    table.set(method, byName);
  }
  let stats = byName.get(name);
  if (!stats) {
    stats = { method, name, requests: 0, failures: 0, bytes: 0, histogram: createHistogram() };
    byName.set(name, stats);
  }
  return stats;
}

function* each(table: EndpointTable): Iterable<EndpointStats> {
  for (const byName of table.values()) yield* byName.values();
}

/** The most per-second rows kept in memory; a day of seconds is about 10 MB. */
const MAX_ROWS = 86_400;

/**
 * The run's statistics: per-endpoint and total HDR histograms, errors by kind, and a per-second
 * series. Memory is fixed per endpoint; only the per-second rows grow, by one small row a second.
 */
export class StatsRecorder implements RequestSink {
  private readonly table: EndpointTable = new Map();
  readonly total = createHistogram();
  readonly errors = new ErrorTable();
  readonly series: SecondRow[] = [];
  requests = 0;
  failures = 0;
  bytes = 0;
  private readonly interval = createHistogram();
  private intervalRequests = 0;
  private intervalFailures = 0;
  private lastTick: number;

  constructor(readonly startedAt: number = Date.now()) {
    this.lastTick = startedAt;
  }

  /** Every endpoint seen, keyed by `METHOD name`. */
  get endpoints(): Map<string, EndpointStats> {
    return new Map([...each(this.table)].map((s) => [`${s.method} ${s.name}`, s]));
  }

  record(method: string, name: string, micros: number, bytes: number, failure?: Failure): void {
    const stats = entry(this.table, method, name);
    stats.requests++;
    stats.bytes += bytes;
    recordMicros(stats.histogram, micros);
    recordMicros(this.total, micros);
    recordMicros(this.interval, micros);
    this.requests++;
    this.intervalRequests++;
    this.bytes += bytes;
    if (failure) {
      stats.failures++;
      this.failures++;
      this.intervalFailures++;
      this.errors.add(method, name, failure);
    }
  }

  error(method: string, name: string, failure: Failure): void {
    this.errors.add(method, name, failure);
  }

  /** Adds a worker's delta; histograms are added bucket by bucket, so the merge is exact. */
  merge(delta: StatsDelta): void {
    for (const d of delta.endpoints) {
      const stats = entry(this.table, d.method, d.name);
      const histogram = decodeHistogram(d.histogram);
      stats.histogram.add(histogram);
      this.total.add(histogram);
      this.interval.add(histogram);
      histogram.destroy();
      stats.requests += d.requests;
      stats.failures += d.failures;
      stats.bytes += d.bytes;
      this.requests += d.requests;
      this.failures += d.failures;
      this.bytes += d.bytes;
      this.intervalRequests += d.requests;
      this.intervalFailures += d.failures;
    }
    for (const group of delta.errors) this.errors.addGroup(group);
  }

  /** Closes the current second: appends its row and starts the next. */
  tick(now: number, users: number): SecondRow {
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
      totalRequests: this.requests,
      totalFailures: this.failures,
    };
    if (this.series.length >= MAX_ROWS) this.series.shift();
    this.series.push(row);
    h.reset();
    this.intervalRequests = 0;
    this.intervalFailures = 0;
    this.lastTick = now;
    return row;
  }
}

/** A worker's recorder: keeps only what happened since the last `take()`. */
export class DeltaRecorder implements RequestSink {
  private readonly table: EndpointTable = new Map();
  private readonly errors = new ErrorTable();

  record(method: string, name: string, micros: number, bytes: number, failure?: Failure): void {
    const stats = entry(this.table, method, name);
    stats.requests++;
    stats.bytes += bytes;
    recordMicros(stats.histogram, micros);
    if (failure) {
      stats.failures++;
      this.errors.add(method, name, failure);
    }
  }

  error(method: string, name: string, failure: Failure): void {
    this.errors.add(method, name, failure);
  }

  /** The delta since the last call, with histograms encoded; resets the recorder. */
  take(): StatsDelta {
    const endpoints = [...each(this.table)]
      .filter((s) => s.requests > 0)
      .map((s) => ({
        method: s.method,
        name: s.name,
        requests: s.requests,
        failures: s.failures,
        bytes: s.bytes,
        histogram: encodeHistogram(s.histogram),
      }));
    for (const s of each(this.table)) {
      s.requests = 0;
      s.failures = 0;
      s.bytes = 0;
      s.histogram.reset();
    }
    const errors = this.errors.list();
    this.errors.clear();
    return { endpoints, errors };
  }
}
