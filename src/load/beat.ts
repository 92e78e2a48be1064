import { performance } from 'node:perf_hooks';

/**
 * A thread's beat: a counter in shared memory it bumps on a timer, which another thread reads to
 * tell a frozen thread (a user's task that never yields) from a busy one. 0 means the thread has
 * not started beating yet (a worker still starting); a thread starts at 1.
 */
export function startBeat(beat: Int32Array, everyMs: number): NodeJS.Timeout {
  Atomics.store(beat, 0, 1);
  const timer = setInterval(() => Atomics.add(beat, 0, 1), everyMs);
  timer.unref();
  return timer;
}

/** Reads another thread's beat, every `pollMs`, and says when it has stood still for `limitMs`. */
export class BeatReader {
  #seen = 0;
  #since: number;
  #lastRead: number;

  constructor(
    private readonly beat: Int32Array,
    private readonly limitMs: number,
    private readonly pollMs: number,
  ) {
    this.#since = performance.now();
    this.#lastRead = this.#since;
  }

  /** @returns how long the beat has stood still, once that reaches the limit; else undefined */
  check(now = performance.now()): number | undefined {
    const value = Atomics.load(this.beat, 0);
    // The reader itself ran late: the whole process was suspended (Ctrl-Z, SIGSTOP, a paused
    // container or VM), and the beat's thread had no chance to beat either.
    const late = now - this.#lastRead > this.pollMs * 5 + 250;
    this.#lastRead = now;
    if (value !== this.#seen || value === 0 || late) {
      this.#seen = value;
      this.#since = now;
      return undefined;
    }
    const still = now - this.#since;
    return still >= this.limitMs ? still : undefined;
  }
}
