import type { HttpClient } from './http-client.js';
import type { Random } from './random.js';
import { constant, type WaitTime } from './wait-time.js';

/** Marks user classes across module copies (a scenario may load the package from dist). */
export const USER_BRAND = Symbol.for('fiml-perf.user');
export const TASK_SET_BRAND = Symbol.for('fiml-perf.task-set');

/** What the runner gives every virtual user. */
export interface UserContext {
  readonly id: number;
  readonly client: HttpClient;
  readonly random: Random;
  readonly host: string;
}

/** A function task; `this` and the argument are the user or task set that owns it. */
export type TaskFunction<Owner = never> = (this: Owner, owner: Owner) => unknown;

/** What a task entry runs: a method name of the owner, a function, or a nested task set. */
export type TaskTarget = string | TaskFunction<never> | TaskSetClass;

export interface TaskEntry {
  readonly weight: number;
  readonly target: TaskTarget;
}

/**
 * One weighted entry of `static tasks`: `task(50, 'simpleQuery')`, `task(80, PriceQueryTasks)`,
 * or `task(1, async (user) => { ... })`. @throws RangeError when the weight is not positive
 */
export function task(weight: number, target: TaskTarget): TaskEntry {
  if (!Number.isFinite(weight) || weight <= 0)
    throw new RangeError(`task weight must be a number > 0, got ${weight}`);
  return { weight, target };
}

/**
 * A virtual user, as in Locust: subclass it, set `static tasks` (weighted), `static waitTime`
 * and `static weight`, and keep per-user state in fields. `onStart`/`onStop` run once per user.
 */
export class User {
  static readonly [USER_BRAND] = true;
  /** Share of users of this class when a run mixes classes. @default 1 */
  static weight = 1;
  /** Pause after each task (closed model only). @default constant(0) */
  static waitTime: WaitTime = constant(0);
  /** The tasks a user picks from, by weight. */
  static tasks: readonly TaskEntry[] = [];
  /** Default target, used when neither `--host` nor a URL is given. */
  static host?: string;

  readonly id: number;
  /** Records every request under its `name` in the run's statistics. */
  readonly client: HttpClient;
  /** This user's seeded random source. */
  readonly random: Random;
  readonly host: string;

  constructor(context: UserContext) {
    this.id = context.id;
    this.client = context.client;
    this.random = context.random;
    this.host = context.host;
  }

  /** Runs once when the user starts, before its first task. */
  onStart(): unknown {
    return undefined;
  }

  /** Runs once when the user stops. */
  onStop(): unknown {
    return undefined;
  }
}

/**
 * A weighted group of tasks, picked as one entry of a user's tasks (or of another set). Unlike
 * Locust, a picked set runs one of its tasks and hands back to its parent, so nested weights
 * multiply: 80 x 50% is 40% of all tasks.
 */
export class TaskSet<U extends User = User> {
  static readonly [TASK_SET_BRAND] = true;
  static tasks: readonly TaskEntry[] = [];

  readonly user: U;

  constructor(user: U) {
    this.user = user;
  }

  get client(): HttpClient {
    return this.user.client;
  }

  get random(): Random {
    return this.user.random;
  }
}

export type UserClass = (new (
  context: UserContext,
) => User) & {
  readonly weight: number;
  readonly waitTime: WaitTime;
  readonly tasks: readonly TaskEntry[];
  readonly host?: string;
  readonly name: string;
};

export type TaskSetClass = (new (
  user: never,
) => TaskSet<User>) & {
  readonly tasks: readonly TaskEntry[];
  readonly name: string;
};

export function isUserClass(value: unknown): value is UserClass {
  return (
    typeof value === 'function' &&
    (value as unknown as Record<symbol, unknown>)[USER_BRAND] === true
  );
}

export function isTaskSetClass(value: unknown): value is TaskSetClass {
  return (
    typeof value === 'function' &&
    (value as unknown as Record<symbol, unknown>)[TASK_SET_BRAND] === true
  );
}
