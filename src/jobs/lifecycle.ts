/**
 * A command's run, end to end, in one place: where it starts (its outputs checked before
 * anything runs; the service: the embedded FIML, or --host and the probe), how it stops (two-stage
 * SIGINT/SIGTERM, handled until the last file is written), what it writes when the job fails
 * after its load (the result it kept), and what it cleans up (last started, first stopped,
 * whatever happened). Every job (load, run, stress, profile, ui) runs inside `runLifecycle`.
 */
import { InterruptedError, PerfError } from '../errors.js';
import { assertReachable, type ClientConfig } from '../load/index.js';
import { type PlannedOutput, unwritable } from '../util/writable.js';
import { type EmbeddedFiml, startEmbeddedFiml } from './embedded-fiml.js';
import { ProgressPrinter } from './progress.js';

/** How a job's lifecycle speaks and what it checks first. */
export interface LifecycleOptions {
  /** What the first Ctrl-C (or SIGTERM) says: the job stops gracefully. */
  readonly stopping: (signal: NodeJS.Signals) => string;
  /** What the second says: the job stops now and writes what it has. */
  readonly stoppingNow?: (signal: NodeJS.Signals) => string;
  /** Files and folders the job writes at its end, checked before anything starts. */
  readonly outputs?: readonly PlannedOutput[];
}

/** The service a job sends its load to. */
export interface ServiceRequest {
  /** --host (or the scenario's host); undefined starts the embedded FIML. */
  readonly host: string | undefined;
  /** The URL the probe tries before the run (quick mode's URL), the host by default; false: none. */
  readonly probe?: string | false | undefined;
  readonly client: ClientConfig | undefined;
  /** Extra `fiml-perf serve` flags for the embedded FIML. */
  readonly fimlArgs?: readonly string[];
  /** Start the embedded FIML with its inspector on loopback (to profile it). */
  readonly inspect?: boolean;
}

export interface Service {
  readonly host: string;
  /** Whether it is the embedded FIML (this job started it and stops it). */
  readonly embedded: boolean;
  /** The embedded FIML's inspector, when asked for. */
  readonly inspectorUrl?: string | undefined;
  /** The embedded FIML's own database, watched over the run's window. */
  readonly databaseUrl?: string | undefined;
}

/** What a job holds of its lifecycle. */
export class Lifecycle {
  /** Aborted by the first Ctrl-C: stop starting work, give in-flight requests their grace. */
  readonly stop = new AbortController();
  /** Aborted by the second: stop now. */
  readonly abort = new AbortController();
  readonly progress = new ProgressPrinter();
  readonly #cleanups: Array<() => unknown> = [];
  readonly #waiters = new Set<() => void>();
  #rescue: (() => Promise<unknown>) | undefined;
  #signals = 0;
  #running = false;

  constructor(private readonly options: LifecycleOptions) {}

  /**
   * Between the steps of a job's set-up: a Ctrl-C during the set-up ends the job here, before
   * its load, with nothing sent and nothing written. @throws InterruptedError (exit 130)
   */
  checkpoint(): void {
    if (this.stop.signal.aborted) throw new InterruptedError();
  }

  /**
   * The set-up is over and the load starts now (the last checkpoint): a Ctrl-C from here stops
   * the load and keeps what it recorded.
   */
  starting(): void {
    this.checkpoint();
    this.#running = true;
  }

  /**
   * Runs the cleanups deferred so far, now (the service stopped, connections closed), for a job
   * that still has something to do after its run: the metrics' grace wait.
   */
  async release(): Promise<void> {
    await this.cleanup();
  }

  /** A line on stderr that does not tear the progress line. */
  readonly log = (line: string): void => this.progress.note(line);

  /** Runs `cleanup` when the job ends, however it ends; the last deferred runs first. */
  defer(cleanup: () => unknown): void {
    this.#cleanups.push(cleanup);
  }

