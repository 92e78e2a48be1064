/**
 * The load generator's own figures as Prometheus metrics (`fiml_perf_*`): requests, failures by
 * kind and latency histograms by endpoint, dropped iterations, users, the intended rate and the
 * generator's health. They are read from the run's recorder when Prometheus scrapes (or when
 * they are pushed), so nothing is added to the path of a request; latency buckets come from the
 * recorder's HDR histograms (3 significant digits), whose counts merge exactly across workers.
 */
import { Registry } from 'prom-client';
import { DEFAULT_METRICS_MAX_ENDPOINTS, OTHER_NAMES } from '../names.js';
import type { Histogram, RunResult, StatsRecorder } from '../stats/index.js';

/** Latency buckets in seconds: 1 ms to 60 s. */
export const GENERATOR_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** What the run looks like now, from the load's progress callback. */
export interface GeneratorState {
  readonly users: number;
  /** Iterations a second the open model intended in the last second; undefined when closed. */
  readonly intendedRate?: number | undefined;
  readonly dropped: number;
  readonly cpuPercent: number;
  readonly loopLagMs: number;
}

interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

/** A metric prom-client's registry renders from what `get` returns at scrape time. */
function collected(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  get: () => Sample[],
): void {
  registry.registerMetric({
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => ({ name, help, type, aggregator: 'sum', values: get() }),
  } as never);
}

/**
 * How many of a histogram's latencies (microseconds) are at most each bound (seconds), counted
 * from its buckets: exact to the histogram's precision (a bound inside a bucket of equivalent
 * values counts the whole bucket: 0.05% at 3 digits).
 */
export function cumulativeCounts(histogram: Histogram, boundsSeconds: readonly number[]): number[] {
  const h = histogram as unknown as {
    countsArrayIndex(value: number): number;
    getCountAtIndex(index: number): number;
    maxValue: number;
    totalCount: number;
  };
  const out: number[] = [];
  if (h.totalCount === 0) return boundsSeconds.map(() => 0);
  const last = h.countsArrayIndex(h.maxValue);
  let index = 0;
  let cumulative = 0;
  for (const bound of boundsSeconds) {
    const upTo = Math.min(h.countsArrayIndex(Math.floor(bound * 1e6)), last);
    for (; index <= upTo; index++) cumulative += h.getCountAtIndex(index);
    out.push(cumulative);
  }
  return out;
}

/**
 * The generator's metrics for one run. `onTick` and `onState` feed it (the recorder, the live
 * figures); `finish` freezes the final values, which stay served for the grace period.
 */
export class GeneratorMetrics {
  readonly registry = new Registry();
  #recorder: StatsRecorder | undefined;
  #state: GeneratorState = { users: 0, dropped: 0, cpuPercent: 0, loopLagMs: 0 };
  #finished = 0;
  /** Endpoint keys (`METHOD name`) with a label of their own, in the order they came. */
  readonly #labelled = new Set<string>();

