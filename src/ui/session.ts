import type { DatabaseSection, RunDatabase } from '../database/index.js';
import { isPerfError, PerfError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import {
  assertReachable,
  type ExecutorConfig,
  formatDuration,
  type LoadPlan,
  MAX_SPAWN_RATE_PER_THREAD,
  type Progress,
  runLoad,
  Steering,
  type UserClass,
} from '../load/index.js';
import { lostLine, writeOutputs } from '../report/index.js';
import type { EndpointSeriesResult, RunResult, SecondRow, StatsRecorder } from '../stats/index.js';
import {
  failuresVerdict,
  type LiveTargets,
  type Target,
  type TargetedResult,
  TargetSession,
  targetsPassed,
} from '../targets/index.js';
import { parseDuration } from '../util/duration.js';
import type { Mark, RunView, Snapshot, Tick, UiEvent, UiState } from './events.js';
import type { EditInput, StartInput } from './form.js';
import { type TargetsFiles, targetsOf } from './targets-input.js';
import { finalTick, liveTick } from './ticks.js';
import { UiError } from './ui-error.js';

/** How the targets are judged; the same flags as `load`. */
export interface UiTargetSettings {
  readonly windowMs: number | undefined;
  readonly abortOnFail: boolean;
  readonly abortDelayMs: number;
  readonly allowUnknown: boolean;
  readonly healthPath: string;
  readonly metricsPath: string;
  /** `--exit-code-on-error`; undefined: 1 for a test without targets, none with them. */
  readonly exitCodeOnError?: number | undefined;
}

export interface UiSessionOptions {
  /** The scenario file and every user class it exports by name, loaded (and type-checked) once. */
  readonly scenarioFile: string;
  readonly classes: ReadonlyMap<string, UserClass>;
  /** The classes a test runs when the form names none (the command line's, or the default). */
  readonly defaultClasses: readonly string[];
  /** The plan's settings that the form does not change (seed, timeout, headers, TLS...). */
  readonly plan: Omit<LoadPlan, 'host' | 'executor' | 'workload'>;
  /** The host a test goes to when the form leaves it empty (--host, or the embedded FIML). */
  readonly defaultHost: string;
  /** Whether `defaultHost` is the embedded FIML. */
  readonly embedded: boolean;
  /**
   * The database watched over each test (--postgres: whatever the host; the embedded FIML's own:
   * only for tests of the embedded FIML).
   */
  readonly database?: RunDatabase;
  /** What the form shows first. */
  readonly defaults: StartInput;
  readonly workers: number;
  readonly graceMs: number;
  /** End a test when a task keeps the event loop this long (`--max-block`). @default 5000 */
  readonly maxBlockMs?: number;
  readonly targetSettings: UiTargetSettings;
  /** Which files the form's targets file may name: those under one folder. */
  readonly targetsFiles: TargetsFiles;
  /** Files written at the end of every test, as `load --json/--csv/--html` do. */
  readonly outputs: { readonly json?: string; readonly csv?: string; readonly html?: string };
  readonly version: string;
  readonly log: (line: string) => void;
  /** Told of every test: its start (what it runs against which host), seconds and end. */
  readonly observe?: ((test: { workload: string; host: string }) => TestObserver) | undefined;
}

/** What follows one test as it runs (the generator's metrics for Prometheus). */
export interface TestObserver {
  readonly onProgress: (progress: Progress) => void;
  readonly onTick: (recorder: StatsRecorder) => void;
  /** The test ended with a result (not called when it failed without one). */
  readonly finish: (result: RunResult) => void;
}

interface ActiveRun {
  /** The database this test is watched on, when it is. */
  database?: RunDatabase | undefined;
  readonly id: number;
  readonly input: StartInput;
  readonly host: string;
  readonly classes: readonly string[];
  readonly model: 'closed' | 'open';
  readonly startedAt: number;
  readonly durationMs: number | null;
  readonly steering: Steering;
  readonly stop: AbortController;
  readonly abort: AbortController;
  readonly targets: readonly Target[];
  readonly session: TargetSession;
  readonly marks: Mark[];
  readonly warnings: string[];
  error: string | null;
  recorder: StatsRecorder | undefined;
  progress: Progress | undefined;
  /** The most users that ran since the users asked for last changed. */
  peakUsers: number;
  live: LiveTargets | undefined;
  liveAt: number;
  latest: Tick | null;
  ended: RunView['ended'];
  /** Its result, once it ended (none when it failed). */
  result: RunResult | TargetedResult | undefined;
  done: Promise<void>;
}

/** How often the targets are judged and the service scraped while a test runs. */
const LIVE_EVERY_MS = 2000;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * One UI's tests, one at a time: starts them from the form's input, steers and stops them,
 * keeps the whole run's figures for late tabs, and the last result for downloads.
 */
export class UiSession {
  #state: UiState = 'ready';
  #run: ActiveRun | undefined;
  #runs = 0;
  /** Cancels a test that is still starting (checking its host, first scrape). */
  #starting: AbortController | undefined;
  /** Set once the UI is quitting: no test starts after that. */
  #closed = false;
  readonly #listeners = new Set<(event: UiEvent) => void>();
  readonly #classNames: Map<string, UserClass>;

  constructor(readonly options: UiSessionOptions) {
    this.#classNames = new Map(options.classes);
  }

  get state(): UiState {
    return this.#state;
  }

  /** The result of the current test once it ended; none while it runs or when it failed. */
  get result(): RunResult | TargetedResult | undefined {
    return this.#run?.result;
  }

  /** Resolves when the current test (if any) has ended and its files are written. */
  async settled(): Promise<void> {
    await this.#run?.done;
  }

  /** The current (or last) test, as the API shows it; null before the first. */
  get current(): RunView | null {
    return this.#view();
  }

  /** The exit code of the last test as `load` would give it; 0 when none ran. */
  get exitCode(): number {
    return this.#run?.ended?.code ?? 0;
  }

  subscribe(listener: (event: UiEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: UiEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log(`cannot send a UI event: ${(error as Error).message}`);
      }
    }
  }

  #emitState(): void {
    this.#emit({ type: 'state', data: { state: this.#state, run: this.#view() } });
  }

  snapshot(): Snapshot {
    const run = this.#run;
    const live = run?.recorder && !run.ended;
    let endpointSeries: Record<string, EndpointSeriesResult> = {};
    let rows: readonly SecondRow[] = [];
    if (live && run.recorder) {
      rows = run.recorder.series;
      for (const [key, s] of run.recorder.endpoints) endpointSeries[key] = s.series;
    } else if (run?.result) {
      rows = run.result.timeseries;
      endpointSeries = { ...(run.result.endpointSeries ?? {}) };
    }
    return {
      state: this.#state,
      version: this.options.version,
      scenario: this.options.scenarioFile,
      classes: [...this.options.classes].map(([name, c]) => ({ name, weight: c.weight })),
      defaultClasses: this.options.defaultClasses,
      defaultHost: this.options.defaultHost,
      embedded: this.options.embedded,
      defaults: this.options.defaults,
      workers: this.options.workers,
      run: this.#view(),
      rows,
      endpointSeries,
      latest: run?.latest ?? null,
    };
  }

  #view(): RunView | null {
    const run = this.#run;
    if (!run) return null;
    return {
      id: run.id,
      host: run.host,
      classes: run.classes,
      input: run.input,
      startedAt: new Date(run.startedAt).toISOString(),
      model: run.model,
      thresholds: run.targets.flatMap((t) =>
        t.expr.kind === 'latency' && t.expr.metric.scope === 'run'
          ? [{ label: t.expr.source, ms: t.expr.threshold }]
          : [],
      ),
      marks: [...run.marks],
      warnings: [...run.warnings],
      error: run.error,
      ended: run.ended,
    };
  }

  /**
   * Starts a test: checks the input, the targets and that the host answers, then runs it in the
   * background. @throws UiError 409 when a test is running, 400 or 422 for bad input
   */
  async start(input: StartInput): Promise<RunView> {
    if (this.#closed) throw new UiError(503, 'the UI is quitting');
    if (this.#state === 'starting' || this.#state === 'running' || this.#state === 'stopping')
      throw new UiError(409, 'a test is running; stop it before starting another');
    const classes = input.classes.length > 0 ? input.classes : this.options.defaultClasses;
    const unknown = classes.filter((c) => !this.#classNames.has(c));
    if (unknown.length > 0)
      throw new UiError(
        400,
        `no user class ${unknown.join(', ')} in ${this.options.scenarioFile}; it has ${[...this.#classNames.keys()].join(', ')}`,
      );
    const targets = targetsOf(input, this.options.targetsFiles);
    const host = (input.host || this.options.defaultHost).replace(/\/$/, '');
    if (input.model === 'closed' && input.users < this.options.workers && input.users > 0)
      this.options.log(
        `${input.users} users over ${this.options.workers} workers: some workers run none`,
      );
    this.#state = 'starting';
    const starting = new AbortController();
    this.#starting = starting;
    this.#emitState();
    const giveUp = () => {
      this.#starting = undefined;
      this.#state = this.#run ? 'stopped' : 'ready';
      this.#emitState();
    };
    const stopped = () => new UiError(409, 'the test was stopped before it started');
    try {
      await assertReachable(host, this.options.plan.client, 'start the service or fix the host');
    } catch (error) {
      giveUp();
      if (error instanceof PerfError) throw new UiError(422, error.message, error.code);
      throw error;
    }
    if (starting.signal.aborted) {
      giveUp();
      throw stopped();
    }
    let session: TargetSession;
    try {
      session = await TargetSession.start({
        host,
        targets,
        windowMs: this.options.targetSettings.windowMs,
        abortOnFail: this.options.targetSettings.abortOnFail,
        abortDelayMs: this.options.targetSettings.abortDelayMs,
        healthPath: this.options.targetSettings.healthPath,
        metricsPath: this.options.targetSettings.metricsPath,
        client: this.options.plan.client,
        onAbort: (outcome, at) => {
          run.warnings.push(
            `target '${outcome.name}' (${outcome.expression}) failed at ${at.toFixed(0)}s with ${outcome.actual}: stopped (--abort-on-fail)`,
          );
          if (this.#state === 'running') this.#state = 'stopping';
          run.stop.abort();
          this.#emitState();
        },
      });
    } catch (error) {
      giveUp();
      throw error;
    }
    if (starting.signal.aborted) {
      await session.cancel();
      giveUp();
      throw stopped();
    }
    this.#starting = undefined;
    const durationMs = input.runTime ? (parseDuration(input.runTime) as number) : null;
    const executor: ExecutorConfig = {
      type: 'steered',
      model: input.model,
      users: input.users,
      spawnRate: input.spawnRate,
      rate: input.rate,
      maxUsers: input.maxUsers,
      durationMs: durationMs ?? 0,
    };
    const run: ActiveRun = {
      id: ++this.#runs,
      input,
      host,
      classes,
      model: input.model,
      startedAt: Date.now(),
      durationMs,
      steering: new Steering(executor),
      stop: new AbortController(),
      abort: new AbortController(),
      targets,
      session,
      marks: [],
      warnings: [],
      error: null,
      recorder: undefined,
      progress: undefined,
      peakUsers: 0,
      live: undefined,
      liveAt: 0,
      latest: null,
      ended: null,
      result: undefined,
      done: Promise.resolve(),
    };
    if (input.model === 'closed') {
      const warning = rampWarning(0, input.users, input.spawnRate, this.options.workers, {
        leftMs: durationMs,
        started: true,
      });
      if (warning) this.#warn(run, warning);
    }
    this.#run = run;
    this.#state = 'running';
    const plan: LoadPlan = {
      ...this.options.plan,
      host,
      executor,
      workload: { kind: 'scenario', file: this.options.scenarioFile, classNames: [...classes] },
    };
    this.options.log(
      `Test ${run.id} started: ${classes.join(', ')} against ${host}, ${describe(input)}`,
    );
    // #execute handles its own failures; this is the last guard against a crash by rejection.
    run.done = this.#execute(run, plan, session).catch((error: Error) =>
      this.options.log(`Test ${run.id}: internal error: ${error.stack ?? error.message}`),
    );
    this.#emit({ type: 'snapshot', data: this.snapshot() });
    return this.#view() as RunView;
  }

  async #execute(run: ActiveRun, plan: LoadPlan, session: TargetSession): Promise<void> {
    let result: RunResult | TargetedResult | undefined;
    let failure: unknown;
    let observer: TestObserver | undefined;
    try {
      observer = this.options.observe?.({
        workload: `${this.options.scenarioFile} (${run.classes.join(', ')})`,
        host: run.host,
      });
      const database =
        this.options.database &&
        (this.options.database.source === 'service' || run.host === this.options.defaultHost)
          ? this.options.database
          : undefined;
      await database?.begin();
      run.database = database;
      const loaded = await runLoad({
        plan,
        classes: run.classes.map((c) => this.#classNames.get(c) as UserClass),
        workers: this.options.workers,
        graceMs: this.options.graceMs,
        maxBlockMs: this.options.maxBlockMs,
        stop: run.stop.signal,
        abort: run.abort.signal,
        steering: run.steering,
        onProgress: (progress) => {
          run.progress = progress;
          run.peakUsers = Math.max(run.peakUsers, progress.users);
          observer?.onProgress(progress);
        },
        onWarning: (message) => {
          if (!run.warnings.includes(message)) run.warnings.push(message);
          this.options.log(`WARNING: ${message}`);
        },
        onEnd: observer?.onTick,
        onTick: (recorder) => {
          session.onTick(recorder);
          observer?.onTick(recorder);
          run.recorder = recorder;
          try {
            this.#tick(run, recorder, session);
          } catch (error) {
            this.options.log(`cannot show a second of the test: ${(error as Error).message}`);
          }
        },
        version: this.options.version,
        config: {
          workload: plan.workload,
          executor: plan.executor,
          host: run.host,
          embeddedFiml: this.options.embedded && run.host === this.options.defaultHost,
          workers: this.options.workers,
          seed: plan.seed,
          timeoutMs: plan.timeoutMs,
          graceMs: this.options.graceMs,
          ui: { marks: run.marks },
          userClasses: run.classes.map((name) => {
            const c = this.#classNames.get(name) as UserClass;
            return { name, weight: c.weight, waitTime: c.waitTime.description };
          }),
        },
      });
      let finished: typeof loaded & { database?: DatabaseSection } = loaded;
      // Kept at once: judging the targets can fail, the run's figures are still written.
      result = finished;
      if (database)
        try {
          // The health probes end with the load: the service's sessions must go idle for the
          // database's end snapshot (a probe that queries the database keeps one busy).
          await session.endWindow();
          finished = { ...loaded, database: await database.end(loaded.durationS) };
        } catch (error) {
          this.options.log(`WARNING: no database view of the test: ${(error as Error).message}`);
        }
      const targeted = await session.finish(finished);
      result = run.targets.length > 0 ? targeted : withoutTargets(targeted);
    } catch (error) {
      if (!result) await session.cancel().catch(() => undefined);
      run.error = (error as Error).message;
      failure = error;
      // A user's mistake keeps its message; anything else is a bug, reported as one.
      this.options.log(
        isPerfError(error)
          ? `Test ${run.id} failed: ${run.error}`
          : `Test ${run.id} failed: internal error, please report it with this trace:\n${(error as Error).stack ?? String(error)}`,
      );
    }
    // Whatever kept them from starting (the run time, the spawn rate, a generator at its limit),
    // a test that ends short of its users says so.
    if (result && run.model === 'closed' && run.peakUsers < run.steering.users)
      this.#warn(
        run,
        `the test ended with ${count(run.peakUsers)} of the ${count(run.steering.users)} users asked for`,
      );
    run.result = result;
    const passed =
      result && 'targets' in result
        ? targetsPassed(result.targets.summary, this.options.targetSettings.allowUnknown)
        : null;
    const failed = failure === undefined ? undefined : isPerfError(failure) ? EXIT.usage : EXIT.bug;
    // As `load` judges it: failed requests give exit 1 unless targets judge the test.
    const failures =
      result && failed === undefined && passed !== false
        ? failuresVerdict(
            result,
            this.options.targetSettings.exitCodeOnError ??
              (passed === null ? EXIT.failed : undefined),
          )
        : null;
    run.ended = {
      code: failed ?? failures?.code ?? (passed === false ? EXIT.failed : EXIT.ok),
      passed,
    };
    try {
      if (result) {
        // The files first: nothing after them may lose the run.
        await this.#write(result);
        observer?.finish(result);
        run.latest = finalTick(run, result);
        this.options.log(
          `Test ${run.id} ended after ${result.durationS}s: ${result.totals.requests} requests, ${result.totals.failures} failures${passed === null ? '' : passed ? ', targets met' : ', targets missed'}`,
        );
        if (failures) this.options.log(`Test ${run.id}: ${failures.line}`);
      }
    } catch (error) {
      run.ended = { code: EXIT.bug, passed };
      this.options.log(
        `Test ${run.id}: internal error after its end, please report it with this trace:\n${(error as Error).stack ?? String(error)}`,
      );
    } finally {
      this.#state = 'stopped';
      this.#emit({ type: 'snapshot', data: this.snapshot() });
    }
  }

  #warn(run: ActiveRun, message: string): void {
    run.warnings.push(message);
    this.options.log(`WARNING: ${message}`);
  }

  /** Writes the files the command line asked for, the JSON first; a failure is logged, not thrown. */
  async #write(result: RunResult): Promise<void> {
    const written = await writeOutputs(result, this.options.outputs, {}, this.options.log);
    if (written.lost.length > 0) this.options.log(lostLine(written));
  }

  #tick(run: ActiveRun, recorder: StatsRecorder, session: TargetSession): void {
    const now = Date.now();
    if (now - run.liveAt >= LIVE_EVERY_MS) {
      run.liveAt = now;
      session
        .live()
        .then((live) => {
          if (live) run.live = live;
        })
        .catch((error: Error) => this.options.log(`cannot read the targets: ${error.message}`));
    }
    const tick = liveTick(run, recorder, this.options.workers);
    if (!tick) return;
    run.latest = tick;
    this.#emit({ type: 'tick', data: tick });
  }

  /** Changes the users and spawn rate, or the rate, of the running test. @throws UiError */
  edit(change: EditInput): RunView {
    const run = this.#run;
    if (!run || this.#state !== 'running')
      throw new UiError(409, 'no test is running; start one first');
    if (run.model === 'closed' && change.rate !== undefined)
      throw new UiError(
        400,
        'this test runs the closed model (users); change users and spawnRate, or start an open-model test to set a rate',
      );
    if (run.model === 'open' && (change.users !== undefined || change.spawnRate !== undefined))
      throw new UiError(
        400,
        'this test runs the open model (a rate); change rate, or start a closed-model test to set users',
      );
    const users = run.progress?.users ?? 0;
    run.steering.set(change);
    const t = run.recorder ? (Date.now() - run.recorder.startedAt) / 1000 : 0;
    if (run.model === 'closed') {
      if (change.users !== undefined) run.peakUsers = users;
      const warning = rampWarning(
        users,
        run.steering.users,
        run.steering.spawnRate,
        this.options.workers,
        { leftMs: run.durationMs === null ? null : run.durationMs - t * 1000, started: false },
      );
      if (warning) this.#warn(run, warning);
    }
    const label =
      change.rate !== undefined
        ? `rate → ${change.rate}/s`
        : change.users !== undefined
          ? `users → ${change.users}`
          : `spawn rate → ${change.spawnRate}/s`;
    run.marks.push({ t: round(t), label });
    this.options.log(`Test ${run.id}: ${label}`);
    this.#emitState();
    return this.#view() as RunView;
  }

  /**
   * Stops the running test (in-flight requests get the grace period), or one still starting;
   * again while stopping, cuts it off. @throws UiError 409 when none is running
   */
  stop(): RunView | null {
    if (this.#state === 'starting') {
      this.#starting?.abort();
      return this.#view();
    }
    const run = this.#run;
    if (!run || (this.#state !== 'running' && this.#state !== 'stopping'))
      throw new UiError(409, 'no test is running');
    if (this.#state === 'stopping') {
      run.abort.abort();
      return this.#view() as RunView;
    }
    this.#state = 'stopping';
    run.stop.abort();
    this.options.log(`Test ${run.id}: stopping`);
    this.#emitState();
    return this.#view() as RunView;
  }

  /** Starts the statistics again; the charts keep the run's history. @throws UiError 409 */
  reset(): void {
    const run = this.#run;
    if (!run?.recorder || this.#state !== 'running')
      throw new UiError(409, 'no test is running; statistics are reset when a test starts');
    run.recorder.reset();
    run.session.onReset(run.recorder);
    run.marks.push({
      t: round((Date.now() - run.recorder.startedAt) / 1000),
      label: 'stats reset',
    });
    this.options.log(`Test ${run.id}: statistics reset`);
    // The database's window starts again at the reset too.
    run.database
      ?.begin()
      .catch((error: Error) =>
        this.options.log(`WARNING: no database snapshot at the reset: ${error.message}`),
      );
    // Open tabs keep their charts (the history stays) and mark the reset; the tables follow at
    // the next second.
    this.#emitState();
  }

  /** Stops any test and waits for its end (the UI is quitting); a second call cuts it off. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#state === 'starting') this.#starting?.abort();
    else if (this.#state === 'running') this.stop();
    else if (this.#state === 'stopping') this.#run?.abort.abort();
    await this.settled();
    this.#listeners.clear();
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Why a closed-model test cannot reach `to` users from `from` before it ends, if it cannot:
 * users start at the spawn rate, at most 10,000 a second a thread (issue 25: a million users at
 * 10/s were taken without a word, and the test ended at 14,501).
 */
function rampWarning(
  from: number,
  to: number,
  spawnRate: number,
  workers: number,
  end: { leftMs: number | null; started: boolean },
): string | undefined {
  if (end.leftMs === null || to <= from) return undefined;
  const most = MAX_SPAWN_RATE_PER_THREAD * Math.max(1, workers);
  const rate = Math.min(spawnRate, most);
  const needMs = ((to - from) / rate) * 1000;
  if (needMs <= end.leftMs) return undefined;
  // The first user of a test starts at once, the others at the rate.
  const about = Math.min(to, from + (from === 0 ? 1 : 0) + Math.floor((rate * end.leftMs) / 1000));
  const capped = spawnRate > most;
  const at = capped
    ? `${count(rate)}/s (at most ${count(MAX_SPAWN_RATE_PER_THREAD)} a second a worker thread; --workers adds threads)`
    : `${count(rate)}/s`;
  return `${count(to)} users at ${at} take ${formatDuration(needMs)} to start; the test ends ${end.started ? 'after' : 'in'} ${formatDuration(end.leftMs)} with about ${count(about)}: ${capped ? 'use more --workers or a longer runTime' : 'raise spawnRate or runTime'}, or ask for fewer users`;
}

function describe(input: StartInput): string {
  const length = input.runTime ? `for ${input.runTime}` : 'until stopped';
  return input.model === 'open'
    ? `open model, ${input.rate}/s, up to ${input.maxUsers} users, ${length}`
    : `closed model, ${input.users} users at ${input.spawnRate}/s, ${length}`;
}

/** A result with its service figures but without a targets report (no targets were set). */
function withoutTargets(result: TargetedResult): RunResult {
  const { targets: _targets, ...rest } = result;
  return rest;
}
