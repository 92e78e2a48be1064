import { performance } from 'node:perf_hooks';
import type { LoadTarget } from '../load-target.js';
import { type Segment, shareOf } from '../segment.js';

/** What a running executor gets from the run. */
export interface ExecutorContext {
  readonly target: LoadTarget;
  /** Aborted when the run is stopped early (Ctrl-C, a failed target). */
  readonly signal: AbortSignal;
  /** `performance.now()` at the start of the run (on `now`'s clock when one is given). */
  readonly startedAt: number;
  /**
   * The clock the executor reads, in ms; its timers are the global ones. Tests give a fake one
   * (with vitest's fake timers) so a shape's counts do not depend on how busy the machine is.
   * @default performance.now
   */
  readonly now?: () => number;
  /**
   * The part of the plan this thread or instance runs: its share of the users, the arrivals it
   * owns (load/segment.ts). @default the whole plan
   */
  readonly segment?: Segment;
  /** Open model: how late an iteration started, in microseconds. */
  recordLag(micros: number): void;
  /** Open model: an iteration that could not start because every user was busy. */
  dropped(): void;
}

/**
 * What a run's load is made of, as its header counts it: a scenario's users, which are spawned
 * and run iterations, or quick mode's connections, all opened at once, which send requests.
 */
export type LoadUnits = 'users' | 'connections';

/** A load shape: how many users, or how many iterations a second, over time. */
export interface Executor {
  readonly type: string;
  readonly model: 'closed' | 'open';
  readonly durationMs: number;
  /**
   * One line for the run's header, such as `closed model: 100 users, spawning 10/s, 5m`, or in
   * quick mode (`connections`) `closed model: 50 connections, 10s`. @default units 'users'
   */
  describe(units?: LoadUnits): string;
  /** Resolves when the shape has run its course or the signal aborts. */
  run(context: ExecutorContext): Promise<void>;
  /** A steered open model: the rate asked for now (recorded each second, since it changes). */
  intendedRate?(): number | undefined;
}

/** The context's clock, `performance.now` unless it gives one. */
export function clockOf(context: ExecutorContext): () => number {
  return context.now ?? (() => performance.now());
}

/** Sleeps up to `ms`, waking early when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sets the user count from `countAt(t)` (the whole plan's; this segment runs its share) every
 * `tickMs` until the duration ends.
 */
export async function driveUsers(
  context: ExecutorContext,
  durationMs: number,
  wholeAt: (t: number) => number,
  tickMs = 50,
): Promise<void> {
  const segment = context.segment;
  const countAt = segment ? (t: number) => shareOf(wholeAt(t), segment) : wholeAt;
  const now = clockOf(context);
  for (;;) {
    const t = now() - context.startedAt;
    if (context.signal.aborted) return;
    if (t >= durationMs) {
      // Land on the shape's final value (a ramp down to 0 ends at 0).
      context.target.setUsers(countAt(durationMs));
      return;
    }
    context.target.setUsers(countAt(t));
    await sleep(Math.min(tickMs, durationMs - t), context.signal);
  }
}
