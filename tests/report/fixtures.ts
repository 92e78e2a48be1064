/**
 * Synthetic run results for the report's analysis: a minimal valid RunResult built from a few
 * latencies per endpoint, with real encoded histograms, and builders for the sections beside it.
 */
import type { ReportResult } from '../../src/report/analysis/index.js';
import {
  clampMicros,
  createHistogram,
  type EndpointResult,
  type ErrorGroup,
  encodeHistogram,
  type GeneratorHealth,
  type Histogram,
  latencyMs,
  type PhaseResult,
  RESULT_SCHEMA_VERSION,
  type SecondRow,
} from '../../src/stats/index.js';
import type { ServiceReport, TargetOutcome, TargetsReport } from '../../src/targets/index.js';
import { formatFigure, parseTarget } from '../../src/targets/index.js';

/** Latencies of an endpoint: [ms, how many] pairs. */
export type Samples = ReadonlyArray<readonly [number, number]>;

export interface EndpointSpec {
  readonly name: string;
  readonly method?: string;
  readonly samples: Samples;
  readonly failures?: number;
  readonly phases?: PhaseResult;
}

export interface ResultSpec {
  readonly endpoints: readonly EndpointSpec[];
  readonly durationS?: number;
  readonly model?: 'closed' | 'open';
  readonly interrupted?: boolean;
  readonly timeseries?: readonly SecondRow[];
  readonly errors?: readonly ErrorGroup[];
  readonly generator?: Partial<GeneratorHealth>;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly totalPhases?: PhaseResult;
  readonly names?: ReportResult['names'];
}

function record(histogram: Histogram, samples: Samples): void {
  for (const [ms, count] of samples) histogram.recordValueWithCount(clampMicros(ms * 1000), count);
}

function endpoint(
  method: string,
  name: string,
  histogram: Histogram,
  failures: number,
  seconds: number,
  phases?: PhaseResult,
): EndpointResult {
  const requests = histogram.totalCount;
  return {
    name,
    method,
    requests,
    failures,
    failureRate: requests === 0 ? 0 : failures / requests,
    rps: Math.round((requests / seconds) * 100) / 100,
    avgBytes: 100,
    latencyMs: latencyMs(histogram),
    ...(phases ? { phases } : {}),
  };
}

/** A healthy generator: one worker, little CPU and lag. */
export const HEALTHY_GENERATOR: GeneratorHealth = {
  workers: 1,
  cpuPercent: { mean: 30, max: 45 },
  eventLoopLagMs: { p50: 0.1, p99: 1.2, max: 3 },
  scheduleLagMs: null,
  dropped: 0,
  maxRssMb: 120,
  saturated: false,
  reasons: [],
};

/** A minimal valid result from a few latencies per endpoint. */
export function makeResult(spec: ResultSpec): ReportResult {
  const seconds = spec.durationS ?? 60;
  const total = createHistogram();
  const endpoints: EndpointResult[] = [];
  const encoded: Record<string, string> = {};
  let failures = 0;
  for (const e of spec.endpoints) {
    const method = e.method ?? 'GET';
    const h = createHistogram();
    record(h, e.samples);
    total.add(h);
    failures += e.failures ?? 0;
    endpoints.push(endpoint(method, e.name, h, e.failures ?? 0, seconds, e.phases));
    encoded[`${method} ${e.name}`] = encodeHistogram(h);
  }
  const generator = { ...HEALTHY_GENERATOR, ...spec.generator };
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'fiml-perf', version: 'test' },
    model: spec.model ?? 'closed',
    executor: spec.model === 'open' ? 'constant-arrival-rate' : 'constant-users',
    target: 'http://127.0.0.1:8000',
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: new Date(Date.parse('2025-01-01T00:00:00.000Z') + seconds * 1000).toISOString(),
    durationS: seconds,
    interrupted: spec.interrupted ?? false,
    totals: endpoint('', 'Aggregated', total, failures, seconds, spec.totalPhases),
    endpoints: endpoints.sort((a, b) => a.name.localeCompare(b.name)),
    timeseries: spec.timeseries ?? [],
    errors: spec.errors ?? [],
    histograms: { unit: 'us', total: encodeHistogram(total), endpoints: encoded },
    generator: { ...generator, saturated: generator.reasons.length > 0 },
    ...(spec.names ? { names: spec.names } : {}),
    config: spec.config ?? {},
  };
}

