import type { EndpointSeriesResult } from './endpoint-series.js';
import type { NameCounts } from './endpoint-table.js';
import type { ErrorGroup } from './errors.js';
import { encodeHistogram, type LatencyMs, latencyMs } from './histogram.js';
import type { PhaseRecord, PhaseResult } from './phases.js';
import type { SecondRow, StatsRecorder } from './stats-recorder.js';

/**
 * Bump when a field changes meaning or goes away, or when a reader must be able to count on a new
 * field; adding an optional field keeps the version. 2: `endpointSeries` (a report draws every
 * chart per endpoint from it, and says so when a version 1 result has none).
 */
export const RESULT_SCHEMA_VERSION = 2;

/** The result versions this code reads. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

export interface EndpointResult {
  readonly name: string;
  readonly method: string;
  readonly requests: number;
  readonly failures: number;
  readonly failureRate: number;
  readonly rps: number;
  /** Locust's "Average Content Size": the body as decoded, of the last response of a redirect chain. */
  readonly avgBytes: number;
  /**
   * Body bytes as they came over the wire (compressed, if they were), every response of a redirect
   * chain (absent in results of earlier versions).
   */
  readonly avgWireBytes?: number;
  readonly latencyMs: LatencyMs;
  /** Where the time went (absent when no request got a response, and before 0.1.1). */
  readonly phases?: PhaseResult;
}

/** How the load generator itself fared; `saturated` means the figures measure it, not the target. */
export interface GeneratorHealth {
  readonly workers: number;
  readonly cpuPercent: { readonly mean: number; readonly max: number };
  readonly eventLoopLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Open model only: how late iterations started against their schedule. */
  readonly scheduleLagMs: {
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
    /** The iterations these figures rest on: those started (absent before 0.1.1). */
    readonly iterations?: number;
    /** Of them, those started over `SATURATION.scheduleLagMs` late (absent before 0.1.1). */
    readonly late?: number;
  } | null;
  /** Open model only: iterations that could not start because every user was busy. */
  readonly dropped: number;
  readonly maxRssMb: number;
  readonly saturated: boolean;
  readonly reasons: readonly string[];
}

/** One instance of a distributed run (load --coordinator), as its result describes it. */
export interface InstanceResult {
  readonly index: number;
  /** `host:pid` of the agent. */
  readonly agent: string;
  readonly requests: number;
  readonly failures: number;
  readonly cpuPercent: { readonly mean: number; readonly max: number };
  /**
   * The agent, not the service, may have set the pace: judged as a single run's generator is
   * (closed model: its CPU; both: its event-loop delay; open model: iterations started late).
   */
  readonly saturated: boolean;
  readonly reasons: readonly string[];
  /** The agent's clock minus Redis' (ms). */
  readonly clockOffsetMs: number;
  /** How long after the earliest agent this one started (ms, on Redis' clock). */
  readonly startSkewMs: number | null;
  /** Bytes of its messages to the coordinator, a second on average. */
  readonly bytesPerSecond: number;
  readonly messages: number;
  /** What its per-second deltas added up to, against the totals it reported at its end. */
  readonly reconciliation: {
    readonly received: { readonly requests: number; readonly failures: number };
    readonly reported: { readonly requests: number; readonly failures: number } | null;
    readonly ok: boolean;
    readonly missingTicks: number;
  };
  readonly lost: boolean;
  /** When it was found lost (seconds into the run). */
  readonly lostAtS?: number;
}

/** How a distributed run went: its id, its Redis, and what failed. */
export interface DistributedSection {
  readonly run: string;
  readonly redis: string;
  readonly instances: number;
  /** Indexes of the agents lost (the run is then partial). */
  readonly lost: readonly number[];
  readonly failure: string | null;
  /** Deltas that did not add up to an agent's totals, and the like. */
  readonly problems: readonly string[];
}

