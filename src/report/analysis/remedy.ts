/**
 * What to do about a saturated generator, from its reasons: a task that froze the event loop is
 * the scenario's to fix (more workers would freeze too); anything else wants more workers or less
 * load.
 */
export function remedy(reasons: readonly string[]): string {
  return reasons.some((r) => r.startsWith('a task blocked the event loop'))
    ? "Fix the task that kept the event loop (the run's stopReason names it) before judging the service."
    : 'Rerun with more workers (--workers) or less load before judging the service.';
}
