import type { Agent, Dispatcher } from 'undici';
import { z } from 'zod';
import {
  createHistogram,
  type Histogram,
  type RunResult,
  type StatsRecorder,
} from '../stats/index.js';
import type { ClientConfig } from '../util/client-config.js';
import {
  evaluateTargets,
  summarizeOutcomes,
  type TargetOutcome,
  type TargetSummary,
  type Window,
} from './evaluate.js';
import { type ClientSlice, type FigureSource, isServiceMetric, resultFigures } from './figures.js';
import { get, HealthProber, scrapeMetrics, serviceDispatcher } from './probes.js';
import type { Scrape } from './prometheus.js';
import { ScrapeError } from './prometheus.js';
import { ServiceFigures } from './service-figures.js';
import type { Target } from './targets-file.js';

export interface TargetSessionOptions {
  /** Base URL of the service. */
  readonly host: string;
  readonly targets: readonly Target[];
  /** Judge every target in windows of this length too. */
  readonly windowMs?: number;
  /** Stop the run as soon as a target fails (k6's abortOnFail). */
  readonly abortOnFail?: boolean;
  /** No abort before this much of the run, so early noise cannot stop it. @default 10000 */
  readonly abortDelayMs?: number;
  /** Called once when a target fails during the run with abortOnFail. */
  readonly onAbort?: (outcome: TargetOutcome, atSeconds: number) => void;
  readonly healthPath?: string;
  readonly metricsPath?: string;
  /** Prefix of the service's metric names. @default 'fiml' */
  readonly metricPrefix?: string;
  /** The run's TLS settings, which the probes and scrapes use too. */
  readonly client?: ClientConfig;
}

/** What the service's metrics said about the run, beside its client-side figures. */
export interface ServiceReport {
  readonly metricsUrl: string;
  /** Why there are no service figures, when there are none. */
  readonly unavailable: string | null;
  readonly cacheHitRate: number | null;
  readonly taskCompletionRate: number | null;
  readonly providerUptime: number | null;
  readonly providers: Readonly<Record<string, number | null>>;
  readonly residentMemoryMb: { readonly before: number; readonly after: number } | null;
  readonly healthUrl: string;
  readonly uptime: { readonly ok: number; readonly total: number } | null;
  /** Each cache layer's hits and misses over the run, when the metrics have them. */
  readonly cacheLayers?: ReadonlyArray<{
    readonly layer: string;
    readonly hits: number;
    readonly misses: number;
  }>;
  /** The service's slow-query log over the run (FIML's `/api/metrics/performance`), if it has one. */
  readonly slowQueries?: ServiceSlowQueries;
  /** With --window: the cache hit rate of each window (null when it had no lookups). */
  readonly windows?: ReadonlyArray<{
    readonly from: number;
    readonly to: number;
    readonly cacheHitRate: number | null;
  }>;
}

/** The service's headline figures, as the end of a run and the live UI both give them. */
type ServiceHeadline = Pick<
  ServiceReport,
  | 'unavailable'
  | 'cacheHitRate'
  | 'taskCompletionRate'
  | 'providerUptime'
  | 'providers'
  | 'cacheLayers'
>;

/** What the live UI shows of the targets and the service while a run goes on. */
export interface LiveTargets {
  readonly outcomes: readonly TargetOutcome[];
  readonly service: ServiceHeadline & Pick<ServiceReport, 'uptime'>;
}

/** Slow operations the service logged during the run, newest first. */
export interface ServiceSlowQueries {
  /** Operations at least this slow are logged; null when unknown. */
  readonly thresholdMs: number | null;
  /** Slow operations during the run, including those the bounded log no longer holds. */
  readonly total: number;
  readonly entries: ReadonlyArray<{
    readonly operation: string;
    readonly query: string | null;
    readonly durationMs: number;
    readonly at: string;
  }>;
}

/** FIML's slow-query log as `/api/metrics/performance` gives it. */
interface SlowLog {
  readonly threshold_ms: number | null;
  readonly total: number;
  readonly recent: ReadonlyArray<{
    operation: string;
    duration_ms: number;
    at: string;
    detail: string | null;
  }>;
}

const slowLogSchema = z.object({
  threshold_ms: z.number().finite().nullable(),
  total: z.number().int().nonnegative(),
  recent: z.array(
    z.object({
      operation: z.string(),
      duration_ms: z.number().finite(),
      at: z.string(),
      detail: z.string().nullable(),
    }),
  ),
});

