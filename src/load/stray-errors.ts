/**
 * A user's task may leave errors behind it: a promise it did not await that rejects, a throw in
 * a timer it set. Node would end the process (and lose the run); while a scenario runs, such an
 * error is charged to the task it came from instead, found through the task's async context, and
 * the run goes on. An error from outside any task is not the user's: it still ends the process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What a stray error is charged to: the user class, the task last picked, where to record. */
export interface TaskScope {
  readonly userClass: string;
  task: string;
  readonly record: (message: string) => void;
}

const scope = new AsyncLocalStorage<TaskScope>();
let guarded = false;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

function onRejection(reason: unknown): void {
  const task = scope.getStore();
  if (!task) throw reason;
  task.record(`${task.task || 'a task'}: a promise it did not await rejected: ${describe(reason)}`);
}

function onException(error: Error): void {
  const task = scope.getStore();
  if (!task) throw error;
  task.record(`${task.task || 'a task'}: a callback it left threw: ${describe(error)}`);
}

/** Runs `fn` (a user's task) in `task`'s context: what it leaves behind is charged to it. */
export function inTask<T>(task: TaskScope, fn: () => T): T {
  return scope.run(task, fn);
}

/**
 * From now on, in this thread: a stray error of a task is recorded, not fatal. Installed once and
 * kept, because a user's timer may fire after the run it was set in (while the results are being
 * written); an error from outside every task still ends the process as it would have.
 */
export function guardStrayErrors(): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
}

/** The task running now in this thread's async context (what a frozen thread is stuck in). */
export function currentTask(): TaskScope | undefined {
  return scope.getStore();
}
