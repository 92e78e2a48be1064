export type { ClientConfig } from '../util/client-config.js';
export { tlsOptions } from '../util/client-config.js';
export type { Stage } from '../util/duration.js';
export { formatDuration, parseDuration, parseStages } from '../util/duration.js';
export type { Connections, Lease } from './connections.js';
export { MAX_CONNECTIONS_PER_USER, SharedPool, UserConnections } from './connections.js';
export type {
  ConstantArrivalRateConfig,
  ConstantUsersConfig,
  Executor,
  ExecutorConfig,
  ExecutorContext,
  LoadUnits,
  RampingArrivalRateConfig,
  RampingUsersConfig,
  SteerChange,
  SteeredConfig,
} from './executors/index.js';
export {
  createExecutor,
  executors,
  MAX_SPAWN_RATE_PER_THREAD,
  partOf,
  Steering,
  segmentFor,
  splitChange,
} from './executors/index.js';
export type { LoopLag } from './generator-monitor.js';
export { GeneratorMonitor, SATURATION } from './generator-monitor.js';
export type { CheckResult, HttpClient, HttpResponse, RequestOptions } from './http-client.js';
export type { LoadTarget } from './load-target.js';
export type { LoadPlan, Workload } from './plan.js';
export { createTarget } from './plan.js';
export { prepareScenario } from './prepare-scenario.js';
export type { ProbeOptions, ProbeProblem } from './probe.js';
export { assertReachable, probeHost } from './probe.js';
export type { QuickRequest } from './quick-runner.js';
export { QuickRunner } from './quick-runner.js';
export { Random } from './random.js';
export { templatePath } from './request-name.js';
export type { Progress, RemoteShares, RunLoadOptions, ShareSink } from './run.js';
export { runLoad } from './run.js';
export type {
  TaskEntry,
  TaskFunction,
  TaskSetClass,
  TaskTarget,
  UserClass,
  UserContext,
} from './scenario.js';
export { isUserClass, TaskSet, task, User } from './scenario.js';
export type { LoadedScenario } from './scenario-loader.js';
export { loadScenario, selectClasses } from './scenario-loader.js';
export { ScenarioRunner } from './scenario-runner.js';
export type { Segment } from './segment.js';
export { ArrivalSchedule, globalIndex, owns, segmentProblem, shareOf, WHOLE } from './segment.js';
export type { ShareEnd, ShareOptions } from './share.js';
export { ShareRun } from './share.js';
export { pickerOf, ScenarioError, TaskPicker } from './task-picker.js';
export type { TypeProblem } from './typecheck.js';
export { formatProblem, typecheckScenario } from './typecheck.js';
export type { HttpClientOptions } from './user-http-client.js';
export { UserHttpClient } from './user-http-client.js';
export type { WaitTime } from './wait-time.js';
export { between, constant, constantPacing, constantThroughput } from './wait-time.js';
export { DEFAULT_MAX_BLOCK_MS, watchShare } from './watchdog.js';
