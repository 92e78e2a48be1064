import type { RunDatabase } from '../database/index.js';
import {
  type ClientConfig,
  type ExecutorConfig,
  type Progress,
  runLoad,
  type UserClass,
  type Workload,
} from '../load/index.js';
import type { StatsRecorder } from '../stats/index.js';
import { type Target, type TargetedResult, TargetSession } from '../targets/index.js';

/** What every stress kind runs with: the service, the traffic, and the run's controls. */
export interface StressEnv {
  /** Base URL of the service (loopback). */
  readonly host: string;
  /** The scenario's user classes (the standard FIML mix by default). */
  readonly classes: readonly UserClass[];
  readonly scenarioFile: string;
  readonly seed: number;
  /** Open model: most users busy at once. */
  readonly maxUsers: number;
  readonly timeoutMs: number;
  /** TLS trust and client certificate (`--insecure`, `--ca`, `--cert`, `--key`). */
  readonly client?: ClientConfig;
  readonly graceMs: number;
  /** Stops cleanly (Ctrl-C); the kind ends its current phase and reports what it has. */
  readonly stop?: AbortSignal;
  readonly abort?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Each second of every phase, with its recorder (the generator's metrics). */
  readonly onTick?: (recorder: StatsRecorder) => void;
  readonly onWarning?: (message: string) => void;
  /** A line for the user (stderr): phases starting, faults set. */
  readonly note: (line: string) => void;
  readonly version: string;
  /** The database watched over each phase (--postgres, or the embedded FIML's own). */
  readonly database?: RunDatabase;
}

export interface PhaseOptions {
  readonly targets?: readonly Target[];
  readonly windowMs?: number;
  readonly abortOnFail?: boolean;
  readonly abortDelayMs?: number;
  /** Another workload than the scenario (quick mode, for a connection flood). */
  readonly workload?: Workload;
  readonly onTick?: (recorder: StatsRecorder) => void;
  /** Recorded in the result's config. */
  readonly label: string;
}

/**
 * Runs one load phase with a target session around it (service scrapes, health probes,
 * windows): the building block of every stress kind.
 */
export async function runPhase(
  env: StressEnv,
  executor: ExecutorConfig,
  options: PhaseOptions,
): Promise<{ result: TargetedResult; session: TargetSession }> {
  // Signals of this phase only, fed by the run's: runLoad listens on them for the phase's life.
  const stop = new AbortController();
  const abort = new AbortController();
  const forward = () => stop.abort();
  const forwardAbort = () => abort.abort();
  env.stop?.addEventListener('abort', forward, { once: true });
  env.abort?.addEventListener('abort', forwardAbort, { once: true });
  if (env.stop?.aborted) stop.abort();
  if (env.abort?.aborted) abort.abort();
  try {
    const session = await TargetSession.start({
      host: env.host,
      targets: options.targets ?? [],
      windowMs: options.windowMs,
      abortOnFail: options.abortOnFail,
      abortDelayMs: options.abortDelayMs,
      client: env.client,
      onAbort: () => stop.abort(),
    });
    const workload: Workload = options.workload ?? {
      kind: 'scenario',
      file: env.scenarioFile,
      classNames: env.classes.map((c) => c.name),
    };
    await env.database?.begin();
    const result = await runLoad({
      plan: {
        workload,
        executor,
        host: env.host,
        seed: env.seed,
        timeoutMs: env.timeoutMs,
        headers: {},
        client: env.client,
      },
      classes: workload.kind === 'scenario' ? env.classes : [],
      graceMs: env.graceMs,
      stop: stop.signal,
      abort: abort.signal,
      onProgress: env.onProgress,
      onWarning: env.onWarning,
      onEnd: env.onTick,
      onTick: (recorder) => {
        session.onTick(recorder);
        options.onTick?.(recorder);
        env.onTick?.(recorder);
      },
      version: env.version,
      config: { stress: options.label, executor, host: env.host, seed: env.seed },
    });
    await session.endWindow();
    let database: TargetedResult['database'];
    if (env.database)
      try {
        database = await env.database.end(result.durationS);
      } catch (error) {
        // A database lost during the phase costs its view, not the phase's result.
        env.onWarning?.(`no database view of ${options.label}: ${(error as Error).message}`);
      }
    const judged = await session.finish(database ? { ...result, database } : result);
    return { result: judged, session };
  } finally {
    env.stop?.removeEventListener('abort', forward);
    env.abort?.removeEventListener('abort', forwardAbort);
  }
}

/** A stress kind's outcome: the standard result with its own section, and the verdict. */
export interface StressOutcome<S> {
  readonly result: TargetedResult & { readonly stress: S };
  readonly passed: boolean;
  /** Lines that tell the story: what was done, what was seen, the verdict and why. */
  readonly lines: readonly string[];
}
