export type { TaskObserver, TaskOutcome, TaskPoolOptions, TaskStats } from './pool.js';
export { TaskFailedError, TaskPool, TaskRejectedError } from './pool.js';
