/**
 * Splitting one load plan between instances (worker threads, or agents on many machines) so that
 * together they run exactly the plan one process would: k6's execution segments, for equal
 * segments. Every instance knows the whole plan and its own index, and runs the global users and
 * iterations whose index it owns (index mod count), so nothing is scheduled centrally:
 *
 * - users: of the first `v` global users, instance `i` runs those numbered i, i + n, i + 2n...;
 *   the shares add up to `v` at every moment, and each share only grows as `v` grows (a rising
 *   ramp never stops a user on one instance to start one on another);
 * - arrivals: the open model's schedule is computed whole on every instance, on a fixed 1 ms grid
 *   (so every instance computes the same times, bit for bit, however its timers wake), and each
 *   starts only the iterations it owns: the union is the single-machine schedule.
 */

/** Instance `index` of `count` (0-based). */
export interface Segment {
  readonly index: number;
  readonly count: number;
}

/** The whole plan, run by one instance. */
export const WHOLE: Segment = { index: 0, count: 1 };

/** A one-line problem with a segment, or undefined when it is valid. */
export function segmentProblem(segment: Segment): string | undefined {
  const { index, count } = segment;
  if (!Number.isInteger(count) || count < 1)
    return `expected a whole number of instances >= 1, got ${count}`;
  if (!Number.isInteger(index) || index < 0 || index >= count)
    return `expected an index from 0 to ${count - 1}, got ${index}`;
  return undefined;
}

/** Whether global user or iteration `g` is this segment's. */
export function owns(segment: Segment, g: number): boolean {
  return g % segment.count === segment.index;
}

/** How many of the global indexes 0..total-1 are this segment's. */
export function shareOf(total: number, segment: Segment): number {
  const { index, count } = segment;
  const whole = Math.max(0, Math.floor(total));
  return whole <= index ? 0 : Math.floor((whole - index - 1) / count) + 1;
}

/** The global index of this segment's `k`-th (0-based) user or iteration. */
export function globalIndex(segment: Segment, k: number): number {
  return segment.index + k * segment.count;
}

/** Tolerance at the end of a schedule: an arrival computed at the end itself is not in the run. */
const END_EPSILON_MS = 1e-6;

/**
 * An open model's arrivals, whole: iteration `g` starts when the integral of the rate reaches
 * `g` (the first at the very start). The rate is read once per millisecond of the schedule, at the
 * middle of that millisecond, and arrivals are computed a millisecond at a time from what is owed,
 * so the times depend only on the rate function, never on when `take` is called.
 */
export class ArrivalSchedule {
  /** The millisecond whose arrivals are in `#pending`. */
  #cell = -1;
  /** Arrivals owed at the start of the next cell (1: the first arrival at 0). */
  #owed = 1;
  /** Global index of the first arrival in `#pending`. */
  #first = 0;
  /** Times (ms) of the arrivals of `#cell` not taken yet, from `#taken`. */
  #pending: number[] = [];
  #taken = 0;

  constructor(
    private readonly rateAt: (ms: number) => number,
    readonly durationMs: number,
  ) {}

  /** Global index of the next arrival not taken. */
  get next(): number {
    return this.#first + this.#taken;
  }

  /**
   * Fills `#pending` with the next cell that has arrivals, computing no cell that starts after
   * `limitMs` (a rate steered from outside is read when its millisecond comes, not before).
   * @returns 'ready', 'later' (nothing due up to the limit) or 'over'
   */
  #fill(limitMs: number): 'ready' | 'later' | 'over' {
    while (this.#taken >= this.#pending.length) {
      const cell = this.#cell + 1;
      if (cell >= this.durationMs - END_EPSILON_MS) return 'over';
      if (cell > limitMs) return 'later';
      this.#first += this.#pending.length;
      this.#pending = [];
      this.#taken = 0;
      this.#cell = cell;
      const perMs = Math.max(0, this.rateAt(cell + 0.5) / 1000);
      const end = Math.min(cell + 1, this.durationMs - END_EPSILON_MS);
      // Arrival j of this cell is due when what is owed reaches j + 1.
      for (let j = 0; perMs > 0; j++) {
        const at = cell + (j + 1 - this.#owed) / perMs;
        if (at >= end) break;
        this.#pending.push(Math.max(cell, at));
      }
      this.#owed += perMs - this.#pending.length;
    }
    return 'ready';
  }

  /**
   * The next arrival not taken (its global index and time, ms after the start), looking no
   * further than cells that start by `limitMs`; undefined when none is due by then, or the
   * schedule is over (`over` says which).
   */
  peek(
    limitMs = Number.POSITIVE_INFINITY,
  ): { readonly g: number; readonly at: number } | undefined {
    if (this.#fill(limitMs) !== 'ready') return undefined;
    return { g: this.next, at: this.#pending[this.#taken] as number };
  }

  /** Whether every arrival of the schedule has been taken. */
  get over(): boolean {
    return this.#fill(this.#cell) === 'over';
  }

  /** Takes the next arrival (after `peek` returned it). */
  skip(): void {
    this.#taken++;
  }

  /**
   * Hands every arrival due by `nowMs` that `segment` owns to `launch`, in order, and passes over
   * the others. @returns false once the schedule is over
   */
  take(nowMs: number, segment: Segment, launch: (g: number, atMs: number) => void): boolean {
    for (;;) {
      const arrival = this.peek(nowMs);
      if (!arrival) return !this.over;
      if (arrival.at > nowMs) return true;
      this.skip();
      if (owns(segment, arrival.g)) launch(arrival.g, arrival.at);
    }
  }

  /**
   * When this segment's next arrival is due, looking at most `horizonMs` ahead (a copy of the
   * schedule is walked; this one does not move). undefined: none within the horizon or the run.
   */
  nextOwnAt(segment: Segment, horizonMs: number): number | undefined {
    const copy = this.#copy();
    const limit = copy.#cell + 1 + horizonMs;
    for (;;) {
      const arrival = copy.peek(limit);
      if (!arrival || arrival.at > limit) return undefined;
      if (owns(segment, arrival.g)) return arrival.at;
      copy.skip();
    }
  }

  #copy(): ArrivalSchedule {
    const copy = new ArrivalSchedule(this.rateAt, this.durationMs);
    copy.#cell = this.#cell;
    copy.#owed = this.#owed;
    copy.#first = this.#first;
    copy.#pending = this.#pending;
    copy.#taken = this.#taken;
    return copy;
  }
}
