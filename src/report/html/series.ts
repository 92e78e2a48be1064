import type { EndpointSeriesResult, SecondRow } from '../../stats/index.js';

/** A chart's series, columnar: seconds into the run, then one array per figure. */
export interface ChartSeries {
  readonly t: number[];
  readonly rps: number[];
  readonly failures: number[];
  readonly users: Array<number | null>;
  readonly conns: Array<number | null>;
  readonly p50: number[];
  readonly p90: number[];
  readonly p95: number[];
  readonly p99: number[];
  readonly max: number[];
  /** Open model: the rate the schedule asked for, each second. */
  intended?: number[];
  /** Open model: iterations the schedule could not start (every user busy), per second. */
  dropped?: number[];
}

/**
 * The most points a chart series keeps; longer runs are bucketed for display (Gatling caps at
 * 1,000). Tables never use these: their figures come from the whole-run histograms.
 */
export const MAX_POINTS = 1000;

const round = (n: number) => Math.round(n * 1000) / 1000;

const emptySeries = (): ChartSeries => ({
  t: [],
  rps: [],
  failures: [],
  users: [],
  conns: [],
  p50: [],
  p90: [],
  p95: [],
  p99: [],
  max: [],
});

/**
 * The aggregate per-second rows as chart series, bucketed to at most `maxPoints`: counts and
 * rates averaged over the bucket, percentiles as the bucket's worst second (a spike stays
 * visible), users as the bucket's last.
 */
export function seriesFromRows(rows: readonly SecondRow[], maxPoints = MAX_POINTS): ChartSeries {
  const size = Math.max(1, Math.ceil(rows.length / maxPoints));
  const out = emptySeries();
  for (let i = 0; i < rows.length; i += size) {
    const bucket = rows.slice(i, i + size);
    const first = bucket[0] as SecondRow;
    const last = bucket[bucket.length - 1] as SecondRow;
    const mean = (f: (r: SecondRow) => number) =>
      round(bucket.reduce((s, r) => s + f(r), 0) / bucket.length);
    const worst = (f: (r: SecondRow) => number) => Math.max(...bucket.map(f));
    const seconds = Math.max(last.t - first.t, 1) / Math.max(bucket.length - 1, 1);
    out.t.push(first.t);
    out.rps.push(mean((r) => r.rps));
    out.failures.push(
      mean((r) =>
        r.requests === 0 ? 0 : (r.failures * r.rps) / r.requests || r.failures / seconds,
      ),
    );
    out.users.push(last.users);
    out.conns.push(mean((r) => r.newConnections ?? 0));
    out.p50.push(worst((r) => r.p50));
    out.p90.push(worst((r) => r.p90));
    out.p95.push(worst((r) => r.p95));
    out.p99.push(worst((r) => r.p99));
    out.max.push(worst((r) => r.max));
    if (first.intended !== undefined) {
      out.intended ??= [];
      out.intended.push(mean((r) => r.intended ?? 0));
    }
    if (first.dropped !== undefined) {
      out.dropped ??= [];
      out.dropped.push(mean((r) => r.dropped ?? 0));
    }
  }
  return out;
}

/** The open model's scheduled rate at second `t`, from the executor in the result's config. */
export function intendedRate(executor: unknown, t: number): number | undefined {
  const e = executor as {
    type?: string;
    rate?: number;
    startRate?: number;
    stages?: ReadonlyArray<{ durationMs: number; target: number }>;
  };
  if (e?.type === 'constant-arrival-rate' && typeof e.rate === 'number') return e.rate;
  if (e?.type !== 'ramping-arrival-rate' || !e.stages) return undefined;
  let from = e.startRate ?? 0;
  let at = 0;
  const ms = t * 1000;
  for (const stage of e.stages) {
    if (ms <= at + stage.durationMs)
      return from + ((stage.target - from) * (ms - at)) / Math.max(stage.durationMs, 1);
    at += stage.durationMs;
    from = stage.target;
  }
  return from;
}

/**
 * One endpoint's series (result schema 2) as chart series, bucketed as the run's are: rates over
 * the bucket's seconds, percentiles the bucket's worst row. Users and connections belong to the
 * run, not to an endpoint: no line for them.
 */
export function seriesFromEndpoint(s: EndpointSeriesResult, maxPoints = MAX_POINTS): ChartSeries {
  const size = Math.max(1, Math.ceil(s.t.length / maxPoints));
  const out = emptySeries();
  const sum = (values: readonly number[], from: number, to: number) =>
    values.slice(from, to).reduce((a, b) => a + b, 0);
  const worst = (values: readonly number[], from: number, to: number) =>
    Math.max(...values.slice(from, to));
  for (let i = 0; i < s.t.length; i += size) {
    const end = Math.min(i + size, s.t.length);
    // A row stands for stepS seconds: rates are per second of what the bucket covers.
    const seconds = (end - i) * s.stepS;
    out.t.push(s.t[i] as number);
    out.rps.push(round(sum(s.requests, i, end) / seconds));
    out.failures.push(round(sum(s.failures, i, end) / seconds));
    out.users.push(null);
    out.conns.push(null);
    out.p50.push(worst(s.p50, i, end));
    out.p90.push(worst(s.p90, i, end));
    out.p95.push(worst(s.p95, i, end));
    out.p99.push(worst(s.p99, i, end));
    out.max.push(worst(s.max, i, end));
  }
  return out;
}
