/**
 * `fiml-perf/runner`: run a load test from a program, as the CLI does: load a scenario's user
 * classes, describe the plan (executor, host, timeouts), run it with `runLoad` and read the
 * versioned result every other command reads. A `steered` executor is driven while it runs
 * through a `Steering` object (the engine of the live web UI). docs/load.md, "From a program".
 */
export type {
  ClientConfig,
  ConstantArrivalRateConfig,
  ConstantUsersConfig,
  ExecutorConfig,
  LoadedScenario,
  LoadPlan,
  Progress,
  RampingArrivalRateConfig,
  RampingUsersConfig,
  RunLoadOptions,
  Stage,
  SteerChange,
  SteeredConfig,
  TypeProblem,
  UserClass,
  Workload,
} from '../load/index.js';
export {
  assertReachable,
  formatProblem,
  loadScenario,
  parseDuration,
  parseStages,
  runLoad,
  ScenarioError,
  Steering,
  selectClasses,
  typecheckScenario,
} from '../load/index.js';
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
} from '../stats/index.js';
export {
  decodeHistogram,
  encodeHistogram,
  latencyMs,
  OTHER_NAMES,
  RESULT_SCHEMA_VERSION,
  StatsRecorder,
} from '../stats/index.js';