/** The service's slow-query log, or undefined when it has none (not FIML, or not reachable). */
async function readSlowLog(
  url: string,
  dispatcher: Dispatcher | undefined,
): Promise<SlowLog | undefined> {
  try {
    const answer = await get(url, 2000, dispatcher);
    if ('error' in answer || answer.status !== 200) return undefined;
    const body = JSON.parse(answer.body) as { slow_queries?: unknown };
    const parsed = slowLogSchema.safeParse(body.slow_queries);
    // Anything else is not a slow-query log we know: no section rather than data we cannot trust.
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The slow queries of the run: the log after it, less what it held before (newest first). */
function runSlowQueries(after: SlowLog, before: SlowLog | undefined): ServiceSlowQueries {
  const total = Math.max(0, after.total - (before?.total ?? 0));
  return {
    thresholdMs: after.threshold_ms ?? null,
    total,
    entries: after.recent.slice(0, total).map((q) => ({
      operation: q.operation,
      query: q.detail ?? null,
      durationMs: q.duration_ms,
      at: q.at,
    })),
  };
}

/** The targets section of a result. */
export interface TargetsReport {
  readonly outcomes: readonly TargetOutcome[];
  readonly summary: TargetSummary;
  readonly windowSeconds: number | null;
  /** The target that stopped the run early (--abort-on-fail), and when. */
  readonly abortedBy: {
    readonly target: string;
    readonly atSeconds: number;
    readonly actual: string | null;
  } | null;
}

/** A run result with its targets and the service's figures. */
export type TargetedResult = RunResult & {
  readonly targets: TargetsReport;
  readonly service: ServiceReport;
};

const value = (figure: ReturnType<ServiceFigures['cacheHitRate']>) =>
  figure.known ? Math.round(figure.value * 1e6) / 1e6 : null;

function copy(histogram: Histogram): Histogram {
  const out = createHistogram();
  out.add(histogram);
  return out;
}

/** The histograms of a recorder at one moment, to difference against a later moment. */
interface Snapshot {
  readonly at: number;
  readonly total: Histogram;
  readonly requests: number;
  readonly failures: number;
  readonly endpoints: Map<string, { histogram: Histogram; requests: number; failures: number }>;
}

/** Copies the run's histogram, and those of the endpoints `wanted` names (up to 93 KB each). */
function snapshot(recorder: StatsRecorder, at: number, wanted: (key: string) => boolean): Snapshot {
  const endpoints = new Map<string, { histogram: Histogram; requests: number; failures: number }>();
  for (const [key, s] of recorder.endpoints)
    if (wanted(key))
      endpoints.set(key, {
        histogram: copy(s.histogram),
        requests: s.requests,
        failures: s.failures,
      });
  return {
    at,
    total: copy(recorder.total),
    requests: recorder.requests,
    failures: recorder.failures,
    endpoints,
  };
}

function difference(
  later: { histogram: Histogram; requests: number; failures: number },
  earlier: { histogram: Histogram; requests: number; failures: number } | undefined,
  seconds: number,
): ClientSlice {
  const histogram = copy(later.histogram);
  if (earlier) histogram.subtract(earlier.histogram);
  return {
    histogram,
    requests: later.requests - (earlier?.requests ?? 0),
    failures: later.failures - (earlier?.failures ?? 0),
    seconds,
  };
}

/**
 * Gathers what targets need around a run: a scrape of the service's metrics before and after,
 * health probes every second, windows (--window) and early failure (--abort-on-fail); then
 * judges the targets on the result.
 */
export class TargetSession {
  readonly #options: TargetSessionOptions;
  readonly #prober: HealthProber;
  readonly #metricsUrl: string;
  #before: Scrape | string;
  readonly #slowLogUrl: string;
  readonly #slowBefore: SlowLog | undefined;
  readonly #healthProblem: string | null;
  readonly #windows: Window[] = [];
  readonly #pending: Promise<void>[] = [];
  /** The scrape that opened the current window. */
  #windowScrape: Scrape | string;
  #recorder: StatsRecorder | undefined;
  #last: Snapshot | undefined;
  #checking = false;
  /** The endpoints targets name. */
  readonly #endpointNames: Set<string>;
  #abortedBy: TargetsReport['abortedBy'] = null;

  /** The run's TLS settings for the side requests, when it has some. */
  readonly #dispatcher: Agent | undefined;

  private constructor(
    options: TargetSessionOptions,
    before: Scrape | string,
    healthProblem: string | null,
    slowBefore: SlowLog | undefined,
    dispatcher: Agent | undefined,
  ) {
    this.#options = options;
    this.#dispatcher = dispatcher;
    this.#slowLogUrl = `${options.host}/api/metrics/performance`;
    this.#slowBefore = slowBefore;
    this.#metricsUrl = `${options.host}${options.metricsPath ?? '/metrics'}`;
    this.#prober = new HealthProber(
      `${options.host}${options.healthPath ?? '/health'}`,
      1000,
      2000,
      dispatcher,
    );
    this.#before = before;
    this.#windowScrape = before;
    this.#healthProblem = healthProblem;
    this.#endpointNames = new Set(
      options.targets.flatMap((t) =>
        t.expr.metric.scope === 'endpoint' ? [t.expr.metric.name] : [],
      ),
    );
  }

  /** Takes the first scrape and health probe, then probes every second until finish(). */
  static async start(options: TargetSessionOptions): Promise<TargetSession> {
    const metricsUrl = `${options.host}${options.metricsPath ?? '/metrics'}`;
    const dispatcher = serviceDispatcher(options.client);
    const prober = new HealthProber(
      `${options.host}${options.healthPath ?? '/health'}`,
      1000,
      2000,
      dispatcher,
    );
    const [before, healthProblem, slowBefore] = await Promise.all([
      scrapeMetrics(metricsUrl, 5000, dispatcher),
      prober.check(),
      readSlowLog(`${options.host}/api/metrics/performance`, dispatcher),
    ]);
    const session = new TargetSession(options, before, healthProblem, slowBefore, dispatcher);
    if (healthProblem === null) session.#prober.start();
    return session;
  }

  /** The windows closed so far, in time order (--window). */
  get windows(): readonly Window[] {
    return [...this.#windows].sort((a, b) => a.from - b.from);
  }

  get abortedBy(): TargetsReport['abortedBy'] {
    return this.#abortedBy;
  }

  /** Call once a second with the run's recorder (runLoad's onTick). */
  readonly onTick = (recorder: StatsRecorder): void => {
    this.#recorder = recorder;
    const now = Date.now();
    // The first window starts empty, at the start of the run.
    this.#last ??= {
      at: recorder.startedAt,
      total: createHistogram(),
      requests: 0,
      failures: 0,
      endpoints: new Map(),
    };
    const windowMs = this.#options.windowMs;
    // Ticks come about once a second, a little early or late: a window closes on the tick nearest
    // its end, not on the first one past it (which, a millisecond short, turned 2 s into 3 s).
    if (windowMs && now - this.#last.at >= windowMs - 500) this.#closeWindow(recorder, now);
    if (
      this.#options.abortOnFail &&
      this.#abortedBy === null &&
      !this.#checking &&
      now - recorder.startedAt >= (this.#options.abortDelayMs ?? 10_000)
    ) {
      this.#checking = true;
      const check = this.#liveFigures(recorder, now).then((figures) => {
        this.#checking = false;
        this.#judgeLive(figures, (now - recorder.startedAt) / 1000);
      });
      this.#pending.push(check);
    }
  };

  #service(
    after: Scrape | string,
    before: Scrape | string = this.#before,
  ): ServiceFigures | string {
    if (typeof before === 'string') return before;
    if (typeof after === 'string') return after;
    return new ServiceFigures(before, after, this.#options.metricPrefix);
  }

  #probes(from?: number, to?: number): FigureSource['probes'] {
    if (this.#healthProblem !== null)
      return `no health probes: ${this.#healthProblem} before the run; pass --health-path`;
    return this.#prober.count(from, to);
  }

  /**
   * Whether a target names this endpoint (`METHOD name`, or the name alone): windows and live
   * checks keep only those, since an endpoint's histogram costs up to 93 KB in every window.
   */
  readonly #named = (key: string): boolean =>
    this.#endpointNames.has(key) || this.#endpointNames.has(key.slice(key.indexOf(' ') + 1));

  async #liveFigures(recorder: StatsRecorder, now: number): Promise<FigureSource> {
    const needsService = this.#options.targets.some((t) => isServiceMetric(t.expr.metric));
    const after = needsService
      ? await scrapeMetrics(this.#metricsUrl, 5000, this.#dispatcher)
      : 'not scraped yet';
    return this.#figuresAt(recorder, now, after);
  }

  /** The figures of the run so far, with the service's from the start to `after`. */
  #figuresAt(recorder: StatsRecorder, now: number, after: Scrape | string): FigureSource {
    const seconds = (now - (recorder.resetAt ?? recorder.startedAt)) / 1000;
    const endpoints = new Map<string, ClientSlice>();
    for (const [key, s] of recorder.endpoints)
      if (this.#named(key))
        endpoints.set(key, {
          histogram: s.histogram,
          requests: s.requests,
          failures: s.failures,
          seconds,
        });
    return {
      run: {
        histogram: recorder.total,
        requests: recorder.requests,
        failures: recorder.failures,
        seconds,
      },
      endpoints,
      service: this.#service(after),
      probes: this.#probes(),
    };
  }

  /**
   * The targets judged on the run so far and the service's figures since its start, from a fresh
   * scrape: what the live UI shows every few seconds. Undefined before the first tick.
   */
  async live(): Promise<LiveTargets | undefined> {
    const recorder = this.#recorder;
    if (!recorder) return undefined;
    const after = await scrapeMetrics(this.#metricsUrl, 2000, this.#dispatcher);
    const figures = this.#figuresAt(recorder, Date.now(), after);
    let outcomes: TargetOutcome[];
    let unavailable: string | null = typeof figures.service === 'string' ? figures.service : null;
    try {
      outcomes = evaluateTargets(this.#options.targets, figures);
    } catch (error) {
      if (!(error instanceof ScrapeError)) throw error;
      unavailable = error.message;
      outcomes = evaluateTargets(this.#options.targets, { ...figures, service: error.message });
    }
    const probes = figures.probes;
    return {
      outcomes,
      service: {
        ...this.#serviceFigures(after, this.#service(after), unavailable),
        uptime: typeof probes === 'string' ? null : probes,
      },
    };
  }

  /** The service's headline figures, or nulls when its metrics were not there. */
  #serviceFigures(
    after: Scrape | string,
    service: ServiceFigures | string,
    unavailable: string | null,
  ): ServiceHeadline {
    const missing = typeof service === 'string' || unavailable !== null;
    const ok = (f: (s: ServiceFigures) => ReturnType<ServiceFigures['cacheHitRate']>) =>
      missing ? null : value(f(service as ServiceFigures));
    const providerNames =
      typeof after === 'string'
        ? []
        : after.labelValues(
            `${this.#options.metricPrefix ?? 'fiml'}_provider_requests_total`,
            'provider',
          );
    return {
      unavailable: unavailable ?? (typeof service === 'string' ? service : null),
      cacheHitRate: ok((f) => f.cacheHitRate()),
      taskCompletionRate: ok((f) => f.taskCompletionRate()),
      providerUptime: ok((f) => f.providerUptime()),
      providers: Object.fromEntries(providerNames.map((p) => [p, ok((f) => f.providerUptime(p))])),
      ...(missing ? {} : { cacheLayers: (service as ServiceFigures).cacheLayers() }),
    };
  }

  #judgeLive(figures: FigureSource, atSeconds: number): void {
    if (this.#abortedBy !== null) return;
    let failed: TargetOutcome | undefined;
    try {
      failed = evaluateTargets(this.#options.targets, figures).find((o) => o.verdict === 'fail');
    } catch (error) {
      if (!(error instanceof ScrapeError)) throw error;
    }
    if (failed) this.#abort(failed, atSeconds);
  }

  #abort(outcome: TargetOutcome, atSeconds: number): void {
    this.#abortedBy = {
      target: outcome.name,
      atSeconds: Math.round(atSeconds * 10) / 10,
      actual: outcome.actual,
    };
    this.#options.onAbort?.(outcome, atSeconds);
  }

  #closeWindow(recorder: StatsRecorder, now: number): void {
    const previous = this.#last as Snapshot;
    const current = snapshot(recorder, now, this.#named);
    this.#last = current;
    const seconds = (now - previous.at) / 1000;
    const endpoints = new Map<string, ClientSlice>();
    for (const [key, s] of current.endpoints)
      endpoints.set(key, difference(s, previous.endpoints.get(key), seconds));
    const run = difference(
      { histogram: current.total, requests: current.requests, failures: current.failures },
      { histogram: previous.total, requests: previous.requests, failures: previous.failures },
      seconds,
    );
    const from = Math.round((previous.at - recorder.startedAt) / 100) / 10;
    const to = Math.round((now - recorder.startedAt) / 100) / 10;
    const probes = this.#probes(previous.at, now);
    const scrapeBefore = this.#windowScrape;
    const closing = scrapeMetrics(this.#metricsUrl, 5000, this.#dispatcher).then((after) => {
      this.#windowScrape = after;
      const window: Window = {
        from,
        to,
        figures: { run, endpoints, service: this.#service(after, scrapeBefore), probes },
      };
      this.#windows.push(window);
      if (this.#options.abortOnFail && this.#abortedBy === null) {
        const [failed] = evaluateTargets(this.#options.targets, window.figures, {
          seconds: seconds,
          list: [window],
        }).filter((o) => o.verdict === 'fail');
        if (failed)
          this.#abort(
            { ...failed, actual: failed.windows?.failed[0]?.actual ?? failed.actual },
            to,
          );
      }
    });
    this.#pending.push(closing);
  }

  /**
   * The run's statistics were started again (`StatsRecorder.reset`, the live UI's "reset stats"):
   * the current window starts at the reset, and the service's figures count from a scrape taken
   * now, so no window or figure mixes what was before the reset with what came after.
   */
  onReset(recorder: StatsRecorder): void {
    this.#last = {
      at: recorder.resetAt ?? Date.now(),
      total: createHistogram(),
      requests: 0,
      failures: 0,
      endpoints: new Map(),
    };
    this.#pending.push(
      scrapeMetrics(this.#metricsUrl, 5000, this.#dispatcher).then((scrape) => {
        this.#before = scrape;
        this.#windowScrape = scrape;
      }),
    );
  }

  /** Stops probing without judging anything: the run it watched failed. */
  async cancel(): Promise<void> {
    await this.#prober.stop();
    await this.#dispatcher?.close();
  }

  /** Stops probing, takes the last scrape and judges every target on the result. */
  async finish(result: RunResult): Promise<TargetedResult> {
    await this.#prober.stop();
    const recorder = this.#recorder;
    const windowMs = this.#options.windowMs;
    // The last, partial window counts when it is at least half a window long.
    if (
      recorder &&
      windowMs &&
      this.#last &&
      Date.parse(result.endedAt) - this.#last.at >= windowMs / 2
    )
      this.#closeWindow(recorder, Date.parse(result.endedAt));
    await Promise.all(this.#pending);
    const [after, slowAfter] = await Promise.all([
      scrapeMetrics(this.#metricsUrl, 5000, this.#dispatcher),
      this.#slowBefore
        ? readSlowLog(this.#slowLogUrl, this.#dispatcher)
        : Promise.resolve(undefined),
    ]);
    await this.#dispatcher?.close();
    const service = this.#service(after);
    const probes = this.#probes();
    const figures = resultFigures(result, service, probes);
    const windows = windowMs
      ? { seconds: windowMs / 1000, list: [...this.#windows].sort((a, b) => a.from - b.from) }
      : undefined;
    let outcomes: TargetOutcome[];
    let unavailable: string | null = typeof service === 'string' ? service : null;
    try {
      outcomes = evaluateTargets(this.#options.targets, figures, windows);
    } catch (error) {
      if (!(error instanceof ScrapeError)) throw error;
      unavailable = error.message;
      outcomes = evaluateTargets(
        this.#options.targets,
        { ...figures, service: error.message },
        windows,
      );
    }
    const memory = typeof service === 'string' || unavailable ? null : service.residentMemory();
    const { cacheLayers, ...headline } = this.#serviceFigures(after, service, unavailable);
    return {
      ...result,
      targets: {
        outcomes,
        summary: summarizeOutcomes(outcomes),
        windowSeconds: windowMs ? windowMs / 1000 : null,
        abortedBy: this.#abortedBy,
      },
      service: {
        metricsUrl: this.#metricsUrl,
        ...headline,
        residentMemoryMb: memory
          ? {
              before: Math.round(memory.before / 1e5) / 10,
              after: Math.round(memory.after / 1e5) / 10,
            }
          : null,
        healthUrl: this.#prober.url,
        uptime: typeof probes === 'string' ? null : probes,
        ...(cacheLayers ? { cacheLayers } : {}),
        ...(slowAfter ? { slowQueries: runSlowQueries(slowAfter, this.#slowBefore) } : {}),
        ...(windows && windows.list.length > 0
          ? {
              windows: windows.list.map((w) => ({
                from: w.from,
                to: w.to,
                cacheHitRate:
                  typeof w.figures.service === 'string'
                    ? null
                    : value(w.figures.service.cacheHitRate()),
              })),
            }
          : {}),
      },
    };
  }
}
