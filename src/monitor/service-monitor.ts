import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type LabelValues,
  Registry,
} from 'prom-client';
import { DURATION_BUCKETS, METRIC, PROVIDER_BUCKETS } from '../metric-names.js';
import { BucketHistogram } from './bucket-histogram.js';
import {
  OperationStats,
  type OperationSummary,
  type SlowQuery,
  SlowQueryLog,
} from './operation-stats.js';

export interface ServiceMonitorOptions {
  /** Prefix of every metric name, without the underscore. @default 'fiml' */
  readonly prefix?: string;
  /** The registry to register in; a new one when omitted (never prom-client's global one). */
  readonly registry?: Registry;
  /** Collect Node's process metrics (memory, CPU, event loop). @default true */
  readonly defaultMetrics?: boolean;
  /** Operations slower than this are logged and counted as slow. @default 1000 */
  readonly slowQueryThresholdMs?: number;
  /** Slow operations kept in the log. @default 100 */
  readonly slowQueryLogSize?: number;
  /** When false every observation is a no-op (to measure what monitoring costs). @default true */
  readonly enabled?: boolean;
}

export interface SlowQueryReport {
  readonly threshold_ms: number;
  readonly total: number;
  readonly recent: readonly SlowQuery[];
}

/**
 * Prometheus instrumentation for any Node HTTP service: requests by route and status, upstream
 * (provider) calls, cache lookups by layer, task completion, per-operation latency and a slow
 * query log. Knows nothing of the service it measures.
 */
export class ServiceMonitor {
  readonly registry: Registry;
  readonly prefix: string;
  readonly enabled: boolean;
  readonly #duration: BucketHistogram;
  readonly #providerRequests: Counter<'provider' | 'operation' | 'status'>;
  readonly #providerLatency: Histogram<'provider' | 'operation'>;
  readonly #slow: Counter<'operation'>;
  readonly #taskRate: Gauge;
  readonly #operations = new OperationStats();
  readonly #slowLog: SlowQueryLog;
  readonly #slowThresholdSeconds: number;
  readonly #children = new Map<string, { inc(): void; observe?(v: number): void }>();
  // Hot-path counts are plain integers, handed to prom-client only when it is scraped.
  readonly #requestCounts = new LabelledCounts<'method' | 'endpoint' | 'status'>();
  readonly #hitCounts = new LabelledCounts<'layer'>();
  readonly #missCounts = new LabelledCounts<'layer'>();
  readonly #taskCounts = new LabelledCounts<'status'>();
  #activeCount = 0;
  #activeSource: (() => number) | undefined;
  #requestTotal = 0;

