import { formatDuration } from '../../util/duration.js';
import { clockOf, type Executor, type ExecutorContext, sleep } from './executor.js';
import { runSchedule } from './open-schedule.js';

/**
 * A load steered while it runs (k6's externally-controlled executor, Locust's web UI): the users
 * and spawn rate (closed model) or the arrival rate (open model) change when told to.
 */
export interface SteeredConfig {
  readonly type: 'steered';
  readonly model: 'closed' | 'open';
  /** Closed model: users to reach, at `spawnRate` a second (up or down). */
  readonly users: number;
  readonly spawnRate: number;
  /** Open model: iterations started a second. */
  readonly rate: number;
  /** Open model: the most users busy at once. */
  readonly maxUsers: number;
  /** How long at most; 0 runs until stopped. */
  readonly durationMs: number;
}

/** What can change while a steered run goes on. */
export interface SteerChange {
  readonly users?: number;
  readonly spawnRate?: number;
  readonly rate?: number;
}

/** The current settings of a steered run, and who to tell when they change (workers). */
export class Steering {
  users: number;
  spawnRate: number;
  rate: number;
  readonly #listeners = new Set<(change: SteerChange) => void>();

  constructor(config: Pick<SteeredConfig, 'users' | 'spawnRate' | 'rate'>) {
    this.users = config.users;
    this.spawnRate = config.spawnRate;
    this.rate = config.rate;
  }

  /** Applies a change (only the fields given) and tells the listeners. */
  set(change: SteerChange): void {
    if (change.users !== undefined) this.users = Math.max(0, Math.round(change.users));
    if (change.spawnRate !== undefined) this.spawnRate = Math.max(0.001, change.spawnRate);
    if (change.rate !== undefined) this.rate = Math.max(0, change.rate);
    for (const listener of this.#listeners) listener(change);
  }

  onChange(listener: (change: SteerChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const TICK_MS = 50;
/**
 * Users started or stopped in one tick at most: 10,000 a second a thread. Starting a user is
 * synchronous work; a million at once would hold the event loop (and the UI's API with it) for
 * seconds.
 */
const MAX_STEP = 500;
/** The most users a thread starts (or stops) a second, whatever the spawn rate: 10,000. */
export const MAX_SPAWN_RATE_PER_THREAD = (MAX_STEP * 1000) / TICK_MS;

export class SteeredExecutor implements Executor {
  readonly type = 'steered';
  readonly model: 'closed' | 'open';
  readonly durationMs: number;

  constructor(
    private readonly config: SteeredConfig,
    /** Shared with whoever steers; a new one from the config when not given. */
    readonly steering: Steering = new Steering(config),
  ) {
    this.model = config.model;
    this.durationMs = config.durationMs > 0 ? config.durationMs : Number.POSITIVE_INFINITY;
  }

  describe(): string {
    const length = Number.isFinite(this.durationMs)
      ? `up to ${formatDuration(this.durationMs)}`
      : 'until stopped';
    return this.model === 'open'
      ? `open model, steered: ${this.steering.rate}/s to start, up to ${this.config.maxUsers} users, ${length}`
      : `closed model, steered: ${this.steering.users} users to start, spawning ${this.steering.spawnRate}/s, ${length}`;
  }

  intendedRate(): number | undefined {
    return this.model === 'open' ? this.steering.rate : undefined;
  }

  run(context: ExecutorContext): Promise<void> {
    if (this.model === 'open')
      return runSchedule(context, this.durationMs, () => this.steering.rate, TICK_MS);
    return this.#driveUsers(context);
  }

  /** Moves the user count toward the steered one at the steered spawn rate, both ways. */
  async #driveUsers(context: ExecutorContext): Promise<void> {
    const clock = clockOf(context);
    let users = 0;
    let last = clock();
    let budget = 1; // users that may start or stop now: the first one at once
    for (;;) {
      const now = clock();
      if (context.signal.aborted || now - context.startedAt >= this.durationMs) return;
      // Users start or stop at the spawn rate: a tick's worth at most (two, for a late tick), so
      // a lower rate set while ramping takes effect at once.
      const rate = this.steering.spawnRate;
      budget = Math.min(
        budget + ((now - last) / 1000) * rate,
        Math.max(1, (rate * 2 * TICK_MS) / 1000),
      );
      last = now;
      const goal = this.steering.users;
      const step = Math.min(Math.abs(goal - users), Math.floor(budget), MAX_STEP);
      if (step > 0) {
        users += goal > users ? step : -step;
        budget -= step;
        context.target.setUsers(users);
      }
      await sleep(TICK_MS, context.signal);
    }
  }
}
