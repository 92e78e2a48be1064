/**
 * A user's task that never yields (a synchronous loop) freezes the thread its users run on: no
 * timer fires there any more, not the run's end, not a Ctrl-C's handler. A watchdog on a thread
 * of its own watches this thread's beat; once it has stood still for `--max-block`, it pauses the
 * frozen thread through the inspector (V8 handles that without the thread's loop), names the
 * frame it is stuck in, and runs the stuck handler from inside the pause: the handler writes the
 * result synchronously and ends the process. Ending the frozen code itself is not possible on
 * Node's main thread (terminating it mid-callback corrupts Node's async bookkeeping and aborts).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { workerUrl } from '../util/worker-url.js';
import { startBeat } from './beat.js';
import type { ShareEnd, ShareRun } from './share.js';
import { currentTask } from './stray-errors.js';
import { STUCK_HANDLER, stuckReason } from './stuck-frame.js';

/** Where a frozen thread is stuck, and for how long its loop had not turned. */
export interface Stuck {
  /** `Class.method (file:line:col)`: the innermost frame of the user's code. */
  readonly where: string;
  readonly blockedMs: number;
}

/** How long a task may keep the event loop before the run is ended (`--max-block`). */
export const DEFAULT_MAX_BLOCK_MS = 5000;

/**
 * Watches this thread's event loop until the returned function is called. `onStuck` runs on this
 * thread, inside the pause: synchronously (nothing asynchronous will ever run again), it writes
 * what must be kept and returns the exit code; the process then ends.
 */
export function watchLoop(
  maxBlockMs: number,
  onStuck: (stuck: Stuck) => number,
): () => Promise<void> {
  const beat = new Int32Array(new SharedArrayBuffer(4));
  const ticker = startBeat(beat, Math.max(10, Math.min(100, maxBlockMs / 4)));
  const key = Symbol.for(STUCK_HANDLER);
  const global = globalThis as Record<symbol, unknown>;
  global[key] = (where: string, blockedMs: number) => {
    let code: number;
    try {
      code = onStuck({ where, blockedMs });
    } catch (error) {
      writeSync(2, `fiml-perf: could not end the frozen run cleanly: ${(error as Error).stack}\n`);
      code = 70;
    }
    exitFrozen(code);
  };
  // Our own files' folder (dist/ or src/): frames there are not where a user's code is stuck.
  const ours = new URL('..', import.meta.url).href;
  const thread = new Worker(workerUrl('watchdog-thread', import.meta.url), {
    workerData: { beat, maxBlockMs, ours },
  });
  thread.unref();
  return async () => {
    clearInterval(ticker);
    delete global[key];
    await thread.terminate();
  };
}

/**
 * `watchLoop` for a share run in this thread (a distributed agent's): `onStuck` gets what the
 * share recorded since its last delta and the reason, and returns the exit code.
 */
export function watchShare(
  share: ShareRun,
  maxBlockMs: number,
  onStuck: (end: ShareEnd, reason: string) => number,
): () => Promise<void> {
  return watchLoop(maxBlockMs, (stuck) =>
    onStuck(share.endNow(), stuckReason(stuck, currentTask())),
  );
}

/** Ends the process from inside the watchdog's pause. */
function exitFrozen(code: number): never {
  // Node says "Waiting for the debugger to disconnect..." at the exit of a process whose
  // inspector has a session from another thread attached (the watchdog's); everything this run
  // had to say is said, so that line goes nowhere.
  closeSync(2);
  openSync('/dev/null', 'w');
  process.exit(code);
}