/** One second of a run; latency percentiles all at `p99` unless given. */
export function second(
  t: number,
  row: { requests: number; failures?: number; p99: number; p50?: number; users?: number },
): SecondRow {
  const p50 = row.p50 ?? row.p99 / 2;
  return {
    t,
    timestamp: Date.parse('2025-01-01T00:00:00.000Z') + t * 1000,
    users: row.users ?? 10,
    requests: row.requests,
    failures: row.failures ?? 0,
    rps: row.requests,
    p50,
    p66: p50,
    p75: p50,
    p80: p50,
    p90: row.p99,
    p95: row.p99,
    p98: row.p99,
    p99: row.p99,
    p999: row.p99,
    p9999: row.p99,
    max: row.p99,
    newConnections: 0,
    totalRequests: 0,
    totalFailures: 0,
  };
}

/** A target's outcome as `fiml-perf targets` judges it, on a whole-run value. */
export function judged(name: string, expression: string, value: number | null): TargetOutcome {
  const expr = parseTarget(expression);
  const base = { name, expression: expr.source, threshold: expr.thresholdText };
  if (value === null)
    return { ...base, actual: null, value: null, verdict: 'unknown', detail: 'no metrics' };
  const ok =
    expr.op === '<'
      ? value < expr.threshold
      : expr.op === '<='
        ? value <= expr.threshold
        : expr.op === '>'
          ? value > expr.threshold
          : value >= expr.threshold;
  return {
    ...base,
    actual: formatFigure(expr.kind, value),
    value,
    verdict: ok ? 'pass' : 'fail',
    detail: '1000 requests',
  };
}

/** A targets section from outcomes. */
export function targetsReport(outcomes: readonly TargetOutcome[]): TargetsReport {
  const summary = { pass: 0, fail: 0, unknown: 0 };
  for (const o of outcomes) summary[o.verdict]++;
  return { outcomes, summary, windowSeconds: null, abortedBy: null };
}

/** The service's figures, healthy unless overridden. */
export function serviceReport(overrides: Partial<ServiceReport> = {}): ServiceReport {
  return {
    metricsUrl: 'http://127.0.0.1:8000/metrics',
    unavailable: null,
    cacheHitRate: 0.92,
    taskCompletionRate: 0.99,
    providerUptime: 0.999,
    providers: { yahoo: 0.999, fmp: 1 },
    residentMemoryMb: { before: 80, after: 84 },
    healthUrl: 'http://127.0.0.1:8000/health',
    uptime: { ok: 60, total: 60 },
    ...overrides,
  };
}

/** Phases of an endpoint: every figure of a phase at its mean (ms). */
export function phasesOf(p: {
  newConnections: number;
  /** Requests that waited for a connection. */
  waited?: number;
  blocked?: number;
  client?: number;
  connect?: number;
  tls?: number;
  ttfb: number;
  receive?: number;
}): PhaseResult {
  const flat = (ms: number) => ({
    min: ms,
    mean: ms,
    p50: ms,
    p90: ms,
    p95: ms,
    p99: ms,
    p999: ms,
    max: ms,
  });
  return {
    newConnections: p.newConnections,
    waited: p.waited ?? 0,
    blockedMs: flat(p.blocked ?? 0),
    clientMs: flat(p.client ?? 0),
    connectMs: flat(p.connect ?? 0),
    tlsMs: flat(p.tls ?? 0),
    ttfbMs: flat(p.ttfb),
    receiveMs: flat(p.receive ?? 0),
  };
}

/** A healthy mix: 1,000 requests over three endpoints, alike and fast (p99 50 ms, no failure). */
export function healthyResult(): ReportResult {
  return makeResult({
    endpoints: [
      {
        name: 'price',
        samples: [
          [10, 500],
          [20, 80],
          [50, 10],
        ],
      },
      {
        name: 'narrative',
        samples: [
          [10, 250],
          [20, 40],
          [50, 5],
        ],
      },
      {
        name: 'dsl',
        samples: [
          [10, 100],
          [20, 13],
          [50, 2],
        ],
      },
    ],
  });
}
