import { ArrivalSchedule, WHOLE } from '../segment.js';
import { clockOf, type ExecutorContext } from './executor.js';

/**
 * Starts iterations at the times a rate function asks for, each at its own intended time (so a
 * stalled server or generator shows up as latency, not as fewer requests: coordinated omission
 * corrected, as wrk2 does). `rateAt(t)` is iterations a second at `t` ms after the start.
 *
 * The loop is callback-driven rather than `await`-driven: at thousands of arrivals a second it
 * turns over every few microseconds, and a promise per turn is garbage, and garbage collections
 * are what start iterations late.
 */
export function runSchedule(
  context: ExecutorContext,
  durationMs: number,
  rateAt: (t: number) => number,
  /**
   * The longest sleep between checks. A rate that changes from outside (a steered run) is read
   * when the loop wakes, and time slept is scheduled at the rate found then: a long sleep at a
   * low rate would start late and in a burst after a rise. @default no limit
   */
  maxSleepMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  const { startedAt, target, signal } = context;
  const clock = clockOf(context);
  const segment = context.segment ?? WHOLE;
  const schedule = new ArrivalSchedule(rateAt, durationMs);
  const launch = (_g: number, at: number) => {
    const intended = startedAt + at;
    const now = clock();
    const lag = now - intended;
    if (target.startIteration(intended, now)) context.recordLag(lag > 0 ? lag * 1000 : 0);
    else context.dropped();
  };
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      target.onSettled?.(undefined);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    signal.addEventListener('abort', finish, { once: true });
    /** Starts every iteration of this segment due by now; false once the run is over. */
    const due = (): boolean => {
      const now = clock() - startedAt;
      return schedule.take(now, segment, launch) && now < durationMs;
    };
    // Also check the schedule whenever a request ends: a burst of replies handled in one turn
    // of the event loop would otherwise hold back every start due meanwhile.
    target.onSettled?.(() => {
      if (!signal.aborted) due();
    });
    const step = () => {
      if (signal.aborted) return;
      if (!due()) return finish();
      const now = clock() - startedAt;
      // This segment's next arrival (others' are passed over when it comes), looked for up to a
      // second ahead (the rate function says when; a steered one is capped by maxSleepMs).
      const next = schedule.nextOwnAt(segment, 1000);
      const wait = (next ?? now + 1000) - now;
      // Timers are late by a millisecond or so: sleep until just before, then turn on setImmediate.
      if (wait > 2) timer = setTimeout(step, Math.min(wait - 1.5, maxSleepMs, durationMs - now));
      else setImmediate(step);
    };
    step();
  });
}
