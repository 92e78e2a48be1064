import type { EndpointSeries, EndpointSeriesResult } from './endpoint-series.js';
import type { Histogram } from './histogram.js';
import { LatencyRecord } from './latency-record.js';
import { PhaseRecord, type Phases } from './phases.js';

/** Counts and a histogram for one request name (and method). */
export interface EndpointStats {
  readonly method: string;
  readonly name: string;
  requests: number;
  failures: number;
  /** Body bytes as the tasks saw them (decoded, the last response of a redirect chain). */
  bytes: number;
  /** Body bytes as they came over the wire, every response of a redirect chain. */
  wireBytes: number;
  readonly histogram: Histogram;
  /** Where its time went, once a request with a response reported phases. */
  readonly phases: PhaseRecord | undefined;
  /** Its figures second by second (the run's recorder only; empty before its first tick). */
  readonly series: EndpointSeriesResult;
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

/** One name's figures as a recorder keeps them: its `EndpointStats`, and the current second's. */
export class Endpoint implements EndpointStats {
  requests = 0;
  failures = 0;
  bytes = 0;
  wireBytes = 0;
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
  count(
    micros: number,
    bytes: number,
    failed: boolean,
    phases: Phases | undefined,
    wireBytes = bytes,
  ): void {
    this.requests++;
    this.bytes += bytes;
    this.wireBytes += wireBytes;
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
