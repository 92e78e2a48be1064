export { DEFAULT_MAX_NAMES, FOLD_AFTER_VALUES, OTHER_NAMES } from '../names.js';
export type { StatsDelta } from './delta-recorder.js';
export { DeltaRecorder } from './delta-recorder.js';
export { DistinctCounter } from './distinct-count.js';
export type { LinearFit } from './distributions.js';
export { linearFit, normalCdf, normalQuantile, tQuantile } from './distributions.js';
export type { EndpointSecond, EndpointSeriesResult } from './endpoint-series.js';
export type { EndpointStats } from './endpoint-stats.js';
export type { NameCounts } from './endpoint-table.js';
export type { ErrorGroup, ErrorMessage, Failure, FailureKind } from './errors.js';
export { classifyError, ErrorTable, MAX_ERROR_MESSAGES } from './errors.js';
export type { Histogram, LatencyMs } from './histogram.js';
export {
  clampMicros,
  countAbove,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  HIGHEST_TRACKABLE_US,
  latencyMs,
  percentileMs,
  percentilesMs,
  recordMicros,
  sortedPercentileMs,
} from './histogram.js';
export type { LatencyWire } from './latency-record.js';
export { LatencyRecord } from './latency-record.js';
export type { Fold, NameFoldsOptions } from './name-folds.js';
export { NameFolds } from './name-folds.js';
export type { PhaseResult, Phases, PhaseWire } from './phases.js';
export { PhaseRecord } from './phases.js';
export type { RequestSink } from './request-sink.js';
export type {
  DistributedSection,
  EndpointResult,
  GeneratorHealth,
  InstanceResult,
  RunMeta,
  RunResult,
} from './result.js';
export { buildResult, READABLE_SCHEMA_VERSIONS, RESULT_SCHEMA_VERSION } from './result.js';
export { loadResultProblem } from './result-schema.js';
export type { RecorderOptions, SecondRow } from './stats-recorder.js';
export { StatsRecorder } from './stats-recorder.js';
