import type { FaultState } from '../faults.js';
import type { Random } from '../random.js';

/** The queue was full; the task never ran. */
export class TaskRejectedError extends Error {
  constructor(readonly task: string) {
    super(`task queue is full; ${task} was not started`);
    this.name = 'TaskRejectedError';
  }
}

/** A task failed, by its own error or by an injected failure. */
export class TaskFailedError extends Error {
  constructor(
    readonly task: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskFailedError';
  }
}

export type TaskOutcome = 'completed' | 'failed' | 'rejected';

/** Told of each task as it settles: the monitor updates the completion rate. */
export interface TaskObserver {
  onTaskSettled(task: string, outcome: TaskOutcome, seconds: number): void;
}

export interface TaskPoolOptions {
  /** Tasks running at once. @default 8 */
  readonly concurrency?: number;
  /** Tasks waiting for a slot before new ones are rejected. @default 1000 */
  readonly maxQueue?: number;
  /** Probability that a task fails on purpose (stress tests). @default 0 */
  readonly failureRate?: number;
  readonly random: Random;
  readonly faults: FaultState;
  readonly observer?: TaskObserver;
}

export interface TaskStats {
  readonly concurrency: number;
  readonly max_queue: number;
  readonly active: number;
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
  /** Rejected tasks also count as failed. */
  readonly rejected: number;
  /** completed / (completed + failed); 1 before any task settled. */
  readonly completion_rate: number;
}

/** A bounded in-process pool for deep-analysis work. */
export class TaskPool {
  readonly #concurrency: number;
  readonly #maxQueue: number;
  readonly #failureRate: number;
  readonly #random: Random;
  readonly #faults: FaultState;
  readonly #observer: TaskObserver | undefined;
  readonly #queue: (() => void)[] = [];
  #active = 0;
  #completed = 0;
  #failed = 0;
  #rejected = 0;

  constructor(options: TaskPoolOptions) {
    this.#concurrency = options.concurrency ?? 8;
    this.#maxQueue = options.maxQueue ?? 1000;
    this.#failureRate = options.failureRate ?? 0;
    this.#random = options.random;
    this.#faults = options.faults;
    this.#observer = options.observer;
  }

  /** Runs `work` when a slot is free. @throws TaskRejectedError, TaskFailedError */
  async run<T>(task: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    if (this.#active >= this.#concurrency) {
      if (this.#queue.length >= this.#maxQueue) {
        this.#rejected++;
        this.#failed++;
        this.#settle(task, 'rejected', started);
        throw new TaskRejectedError(task);
      }
      // The finishing task hands its slot over, so #active already counts this one.
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active++;
    }
    try {
      const rate = this.#faults.taskFailureRate ?? this.#failureRate;
      if (rate > 0 && this.#random() < rate) {
        throw new TaskFailedError(task, `${task} failed (injected task failure)`);
      }
      const result = await work();
      this.#completed++;
      this.#settle(task, 'completed', started);
      return result;
    } catch (error) {
      this.#failed++;
      this.#settle(task, 'failed', started);
      throw error;
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }

  stats(): TaskStats {
    const settled = this.#completed + this.#failed;
    return {
      concurrency: this.#concurrency,
      max_queue: this.#maxQueue,
      active: this.#active,
      queued: this.#queue.length,
      completed: this.#completed,
      failed: this.#failed,
      rejected: this.#rejected,
      completion_rate: settled === 0 ? 1 : this.#completed / settled,
    };
  }

  #settle(task: string, outcome: TaskOutcome, started: number): void {
    this.#observer?.onTaskSettled(task, outcome, (performance.now() - started) / 1000);
  }
}
