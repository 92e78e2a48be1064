/**
 * The database's view over a run's window (issue 27): snapshots of PostgreSQL's statistics at the
 * window's edges, their differences, the slowest statements' plans and the indexes they want.
 */
export { type DatabaseWindowOptions, databaseWindow } from './database-window.js';
export { type DiffOptions, diffWindow } from './diff.js';
export { type ExplainOptions, explainStatements } from './explain.js';
export { costliestNode, parsePlan } from './plan.js';
export { redactSecrets, redactUrl } from './redact.js';
export { type RunDatabase, type RunDatabaseOptions, watchRunDatabase } from './run-watch.js';
export type {
  DatabaseCounters,
  DatabaseSnapshot,
  StatementCounters,
  TableCounters,
} from './snapshot.js';
export { MARKER } from './sql.js';
export { MIN_ROWS_FOR_INDEX, suggestIndexes, type TableFacts } from './suggest.js';
export type {
  CostliestNode,
  DatabaseSection,
  IndexSuggestion,
  PlanNode,
  StatementWindow,
  TableWindow,
} from './types.js';
export {
  type DatabaseWatch,
  type ExplainOutcome,
  openDatabaseWatch,
  type SnapshotOptions,
  STATS_IDLE_FLUSH_MS,
  type WatchOptions,
} from './watch.js';
