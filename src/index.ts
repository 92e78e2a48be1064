export type { BenchEntry, BenchOptions, BenchResult, SampleStats } from './bench/index.js';
export { bench, doNotOptimize, group } from './bench/index.js';
export type { ErrorCode } from './errors.js';
export { ERROR_CODES, isPerfError, PerfError } from './errors.js';
export type {
  CheckResult,
  HttpClient,
  HttpResponse,
  LoadPlan,
  Progress,
  RequestOptions,
  RunLoadOptions,
  TaskEntry,
  TaskFunction,
  UserClass,
  UserContext,
  WaitTime,
} from './load/index.js';
export {
  between,
  constant,
  constantPacing,
  constantThroughput,
  loadScenario,
  Random,
  runLoad,
  ScenarioError,
  selectClasses,
  TaskSet,
  task,
  templatePath,
  User,
} from './load/index.js';
export type {
  OperationSummary,
  ServiceMonitorOptions,
  SlowQuery,
  SlowQueryReport,
} from './monitor/index.js';
export {
  DURATION_BUCKETS,
  instrumentFastify,
  METRIC,
  PROVIDER_BUCKETS,
  ServiceMonitor,
} from './monitor/index.js';
export type {
  EndpointResult,
  EndpointSeriesResult,
  ErrorGroup,
  FailureKind,
  GeneratorHealth,
  LatencyMs,
  NameCounts,
  RunResult,
  SecondRow,
} from './stats/index.js';
export {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  latencyMs,
  OTHER_NAMES,
  RESULT_SCHEMA_VERSION,
  StatsRecorder,
} from './stats/index.js';
