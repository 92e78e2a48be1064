/** What an executor drives: users for the closed model, iterations for the open one. */
export interface LoadTarget {
  /** Closed model: start or stop users until exactly `count` run. */
  setUsers(count: number): void;
  /**
   * Open model: start one iteration scheduled for `intended` (a `performance.now()` time), which
   * its latency is measured from; `now` is the clock the caller just read (one read fewer per
   * request). Returns false when every user is busy and none may be added: the iteration is
   * dropped.
   */
  startIteration(intended: number, now?: number): boolean;
  /**
   * Open model: a function to call whenever a request or iteration ends, so the schedule can
   * start what fell due while replies were being handled. Undefined unregisters it.
   */
  onSettled?(callback: (() => void) | undefined): void;
  /** Users running (closed) or allocated (open). */
  readonly users: number;
  /** Stops starting work, lets in-flight work finish for up to `graceMs`, then cuts it off. */
  stop(graceMs: number): Promise<void>;
}
