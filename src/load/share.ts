import { performance } from 'node:perf_hooks';
import {
  DeltaRecorder,
  encodeHistogram,
  type Fold,
  NameFolds,
  type StatsDelta,
} from '../stats/index.js';
import { createExecutor, Steering, segmentFor } from './executors/index.js';
import { GeneratorMonitor, type LoopLag, LoopWatch } from './generator-monitor.js';
import { createTarget, type LoadPlan } from './plan.js';
import { loadScenario, selectClasses } from './scenario-loader.js';
import type { Segment } from './segment.js';

/** What a share of a run reports when it ends. */
export interface ShareEnd {
  readonly delta: StatsDelta;
  readonly lag: LoopLag;
  /** The open model's schedule lag, encoded. */
  readonly scheduleLag: string;
  readonly dropped: number;
}

export interface ShareOptions {
  /** The plan, with the executor `partOf` gave this segment. */
  readonly plan: LoadPlan;
  readonly segment: Segment;
  readonly graceMs: number;
  /** Every second: what was recorded since the last, and the users running. */
  readonly onDelta: (delta: StatsDelta, users: number) => void;
  /** The first iteration dropped for want of a free user. */
  readonly onDropped?: () => void;
  /** The share started (at the common start, as late as this process's timers made it). */
  readonly onStart?: () => void;
}

/**
 * One segment of a run, in this thread: a worker thread's or a distributed agent's part. Loads
 * the scenario, waits for the common start, runs its share and reports a stats delta every
 * second, which the run merges exactly.
 */
export class ShareRun {
  readonly #recorder = new DeltaRecorder();
  /** Follows the run's decisions on which integers of names are `:id` (`fold`). */
  readonly #names = new NameFolds({ decides: false });
  readonly #monitor = new GeneratorMonitor(false);
  readonly #controller = new AbortController();
  readonly #steering: Steering | undefined;
  #graceMs: number;
  #loop: LoopWatch | undefined;

  constructor(private readonly o: ShareOptions) {
    this.#graceMs = o.graceMs;
    // A steered run: this share, changed by the run's steer messages.
    this.#steering = o.plan.executor.type === 'steered' ? new Steering(o.plan.executor) : undefined;
  }

  /** Stops early: no new iterations, in-flight ones get `graceMs`. */
  stop(graceMs: number): void {
    this.#graceMs = graceMs;
    this.#controller.abort();
  }

  /** The run's name cap is reached: record these names, everything else as the overflow. */
  restrict(recorded: ReadonlyArray<readonly [string, string]>): void {
    this.#recorder.restrict(recorded);
  }

  /** The run folded these positions of request names into `:id`. */
  fold(folds: readonly Fold[]): void {
    this.#names.apply(folds);
  }

  get steering(): Steering | undefined {
    return this.#steering;
  }

  /**
   * Loads the scenario (before the start, so the start is common to every share). @returns what
   * runs the share from `startAt` (this process's clock, Date.now())
   */
  async prepare(): Promise<(startAt: number) => Promise<ShareEnd>> {
    const { plan } = this.o;
    const classes =
      plan.workload.kind === 'scenario'
        ? selectClasses(await loadScenario(plan.workload.file), plan.workload.classNames)
        : [];
    return (startAt) => this.#run(classes, startAt);
  }

  /**
   * What this share recorded since its last delta, now (synchronous): the end of a share whose
   * thread a task froze, taken from inside the watchdog's pause.
   */
  endNow(): ShareEnd {
    return {
      delta: this.#take(),
      lag: this.#loop?.stop() ?? new LoopWatch().stop(),
      scheduleLag: encodeHistogram(this.#monitor.scheduleLag),
      dropped: this.#monitor.dropped,
    };
  }

  /** The delta since the last, with the names in it the run is to decide. */
  #take(): StatsDelta {
    const delta = this.#recorder.take();
    const provisional = this.#names.takeProvisional();
    return provisional ? { ...delta, provisional } : delta;
  }

  async #run(classes: Parameters<typeof createTarget>[2], startAt: number): Promise<ShareEnd> {
    const { plan, segment } = this.o;
    const recorder = this.#recorder;
    const monitor = this.#monitor;
    const { target, close } = createTarget(plan, recorder, classes, segment, this.#names);
    const executor = createExecutor(plan.executor, this.#steering);
    const wait = startAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.o.onStart?.();
    // Watch the loop from the common start: loading the scenario is not part of the run.
    const loop = new LoopWatch();
    this.#loop = loop;
    let warned = false;
    const context = {
      target,
      signal: this.#controller.signal,
      startedAt: performance.now(),
      segment: segmentFor(plan.executor, segment),
      recordLag: (micros: number) => monitor.recordLag(micros),
      dropped: () => {
        monitor.dropped++;
        if (!warned) {
          warned = true;
          this.o.onDropped?.();
        }
      },
    };
    const ticker = setInterval(() => this.o.onDelta(this.#take(), target.users), 1000);
    try {
      await executor.run(context);
      await target.stop(this.#graceMs);
    } finally {
      clearInterval(ticker);
      await close();
    }
    return {
      delta: this.#take(),
      lag: loop.stop(),
      scheduleLag: encodeHistogram(monitor.scheduleLag),
      dropped: monitor.dropped,
    };
  }
}
