export { analyse, findBottlenecks, summarize } from './analyse.js';
export type { AnalysisContext } from './context.js';
export {
  databaseSource,
  isLargeSequentialTable,
  shortQuery,
  statementsSuggesting,
} from './database-facts.js';
export { DEFAULT_DISTRIBUTION_BUCKETS, latencyDistribution } from './distribution.js';
export { MAX_NEXT_STEPS } from './next-steps.js';
export type { RangeBounds } from './ranges.js';
export { rangeBounds, responseTimeRanges } from './ranges.js';
export type { Rule } from './rules/index.js';
export { RULES, slowQueriesFromFiml } from './rules/index.js';
export { GATLING_BOUNDS_MS, THRESHOLDS } from './thresholds.js';
export type {
  Action,
  Analysis,
  CacheLayer,
  DistributionBucket,
  Evidence,
  ExecutiveSummary,
  Finding,
  MissedTarget,
  NextStep,
  ReportInput,
  ReportResult,
  ResponseTimeRange,
  ResponseTimeRanges,
  Severity,
  SlowQueries,
  SlowQuery,
  StressSection,
  SummaryFigures,
} from './types.js';