  /**
   * The service of the run: the embedded FIML, started now and stopped when the job ends (and
   * with this process, however it ends), or `host` after one probe connection.
   * @throws PerfError FP_ERR_HOST_UNREACHABLE, FP_ERR_TLS, FP_ERR_EMBEDDED_FIML
   */
  async service(request: ServiceRequest): Promise<Service> {
    if (request.host) {
      if (request.probe !== false)
        await assertReachable(
          request.probe ?? request.host,
          request.client,
          'start the service or fix --host/the URL',
        );
      return { host: request.host, embedded: false };
    }
    const fiml: EmbeddedFiml = await startEmbeddedFiml(request.fimlArgs, {
      inspect: request.inspect ?? false,
      onExit: (how) => this.log(`WARNING: the embedded FIML ${how} during the run`),
    });
    this.defer(() => fiml.stop());
    this.log(
      `Embedded FIML started at ${fiml.url}${request.inspect ? ', its inspector on loopback' : ''}`,
    );
    return {
      host: fiml.url,
      embedded: true,
      inspectorUrl: fiml.inspectorUrl,
      databaseUrl: fiml.databaseUrl,
    };
  }

  /**
   * What to write if the job fails before it writes its outputs: the result it has so far.
   * Call again with each newer result; `written()` once the outputs are written.
   */
  keep(write: () => Promise<unknown>): void {
    this.#rescue = write;
  }

  /** The outputs are written: nothing left to rescue. */
  written(): void {
    this.#rescue = undefined;
  }

  /** Resolves at the next Ctrl-C or SIGTERM (a wait the user may cut short). */
  nextSignal(): Promise<void> {
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  /** @internal the signal handler of `runLifecycle` */
  readonly onSignal = (signal: NodeJS.Signals): void => {
    this.#signals += 1;
    const waiting = [...this.#waiters];
    this.#waiters.clear();
    for (const resolve of waiting) resolve();
    if (this.#signals === 1) {
      this.log(
        this.#running
          ? this.options.stopping(signal)
          : `${signal}: stopping before the load starts`,
      );
      this.stop.abort();
    } else if (this.#signals === 2) {
      this.log(
        this.options.stoppingNow?.(signal) ??
          `${signal} again: stopping now and writing what was recorded`,
      );
      this.abort.abort();
    } else if (waiting.length === 0)
      this.log(
        `${signal}: writing the results; they are complete in a moment (kill -9 abandons them)`,
      );
  };

  /** @internal writes the kept result when the job failed before it did */
  async rescue(): Promise<void> {
    const write = this.#rescue;
    this.#rescue = undefined;
    if (!write) return;
    this.log('The job failed after its load: writing the result it recorded first');
    // The error that ended the job is the one to report; a write that fails here is logged.
    await write().catch((error: Error) =>
      this.log(`cannot write the recorded result: ${error.message}`),
    );
  }

  /** @internal runs the deferred cleanups, last first; one that fails does not stop the others */
  async cleanup(): Promise<void> {
    while (this.#cleanups.length > 0) {
      const cleanup = this.#cleanups.pop() as () => unknown;
      try {
        await cleanup();
      } catch (error) {
        this.log(`cleanup failed: ${(error as Error).message}`);
      }
    }
    this.progress.clear();
  }
}

/**
 * Checks that every output can be written, before anything runs.
 * @throws PerfError FP_ERR_WRITE naming each path and what is wrong with it
 */
export function checkOutputs(outputs: readonly PlannedOutput[]): void {
  const problems = outputs.map(unwritable).filter((p) => p !== undefined);
  if (problems.length > 0)
    throw new PerfError(
      'FP_ERR_WRITE',
      `${problems.join('; ')}; pick writable paths (checked before the run: nothing ran)`,
    );
}

/**
 * Runs a job inside its lifecycle: outputs checked, signals handled from the start until the
 * last file is written and the last cleanup done, the kept result written if the job throws.
 */
export async function runLifecycle<T>(
  options: LifecycleOptions,
  job: (life: Lifecycle) => Promise<T>,
): Promise<T> {
  checkOutputs(options.outputs ?? []);
  const life = new Lifecycle(options);
  process.on('SIGINT', life.onSignal);
  process.on('SIGTERM', life.onSignal);
  try {
    return await job(life);
  } catch (error) {
    await life.rescue();
    throw error;
  } finally {
    await life.cleanup();
    process.off('SIGINT', life.onSignal);
    process.off('SIGTERM', life.onSignal);
  }
}