  constructor(options: ServiceMonitorOptions = {}) {
    this.prefix = options.prefix ?? 'fiml';
    this.registry = options.registry ?? new Registry();
    this.enabled = options.enabled ?? true;
    this.#slowThresholdSeconds = (options.slowQueryThresholdMs ?? 1000) / 1000;
    this.#slowLog = new SlowQueryLog(options.slowQueryLogSize ?? 100);
    const name = (suffix: string) => `${this.prefix}_${suffix}`;
    const registers = [this.registry];
    const requestCounts = this.#requestCounts;
    // Registered in the registry; their values come from collect() at scrape time.
    new Counter({
      name: name(METRIC.requests),
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'endpoint', 'status'],
      registers,
      collect() {
        requestCounts.publish(this);
      },
    });
    this.#duration = new BucketHistogram({
      name: name(METRIC.requestDuration),
      help: 'HTTP request duration in seconds by method and route pattern',
      buckets: DURATION_BUCKETS,
      registry: this.registry,
    });
    const active = () => (this.#activeSource ? this.#activeSource() : this.#activeCount);
    new Gauge({
      name: name(METRIC.activeRequests),
      help: 'Requests in progress',
      registers,
      collect() {
        this.set(active());
      },
    });
    this.#providerRequests = new Counter({
      name: name(METRIC.providerRequests),
      help: 'Upstream provider calls by provider, operation and status (success or error)',
      labelNames: ['provider', 'operation', 'status'],
      registers,
    });
    this.#providerLatency = new Histogram({
      name: name(METRIC.providerLatency),
      help: 'Upstream provider call latency in seconds',
      labelNames: ['provider', 'operation'],
      buckets: [...PROVIDER_BUCKETS],
      registers,
    });
    this.#slow = new Counter({
      name: name(METRIC.slowQueries),
      help: `Operations slower than ${this.#slowThresholdSeconds * 1000} ms`,
      labelNames: ['operation'],
      registers,
    });
    this.#taskRate = new Gauge({
      name: name(METRIC.taskCompletionRate),
      help: 'Completed tasks over settled tasks (1 before any task settled)',
      registers,
    });
    this.#taskRate.set(1);
    const taskCounts = this.#taskCounts;
    new Counter({
      name: name(METRIC.tasks),
      help: 'Settled tasks by status: completed, failed (the work threw) or rejected (queue full)',
      labelNames: ['status'],
      registers,
      collect() {
        taskCounts.publish(this);
      },
    });
    const hits = this.#hitCounts;
    const misses = this.#missCounts;
    new Counter({
      name: name(METRIC.cacheHits),
      help: 'Cache lookups answered, by layer',
      labelNames: ['layer'],
      registers,
      collect() {
        hits.publish(this);
      },
    });
    new Counter({
      name: name(METRIC.cacheMisses),
      help: 'Cache lookups not answered, by layer',
      labelNames: ['layer'],
      registers,
      collect() {
        misses.publish(this);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Registers a histogram of the service's own, named `<prefix>_<suffix>`. */
  histogram<L extends string>(
    suffix: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): Histogram<L> {
    return new Histogram<L>({
      name: `${this.prefix}_${suffix}`,
      help,
      labelNames: [...labelNames],
      buckets: [...buckets],
      registers: [this.registry],
    });
  }

  /**
   * Lets an integration count requests in progress itself (read at scrape time), instead of
   * calling requestStarted/requestFinished/requestAborted for each one.
   */
  countActiveWith(source: () => number): void {
    this.#activeSource = source;
  }

  requestStarted(): void {
    if (this.enabled) this.#activeCount++;
  }

  /** Ends a request started with requestStarted(). `endpoint` must be the route pattern. */
  requestFinished(method: string, endpoint: string, status: number, seconds: number): void {
    if (!this.enabled) return;
    this.#requestTotal++;
    this.#activeCount--;
    this.#requestCounts.add(`${method} ${endpoint} ${status}`, () => ({
      method,
      endpoint,
      status: String(status),
    }));
    this.#duration.observe(`${method} ${endpoint}`, () => ({ method, endpoint }), seconds);
  }

  /** A request that ended without a response (client went away). */
  requestAborted(): void {
    if (this.enabled) this.#activeCount--;
  }

  /**
   * Records an operation's duration; a slow one is counted and logged. `detail` describes the
   * operation for the slow log and is only called for slow ones.
   */
  observeOperation(operation: string, seconds: number, detail?: () => string): void {
    if (!this.enabled) return;
    this.#operations.record(operation, seconds);
    if (seconds >= this.#slowThresholdSeconds) {
      this.#child(this.#slow, { operation }).inc();
      this.#slowLog.add({
        operation,
        duration_ms: Math.round(seconds * 1e6) / 1000,
        at: new Date().toISOString(),
        detail: detail ? detail() : null,
      });
    }
  }

  observeUpstream(
    provider: string,
    operation: string,
    status: 'success' | 'error',
    seconds: number,
  ): void {
    if (!this.enabled) return;
    this.#child(this.#providerRequests, { provider, operation, status }).inc();
    this.#child(this.#providerLatency, { provider, operation }).observe!(seconds);
  }

  observeCache(layer: string, hit: boolean): void {
    if (!this.enabled) return;
    (hit ? this.#hitCounts : this.#missCounts).add(layer, () => ({ layer }));
  }

  /** Counts a settled task: completed, failed, or rejected (the queue was full). */
  observeTask(status: 'completed' | 'failed' | 'rejected'): void {
    if (this.enabled) this.#taskCounts.add(status, () => ({ status }));
  }

  setTaskCompletionRate(rate: number): void {
    if (this.enabled) this.#taskRate.set(rate);
  }

  get requestTotal(): number {
    return this.#requestTotal;
  }

  operations(): Record<string, OperationSummary> {
    return this.#operations.summary();
  }

  slowQueries(): SlowQueryReport {
    return {
      threshold_ms: this.#slowThresholdSeconds * 1000,
      total: this.#slowLog.total,
      recent: this.#slowLog.recent(),
    };
  }

  /** The Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** prom-client hashes labels on every call; a child per label set is looked up once. */
  #child<L extends string>(
    metric: Counter<L> | Histogram<L>,
    labels: LabelValues<L>,
  ): { inc(): void; observe?(v: number): void } {
    const key = `${(metric as unknown as { name: string }).name}|${Object.values(labels).join('|')}`;
    let child = this.#children.get(key);
    if (!child) {
      child = metric.labels(labels) as { inc(): void; observe?(v: number): void };
      this.#children.set(key, child);
    }
    return child;
  }
}

/** Integer counts per label set, published into a prom-client counter at scrape time. */
class LabelledCounts<L extends string> {
  readonly #counts = new Map<string, { labels: LabelValues<L>; count: number }>();

  /** `key` identifies the label set; `labels` builds it the first time only. */
  add(key: string, labels: () => LabelValues<L>): void {
    const entry = this.#counts.get(key);
    if (entry) entry.count++;
    else this.#counts.set(key, { labels: labels(), count: 1 });
  }

  publish(counter: Counter<L>): void {
    counter.reset();
    for (const { labels, count } of this.#counts.values()) counter.inc(labels, count);
  }
}
