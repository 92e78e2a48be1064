import { writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { reviveError } from '../errors.js';
import {
  buildResult,
  decodeHistogram,
  type Fold,
  NameFolds,
  OTHER_NAMES,
  type RunResult,
  type SecondRow,
  type StatsDelta,
  StatsRecorder,
} from '../stats/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { workerUrl } from '../util/worker-url.js';
import { BeatReader } from './beat.js';
import {
  createExecutor,
  type Executor,
  type ExecutorContext,
  partOf,
  type Steering,
  splitChange,
} from './executors/index.js';
import { GeneratorMonitor } from './generator-monitor.js';
import { createTarget, type LoadPlan } from './plan.js';
import type { UserClass } from './scenario.js';
import type { ShareEnd } from './share.js';
import { currentTask } from './stray-errors.js';
import { stuckReason } from './stuck-frame.js';
import { DEFAULT_MAX_BLOCK_MS, watchLoop } from './watchdog.js';
import type { FromWorker, ToWorker } from './worker-messages.js';
import { rescueFrozenWorker } from './worker-rescue.js';

/** What the progress line shows, once a second. */
export interface Progress {
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly users: number;
  readonly row: SecondRow;
  readonly requests: number;
  readonly failures: number;
  readonly cpuPercent: number;
  /** This thread's event-loop delay p99 over the last second, in ms. */
  readonly loopLagMs: number;
  /** Each worker thread's users and requests so far (one entry for an in-process run). */
  readonly workers: ReadonlyArray<{ readonly users: number; readonly requests: number }>;
}

export interface RunLoadOptions {
  readonly plan: LoadPlan;
  /** User classes already loaded (in-process runs); workers load the scenario file themselves. */
  readonly classes: readonly UserClass[];
  /** Worker threads; 1 runs in this thread. @default 1 */
  readonly workers?: number;
  /** How long in-flight requests may finish after the end or a stop. @default 5000 */
  readonly graceMs?: number;
  /**
   * The share of V8's heap limit past which the run stops by itself, its result written with the
   * reason (`stopReason`); a warning at three quarters of it. In-process users only (a worker
   * thread has a heap of its own). @default 0.9
   */
  readonly maxHeapShare?: number;
  /**
   * How long a user's task may keep this thread's event loop (a synchronous loop) before the run
   * is ended from another thread, its result handed to `onStuck`. In-process scenario runs.
   * @default 5000
   */
  readonly maxBlockMs?: number;
  /**
   * A task froze the thread (see load/watchdog.ts): write what must be kept, synchronously, and
   * return the exit code; the process ends then. Without it, the reason is said and it ends 130.
   */
  readonly onStuck?: (result: RunResult) => number;
  /** Stops the run early but cleanly: in-flight work gets the grace period. */
  readonly stop?: AbortSignal;
  /** Cuts the run off now; the result holds what was recorded. */
  readonly abort?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly onWarning?: (message: string) => void;
  /** Called after each second is recorded, with the live recorder (targets, windows). */
  readonly onTick?: (recorder: StatsRecorder) => void;
  /**
   * Called once the last, partial second is recorded, with the final recorder (what publishes
   * the run's figures reads them here: a run shorter than a second has no tick).
   */
  readonly onEnd?: (recorder: StatsRecorder) => void;
  readonly version: string;
  /** Recorded in the result as it is. */
  readonly config: Readonly<Record<string, unknown>>;
  /** A steered run (executor type `steered`): changes to it reach every worker. */
  readonly steering?: Steering;
  /** Runs the plan on other processes or machines (a distributed run) instead of here. */
  readonly remote?: RemoteShares;
}

/** What a share elsewhere reports, merged into the run as a worker thread's would be. */
export interface ShareSink {
  /** A second of share `index`: its stats delta and the users it runs. */
  delta(index: number, delta: StatsDelta, users: number): void;
  /** Share `index` ended (its last delta is in `end`). */
  done(index: number, end: ShareEnd): void;
  /** The first iteration a share dropped (said once for the run). */
  dropped(): void;
}

/**
 * Shares of the plan run elsewhere (load/segment.ts): every share is started at one moment and
 * reports through the sink until it ends.
 */
export interface RemoteShares {
  readonly count: number;
  /** Starts every share; resolves with the common start on this process's clock. */
  start(): Promise<number>;
  /**
   * Feeds the shares' reports to `sink` until every share is done; `stop` asks them to stop
   * cleanly, `abort` at once. Resolves with whether the run was cut short (a share was lost),
   * when the last share ended on this process's clock (when known), and, when the shares went
   * out of sight (their Redis gone), the seconds from the start every share was seen for.
   */
  run(
    sink: ShareSink,
    signals: { stop?: AbortSignal | undefined; abort?: AbortSignal | undefined; graceMs: number },
  ): Promise<{ cut: boolean; endedAt?: number; seenS?: number }>;
  /** The run's name cap is reached: every share records these names, others as the overflow. */
  restrict(recorded: ReadonlyArray<readonly [string, string]>): void;
  /** The run folded these positions of request names into `:id`: every share names so. */
  fold(folds: readonly Fold[]): void;
}

/** Said once, when the open model first finds no free user (quick mode: no free connection). */
function droppedWarning(workload: LoadPlan['workload']['kind']): string {
  return workload === 'quick'
    ? 'requests are being dropped: every connection is busy; raise -c or lower --rate (counted in generator.dropped)'
    : 'iterations are being dropped: every user is busy; raise --max-users or lower --rate (counted in generator.dropped)';
}

/** Said once, when the first request name goes past the cap. */
function namesWarning(max: number): string {
  return `more than ${max.toLocaleString('en-US')} distinct request names: new ones are recorded as '${OTHER_NAMES}'; give such requests a name (client.get(url, { name: '/item/:id' })) or raise --max-names`;
}

function until(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

interface RunState {
  users: number;
  /** Per worker thread: users now and requests so far. */
  workers: Array<{ users: number; requests: number }>;
  interrupted: boolean;
  /** Why the generator stopped the run by itself. */
  stopReason?: string;
  /** Workers: tells them the names to keep once the run's name cap is reached. */
  onNamesFull: ((recorded: ReadonlyArray<readonly [string, string]>) => void) | undefined;
  /** Workers: tells them a position of request names is folded into `:id`. */
  onFold: ((fold: Fold) => void) | undefined;
}

/** Runs a load plan to its end (or a stop) and returns the versioned result. */
export async function runLoad(options: RunLoadOptions): Promise<RunResult> {
  const remote = options.remote;
  const workers = remote ? remote.count : (options.workers ?? 1);
  if (remote) {
    // Every instance starts at one moment; the run's clock starts then.
    const wait = (await remote.start()) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const executor = createExecutor(options.plan.executor, options.steering);
  const state: RunState = {
    users: 0,
    workers: Array.from({ length: Math.max(1, workers) }, () => ({ users: 0, requests: 0 })),
    interrupted: false,
    onNamesFull: undefined,
    onFold: undefined,
  };
  // The run decides which integers of request names are `:id`, for every share alike.
  const names = new NameFolds({ onFold: (fold) => state.onFold?.(fold) });
  const recorder = new StatsRecorder(Date.now(), {
    names,
    maxNames: options.plan.maxNames,
    onOverflow: (max, recorded) => {
      options.onWarning?.(namesWarning(max));
      state.onNamesFull?.(recorded);
    },
  });
  const monitor = new GeneratorMonitor();
  const startWall = performance.now();
  // Dropped iterations a second, for the open model's rows.
  let droppedBefore = 0;
  const droppedSince = () => {
    const since = monitor.dropped - droppedBefore;
    droppedBefore = monitor.dropped;
    return since;
  };
  const open = executor.model === 'open';
  let tickFailed = false;
  const tick = () => {
    // A second's bookkeeping must never end the run (its result would be lost): what throws is
    // said once, and the run goes on.
    try {
      second();
    } catch (error) {
      if (!tickFailed)
        options.onWarning?.(`the per-second update failed: ${(error as Error).message}`);
      tickFailed = true;
    }
  };
  // The heap this thread's users fill (a scenario keeping data per request): said at a share
  // of V8's limit, and the run stopped, its result kept, before the process dies at the limit.
  const heap = new HeapGuard(options.maxHeapShare ?? DEFAULT_MAX_HEAP_SHARE);
  const guard = new AbortController();
  const checkHeap = () => {
    const says = heap.check();
    if (says?.stop && !state.stopReason) {
      state.stopReason = says.message;
      options.onWarning?.(`${says.message}: stopping the run, its result kept`);
      state.interrupted = true;
      guard.abort();
    } else if (says && !says.stop) options.onWarning?.(says.message);
  };
  // Four times a second: a leak fast enough to cross the last quarter in one second is caught.
  const heapTimer = setInterval(checkHeap, 250);
  heapTimer.unref();
  const second = () => {
    const cpuPercent = monitor.sample();
    const row = recorder.tick(
      Date.now(),
      state.users,
      open ? droppedSince() : undefined,
      executor.intendedRate?.(),
    );
    if (workers <= 1 && !remote) {
      const own = state.workers[0] as { users: number; requests: number };
      own.users = state.users;
      own.requests += row.requests;
    }
    options.onProgress?.({
      elapsedMs: performance.now() - startWall,
      durationMs: executor.durationMs,
      users: state.users,
      row,
      requests: recorder.requests,
      failures: recorder.failures,
      cpuPercent,
      loopLagMs: monitor.lastLoopLagMs,
      workers: state.workers.map((w) => ({ ...w })),
    });
    options.onTick?.(recorder);
  };
  // Remote shares send their second just after it ends, over the network: this run's seconds
  // close 300 ms later, so each holds the shares' same second rather than whichever arrived.
  let ticker: NodeJS.Timeout | undefined;
  let remoteEnd: number | undefined;
  let seenS: number | undefined;
  const phase = setTimeout(
    () => {
      ticker = setInterval(tick, 1000);
      if (remote) tick();
    },
    remote ? 1300 : 0,
  );
  options.stop?.addEventListener('abort', () => {
    state.interrupted = true;
  });
  /** The result, from what was recorded (synchronous: a frozen thread's last act). */
  const finish = (remoteEnd?: number): RunResult => {
    // The last, partial second.
    recorder.tick(Date.now(), 0, open ? droppedSince() : undefined, executor.intendedRate?.());
    // The seconds after the shares went out of sight hold nothing seen: unknown, not zero.
    if (seenS !== undefined) recorder.unseenAfter(seenS);
    options.onEnd?.(recorder);
    // A distributed run ended when its last agent did, not when that agent's report arrived.
    const endedAt = Math.min(remoteEnd ?? Date.now(), Date.now());
    const result = buildResult(recorder, {
      version: options.version,
      model: executor.model,
      executor: executor.type,
      target:
        options.plan.workload.kind === 'quick' ? options.plan.workload.url : options.plan.host,
      endedAt,
      interrupted: state.interrupted || options.abort?.aborted === true,
      generator: monitor.finish(executor.model, workers),
      templatedNames: options.plan.workload.kind === 'scenario' && !options.plan.rawNames,
      config: options.config,
    });
    return state.stopReason ? { ...result, stopReason: state.stopReason } : result;
  };
  // A user's task that never yields freezes this thread: a watchdog elsewhere ends the run.
  const unwatch =
    workers <= 1 && !remote && options.plan.workload.kind === 'scenario'
      ? watchLoop(options.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS, (stuck) => {
          clearInterval(ticker);
          state.interrupted = true;
          state.stopReason = stuckReason(stuck, currentTask());
          monitor.blocked(stuck.blockedMs);
          options.onWarning?.(`${state.stopReason}: the run is ended, its result kept`);
          const result = finish();
          return options.onStuck ? options.onStuck(result) : keepFrozen(result);
        })
      : undefined;
  // Stopped before it started (a distributed run's Ctrl-C while the agents were told the start).
  if (options.stop?.aborted) state.interrupted = true;
  try {
    if (remote) {
      state.onNamesFull = (recorded) => remote.restrict(recorded);
      state.onFold = (fold) => remote.fold([fold]);
      const ran = await remote.run(shareSink(options, recorder, monitor, state), {
        stop: options.stop,
        abort: options.abort,
        graceMs: options.graceMs ?? 5000,
      });
      if (ran.cut) state.interrupted = true;
      remoteEnd = ran.endedAt;
      seenS = ran.seenS;
    } else if (workers <= 1)
      await runHere(
        {
          ...options,
          stop: options.stop ? AbortSignal.any([options.stop, guard.signal]) : guard.signal,
        },
        executor,
        recorder,
        monitor,
        state,
        names,
      );
    else await runInWorkers(options, workers, recorder, monitor, state);
  } finally {
    clearTimeout(phase);
    clearInterval(ticker);
    clearInterval(heapTimer);
    await unwatch?.();
  }
  return finish(remoteEnd);
}
/**
 * A frozen run whose caller has no outputs of its own to write (the UI, a stress phase): its
 * result goes to the temporary folder, said on stderr, as the process ends. @returns exit code
 */
function keepFrozen(result: RunResult): number {
  const path = join(tmpdir(), `fiml-perf-result-${process.pid}-${Date.now()}.json`);
  let kept: string;
  try {
    writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
    kept = `its result so far is in ${path}`;
  } catch (error) {
    kept = `its result could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  writeSync(
    2,
    `fiml-perf: ${result.stopReason}; this process ends (its thread cannot run again); ${kept}\n`,
  );
  return 130;
}

/** Past this share of V8's heap limit a run stops by itself (`--max-heap`). */
export const DEFAULT_MAX_HEAP_SHARE = 0.9;

/** Watches this thread's heap against V8's limit: one warning on the way, then the stop. */
class HeapGuard {
  #warned = false;
  readonly #limit = getHeapStatistics().heap_size_limit;

  constructor(private readonly stopAt: number) {}

  /** What to say this second, if anything. */
  check(): { readonly stop: boolean; readonly message: string } | undefined {
    const used = getHeapStatistics().used_heap_size;
    const share = used / this.#limit;
    const mb = (bytes: number) => Math.round(bytes / 1048576);
    const where = `the generator's heap is at ${Math.round(share * 100)}% of its limit (${mb(used)} of ${mb(this.#limit)} MB)`;
    if (share >= this.stopAt) return { stop: true, message: where };
    if (share >= this.stopAt * 0.75 && !this.#warned) {
      this.#warned = true;
      return {
        stop: false,
        message: `${where}: does the scenario keep something per request? The run stops at ${Math.round(this.stopAt * 100)}% (--max-heap) with its result written`,
      };
    }
    return undefined;
  }
}

async function runHere(
  options: RunLoadOptions,
  executor: Executor,
  recorder: StatsRecorder,
  monitor: GeneratorMonitor,
  state: { users: number },
  names: NameFolds,
): Promise<void> {
  const { target, close } = createTarget(options.plan, recorder, options.classes, undefined, names);
  const controller = new AbortController();
  options.stop?.addEventListener('abort', () => controller.abort(), { once: true });
  options.abort?.addEventListener('abort', () => controller.abort(), { once: true });
  // Stopped before it started (a Ctrl-C during the set-up): it ends at once.
  if (options.stop?.aborted || options.abort?.aborted) controller.abort();
  let warned = false;
  const context: ExecutorContext = {
    target,
    signal: controller.signal,
    startedAt: performance.now(),
    recordLag: (micros) => monitor.recordLag(micros),
    dropped: () => {
      monitor.dropped++;
      if (!warned) {
        warned = true;
        options.onWarning?.(droppedWarning(options.plan.workload.kind));
      }
    },
  };
  const users = setInterval(() => {
    state.users = target.users;
  }, 100);
  try {
    await executor.run(context);
    state.users = target.users;
    await Promise.race([target.stop(options.graceMs ?? 5000), until(options.abort)]);
  } finally {
    clearInterval(users);
    if (options.abort?.aborted) void close();
    else await close();
  }
}

/** Merges what shares report (worker threads, or agents elsewhere) into the run. */
function shareSink(
  options: RunLoadOptions,
  recorder: StatsRecorder,
  monitor: GeneratorMonitor,
  state: RunState,
): ShareSink {
  const users = new Array<number>(state.workers.length).fill(0);
  let warned = false;
  const add = (index: number, delta: StatsDelta, now: number) => {
    recorder.merge(delta);
    users[index] = now;
    state.users = users.reduce((a, b) => a + b, 0);
    const share = state.workers[index];
    if (share) {
      share.users = now;
      for (const e of delta.endpoints) share.requests += e.requests;
    }
  };
  return {
    delta: add,
    dropped: () => {
      if (!warned) {
        warned = true;
        options.onWarning?.(droppedWarning(options.plan.workload.kind));
      }
    },
    done: (index, end) => {
      add(index, end.delta, 0);
      monitor.addWorkerLag(end.lag);
      monitor.scheduleLag.add(decodeHistogram(end.scheduleLag));
      monitor.dropped += end.dropped;
    },
  };
}

async function runInWorkers(
  options: RunLoadOptions,
  count: number,
  recorder: StatsRecorder,
  monitor: GeneratorMonitor,
  state: RunState,
): Promise<void> {
  const startAt = Date.now() + 300; // time for every worker to load before the common start
  const sink = shareSink(options, recorder, monitor, state);
  const threads: Worker[] = [];
  const maxBlockMs = options.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS;
  // Each worker's beat: one that stands still is a frozen worker; `over` once it ended (or was
  // ended), never watched again.
  const beats = Array.from({ length: count }, () => {
    const beat = new Int32Array(new SharedArrayBuffer(4));
    return { beat, reader: new BeatReader(beat, maxBlockMs, 100), over: false };
  });
  const finished = Array.from({ length: count }, (_, index) => {
    // Each worker runs its segment of the plan: the union is what one thread would run.
    const segment = { index, count };
    const plan: LoadPlan = { ...options.plan, executor: partOf(options.plan.executor, segment) };
    const worker = new Worker(workerUrl('worker', import.meta.url), {
      workerData: {
        plan,
        segment,
        startAt,
        grace: options.graceMs ?? 5000,
        beat: beats[index]?.beat,
      },
    });
    threads.push(worker);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'delta') sink.delta(index, message.delta, message.users);
        else if (message.type === 'dropped') sink.dropped();
        else if (message.type === 'stuck') {
          over(index);
          sink.done(index, message);
          frozen(`${message.reason}, in worker ${index + 1} of ${count}`);
          resolve();
        } else {
          over(index);
          sink.done(index, message);
          resolve();
        }
      });
      worker.on('error', (error) => {
        over(index);
        reject(reviveError(error));
      });
      worker.on('exit', (code) => {
        const ended = beats[index]?.over;
        over(index);
        if (code === 0 || ended) resolve();
        else reject(new Error(`load worker ${index} exited with code ${code}`));
      });
    });
  });
  /** The worker ended, or is being ended: its beat is not watched any more. */
  const over = (index: number) => {
    const b = beats[index];
    if (b) b.over = true;
  };
  // A worker a task froze: named and ended, what it recorded kept, the others stopped.
  const frozen = (reason: string) => {
    if (state.stopReason) return;
    state.stopReason = reason;
    state.interrupted = true;
    options.onWarning?.(`${reason}: the run is ended, its result kept`);
    stopAll();
  };
  const watch = setInterval(() => {
    beats.forEach((b, index) => {
      if (b.over) return;
      const blockedMs = b.reader.check();
      if (blockedMs === undefined) return;
      b.over = true;
      monitor.blocked(blockedMs);
      const worker = threads[index] as Worker;
      rescueFrozenWorker(worker, Math.round(blockedMs))
        .catch((error: Error) =>
          frozen(
            `${stuckReason({ where: `worker ${index + 1} of ${count}`, blockedMs }, undefined)}; where could not be told (${error.message}) and its last second is lost`,
          ),
        )
        .finally(() => void worker.terminate());
    });
  }, 100);
  const send = (message: ToWorker) => {
    for (const worker of threads) worker.postMessage(message);
  };
  state.onNamesFull = (recorded) => send({ type: 'names', recorded });
  state.onFold = (fold) => send({ type: 'folds', folds: [fold] });
  const stopAll = () => send({ type: 'stop', graceMs: options.graceMs ?? 5000 });
  options.stop?.addEventListener('abort', stopAll, { once: true });
  if (options.stop?.aborted) stopAll();
  const unsteer = options.steering?.onChange((change) => {
    threads.forEach((worker, index) => {
      const message: ToWorker = { type: 'steer', change: splitChange(change, index, count) };
      worker.postMessage(message);
    });
  });
  const all = Promise.all(finished);
  await Promise.race([all, until(options.abort)]).finally(() => {
    unsteer?.();
    clearInterval(watch);
  });
  if (options.abort?.aborted) await Promise.all(threads.map((w) => w.terminate()));
  else await all;
}