  constructor(
    info: { readonly workload: string; readonly host: string; readonly version: string },
    readonly maxEndpoints = DEFAULT_METRICS_MAX_ENDPOINTS,
  ) {
    const r = this.registry;
    const startedAt = Date.now() / 1000;
    collected(r, 'fiml_perf_run_info', 'The run: what it runs against which host', 'gauge', () => [
      { labels: { workload: info.workload, host: info.host, version: info.version }, value: 1 },
    ]);
    collected(
      r,
      'fiml_perf_run_start_time_seconds',
      'When the run started (Unix time)',
      'gauge',
      () => [{ labels: {}, value: startedAt }],
    );
    collected(
      r,
      'fiml_perf_run_finished',
      '1 once the run ended (the final values are served for the grace period)',
      'gauge',
      () => [{ labels: {}, value: this.#finished }],
    );
    collected(
      r,
      'fiml_perf_requests_total',
      'Requests finished, by endpoint (request name)',
      'counter',
      () => this.#byEndpoint().map((e) => ({ labels: e.labels, value: e.requests })),
    );
    collected(
      r,
      'fiml_perf_failures_total',
      'Failed requests, by endpoint and kind of failure',
      'counter',
      () => this.#failures(),
    );
    collected(
      r,
      'fiml_perf_request_duration_seconds',
      'Response times seen by the generator, by endpoint',
      'histogram',
      () => this.#durations(),
    );
    collected(
      r,
      'fiml_perf_dropped_iterations_total',
      'Iterations the open model could not start (no free user)',
      'counter',
      () => [{ labels: {}, value: this.#state.dropped }],
    );
    collected(r, 'fiml_perf_users', 'Virtual users running', 'gauge', () => [
      { labels: {}, value: this.#state.users },
    ]);
    collected(
      r,
      'fiml_perf_target_rate',
      'Iterations a second the open model intended in the last second (absent for a closed model)',
      'gauge',
      () =>
        this.#state.intendedRate === undefined
          ? []
          : [{ labels: {}, value: this.#state.intendedRate }],
    );
    collected(
      r,
      'fiml_perf_generator_cpu_ratio',
      "The generator's CPU over the last second, in cores (1 = one core busy)",
      'gauge',
      () => [{ labels: {}, value: this.#state.cpuPercent / 100 }],
    );
    collected(
      r,
      'fiml_perf_generator_event_loop_delay_seconds',
      "The generator's event-loop delay p99 over the last second",
      'gauge',
      () => [{ labels: {}, value: this.#state.loopLagMs / 1000 }],
    );
    collected(
      r,
      'fiml_perf_endpoints_folded',
      `Endpoints past the cap of ${maxEndpoints}, counted under endpoint="${OTHER_NAMES}"`,
      'gauge',
      () => [{ labels: {}, value: this.#folded() }],
    );
  }

  readonly onTick = (recorder: StatsRecorder): void => {
    this.#recorder = recorder;
  };

  onState(state: GeneratorState): void {
    this.#state = state;
  }

  /** The run ended: the last figures, for the grace period. */
  finish(result: RunResult): void {
    this.#finished = 1;
    this.#state = {
      ...this.#state,
      users: 0,
      dropped: result.generator.dropped,
    };
  }

  /** The endpoint label of a `METHOD name` key: its own while under the cap. */
  #label(key: string): string {
    if (this.#labelled.has(key)) return key;
    if (this.#labelled.size < this.maxEndpoints) {
      this.#labelled.add(key);
      return key;
    }
    return OTHER_NAMES;
  }

  #folded(): number {
    if (!this.#recorder) return 0;
    let n = 0;
    for (const key of this.#recorder.endpoints.keys()) if (this.#label(key) === OTHER_NAMES) n++;
    return n;
  }

  /** Requests, failures and latency buckets by endpoint label (past the cap, summed). */
  #byEndpoint(): Array<{
    labels: Record<string, string>;
    requests: number;
    failures: number;
    buckets: number[];
    sum: number;
  }> {
    const out = new Map<
      string,
      {
        labels: Record<string, string>;
        requests: number;
        failures: number;
        buckets: number[];
        sum: number;
      }
    >();
    for (const [key, e] of this.#recorder?.endpoints ?? []) {
      const label = this.#label(key);
      const entry = out.get(label) ?? {
        labels:
          label === OTHER_NAMES
            ? { method: '', endpoint: OTHER_NAMES }
            : { method: e.method, endpoint: e.name },
        requests: 0,
        failures: 0,
        buckets: GENERATOR_BUCKETS.map(() => 0),
        sum: 0,
      };
      const histogram = e.histogram;
      entry.requests += e.requests;
      entry.failures += e.failures;
      const counts = cumulativeCounts(histogram, GENERATOR_BUCKETS);
      entry.buckets = entry.buckets.map((c, i) => c + (counts[i] as number));
      entry.sum += (histogram.mean * histogram.totalCount) / 1e6;
      out.set(label, entry);
    }
    return [...out.values()];
  }

  #durations(): Sample[] {
    const values: Sample[] = [];
    for (const e of this.#byEndpoint()) {
      for (const [i, bound] of GENERATOR_BUCKETS.entries())
        values.push({
          labels: { ...e.labels, le: bound },
          value: e.buckets[i] as number,
          metricName: 'fiml_perf_request_duration_seconds_bucket',
        });
      values.push({
        labels: { ...e.labels, le: '+Inf' },
        value: e.requests,
        metricName: 'fiml_perf_request_duration_seconds_bucket',
      });
      values.push({
        labels: e.labels,
        value: e.sum,
        metricName: 'fiml_perf_request_duration_seconds_sum',
      });
      values.push({
        labels: e.labels,
        value: e.requests,
        metricName: 'fiml_perf_request_duration_seconds_count',
      });
    }
    return values;
  }

  #failures(): Sample[] {
    const byKey = new Map<string, Sample>();
    for (const group of this.#recorder?.errors.list() ?? []) {
      const label = this.#label(`${group.method} ${group.name}`);
      const labels =
        label === OTHER_NAMES
          ? { method: '', endpoint: OTHER_NAMES, kind: group.kind }
          : { method: group.method, endpoint: group.name, kind: group.kind };
      const key = `${labels.method}\u0000${labels.endpoint}\u0000${labels.kind}`;
      byKey.set(key, { labels, value: (byKey.get(key)?.value ?? 0) + group.count });
    }
    return [...byKey.values()];
  }
}
