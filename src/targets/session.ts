import type { Agent } from 'undici';
import type { DatabaseSection } from '../database/index.js';
import type { RunResult, StatsRecorder } from '../stats/index.js';
import type { ClientConfig } from '../util/client-config.js';
import { evaluateTargets, summarizeOutcomes, type TargetOutcome, type Window } from './evaluate.js';
import { type ClientSlice, type FigureSource, isServiceMetric, resultFigures } from './figures.js';
import { HealthProber, scrapeMetrics, serviceDispatcher } from './probes.js';
import { type Scrape, ScrapeError } from './prometheus.js';
import { ServiceFigures } from './service-figures.js';
import {
  figureValue,
  type ServiceHeadline,
  type ServiceReport,
  serviceHeadline,
} from './service-report.js';
import { readSlowLog, runSlowQueries, type SlowLog } from './slow-queries.js';
import { difference, emptySnapshot, type Snapshot, snapshot } from './snapshot.js';
import type { Target } from './targets-file.js';
import type { TargetedResult, TargetsReport } from './targets-report.js';

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

/** What the live UI shows of the targets and the service while a run goes on. */
export interface LiveTargets {
  readonly outcomes: readonly TargetOutcome[];
  readonly service: ServiceHeadline & Pick<ServiceReport, 'uptime'>;
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
    this.#last ??= emptySnapshot(recorder.startedAt);
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
        ...serviceHeadline(after, this.#service(after), unavailable, this.#options.metricPrefix),
        uptime: typeof probes === 'string' ? null : probes,
      },
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
    this.#last = emptySnapshot(recorder.resetAt ?? Date.now());
    this.#pending.push(
      scrapeMetrics(this.#metricsUrl, 5000, this.#dispatcher).then((scrape) => {
        this.#before = scrape;
        this.#windowScrape = scrape;
      }),
    );
  }

  /**
   * The load is over: stops the health probes. What is read after the window (the database's
   * statistics, which wait for the service's sessions to go idle) must not see our probes, which
   * keep a service's connections busy when its health check asks its database; and uptime counts
   * the window only.
   */
  async endWindow(): Promise<void> {
    await this.#prober.stop();
  }

  /** Stops probing without judging anything: the run it watched failed. */
  async cancel(): Promise<void> {
    await this.#prober.stop();
    await this.#dispatcher?.close();
  }

  /** Stops probing, takes the last scrape and judges every target on the result. */
  async finish(
    result: RunResult & { readonly database?: DatabaseSection | undefined },
  ): Promise<TargetedResult> {
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
    const { cacheLayers, ...headline } = serviceHeadline(
      after,
      service,
      unavailable,
      this.#options.metricPrefix,
    );
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
                    : figureValue(w.figures.service.cacheHitRate()),
              })),
            }
          : {}),
      },
    };
  }
}