export interface RunResult {
  readonly schemaVersion: number;
  readonly tool: { readonly name: 'fiml-perf'; readonly version: string };
  readonly model: 'closed' | 'open';
  readonly executor: string;
  readonly target: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationS: number;
  /** True when the run was stopped early (Ctrl-C, SIGTERM) rather than reaching its end. */
  readonly interrupted: boolean;
  /** Why the generator stopped it early by itself (its heap near its limit); absent otherwise. */
  readonly stopReason?: string;
  /**
   * Seconds from the start after which the run's figures are unknown: a distributed run whose
   * coordinator lost Redis saw the agents' load until then only. `timeseries` ends there (no row
   * for a second not seen), and rates are over these seconds; absent when the whole run was seen.
   */
  readonly unknownAfterS?: number;
  readonly totals: EndpointResult;
  readonly endpoints: readonly EndpointResult[];
  readonly timeseries: readonly SecondRow[];
  /**
   * Per endpoint, keyed by `METHOD name` as in `histograms.endpoints`: `requests`, `failures` and
   * latency of each second it had requests, for charts (absent in schema version 1).
   */
  readonly endpointSeries?: Readonly<Record<string, EndpointSeriesResult>>;
  readonly errors: readonly ErrorGroup[];
  readonly histograms: {
    readonly unit: 'us';
    readonly total: string;
    /** Keyed by `METHOD name`, as in `endpoints`. */
    readonly endpoints: Readonly<Record<string, string>>;
  };
  readonly generator: GeneratorHealth;
  /** How requests were named, and what the cap on distinct names did (absent before 0.1.1). */
  readonly names?: NameCounts & { readonly templated: boolean };
  readonly config: Readonly<Record<string, unknown>>;
  /** A distributed run: how it went, and each agent's figures. */
  readonly distributed?: DistributedSection;
  readonly instances?: readonly InstanceResult[];
}

export interface RunMeta {
  readonly version: string;
  readonly model: 'closed' | 'open';
  readonly executor: string;
  readonly target: string;
  readonly endedAt: number;
  readonly interrupted: boolean;
  readonly generator: GeneratorHealth;
  /** Whether requests without a name were named by their URL template (not `--raw-names`). */
  readonly templatedNames: boolean;
  readonly config: Readonly<Record<string, unknown>>;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function endpointResult(
  method: string,
  name: string,
  requests: number,
  failures: number,
  bytes: number,
  wireBytes: number,
  latency: LatencyMs,
  seconds: number,
  phases: PhaseRecord | undefined,
): EndpointResult {
  return {
    name,
    method,
    requests,
    failures,
    failureRate: requests === 0 ? 0 : round(failures / requests, 6),
    rps: round(requests / seconds),
    avgBytes: requests === 0 ? 0 : Math.round(bytes / requests),
    avgWireBytes: requests === 0 ? 0 : Math.round(wireBytes / requests),
    latencyMs: latency,
    ...(phases ? { phases: phases.result() } : {}),
  };
}

/** The versioned result every later command reads (targets, compare, report). */
export function buildResult(recorder: StatsRecorder, meta: RunMeta): RunResult {
  const seconds = Math.max((meta.endedAt - recorder.startedAt) / 1000, 1e-3);
  // After a reset (the live UI's), rates are over what the figures hold: from the reset on; and
  // over the seconds seen when the rest is unknown (issue 25: 11.6/s for a run at 50/s).
  const seen =
    recorder.unknownAfterS === undefined
      ? meta.endedAt
      : Math.min(meta.endedAt, recorder.startedAt + recorder.unknownAfterS * 1000);
  const measured = Math.max((seen - (recorder.resetAt ?? recorder.startedAt)) / 1000, 1e-3);
  const endpoints = [...recorder.endpoints.values()]
    .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method))
    .map((s) =>
      endpointResult(
        s.method,
        s.name,
        s.requests,
        s.failures,
        s.bytes,
        s.wireBytes,
        latencyMs(s.histogram),
        measured,
        s.phases,
      ),
    );
  const encoded: Record<string, string> = {};
  const series: Record<string, EndpointSeriesResult> = {};
  for (const s of recorder.endpoints.values()) {
    encoded[`${s.method} ${s.name}`] = encodeHistogram(s.histogram);
    series[`${s.method} ${s.name}`] = s.series;
  }
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'fiml-perf', version: meta.version },
    model: meta.model,
    executor: meta.executor,
    target: meta.target,
    startedAt: new Date(recorder.startedAt).toISOString(),
    endedAt: new Date(meta.endedAt).toISOString(),
    durationS: round(seconds, 3),
    interrupted: meta.interrupted,
    ...(recorder.unknownAfterS === undefined ? {} : { unknownAfterS: recorder.unknownAfterS }),
    totals: endpointResult(
      '',
      'Aggregated',
      recorder.requests,
      recorder.failures,
      recorder.bytes,
      recorder.wireBytes,
      latencyMs(recorder.total),
      measured,
      recorder.phases,
    ),
    endpoints,
    timeseries: recorder.series,
    endpointSeries: series,
    errors: recorder.errors.list(),
    histograms: { unit: 'us', total: encodeHistogram(recorder.total), endpoints: encoded },
    generator: meta.generator,
    names: { ...recorder.names, templated: meta.templatedNames },
    config: meta.config,
  };
}
