/**
 * `fiml-perf`: the scenario author's API (docs/load.md): user classes, task sets, tasks, wait
 * times, the client's types, and the errors. The other audiences have their own entries:
 * `fiml-perf/runner` (runLoad, Steering, results), `fiml-perf/bench` (benchmark files) and
 * `fiml-perf/monitor` (Prometheus instrumentation of a service).
 *
 * Kept here for the files written against 0.1.0, which found them on the front: the benchmark
 * API (`bench`, `group`, `doNotOptimize`, now in `fiml-perf/bench`) and the runner's (`runLoad`,
 * `loadScenario`, `selectClasses`, the result types and `StatsRecorder`, now in
 * `fiml-perf/runner`); they load nothing the scenario API does not. The monitoring API moved to
 * `fiml-perf/monitor` only: it loads prom-client, which fiml-perf no longer installs for everyone
 * (issue 24).
 */
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
