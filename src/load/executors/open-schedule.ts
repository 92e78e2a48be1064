import { performance } from 'node:perf_hooks';
import { type ExecutorContext, sleep } from './executor.js';

/**
 * Starts iterations at the times a rate function asks for, each at its own intended time (so a
 * stalled server or generator shows up as latency, not as fewer requests: coordinated omission
 * corrected, as wrk2 does). `rateAt(t)` is iterations a second at `t` ms after the start.
 */
export async function runSchedule(
  context: ExecutorContext,
  durationMs: number,
  rateAt: (t: number) => number,
): Promise<void> {
  const { startedAt, target } = context;
  let simulated = 0; // ms after the start up to which arrivals have been generated
  let owed = 1; // arrivals owed; starting at 1 puts the first one at the first instant
  const launch = (at: number) => {
    const intended = startedAt + at;
    const lag = performance.now() - intended;
    if (target.startIteration(intended)) context.recordLag(lag > 0 ? lag * 1000 : 0);
    else context.dropped();
  };
  while (!context.signal.aborted) {
    const now = Math.min(performance.now() - startedAt, durationMs);
    while (simulated < now) {
      const step = Math.min(1, now - simulated);
      const perMs = rateAt(simulated + step / 2) / 1000;
      let left = step;
      while (perMs > 0 && owed + perMs * left >= 1) {
        const until = (1 - owed) / perMs;
        if (simulated + until >= durationMs) break; // the run is [0, duration)
        simulated += until;
        left -= until;
        owed = 0;
        launch(simulated);
      }
      owed += perMs * left;
      simulated += left;
    }
    if (now >= durationMs) return;
    const perMs = rateAt(simulated) / 1000;
    const wait = perMs > 0 ? (1 - owed) / perMs : 10;
    // Timers are late by a millisecond or so: sleep until just before, then spin on setImmediate.
    if (wait > 2) await sleep(Math.min(wait - 1.5, durationMs - now), context.signal);
    else await new Promise((resolve) => setImmediate(resolve));
  }
}
