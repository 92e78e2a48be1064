export type {
  CallFrame,
  CpuAnalysis,
  CpuProfile,
  FrameClass,
  FunctionTime,
  Placer,
  ProfileNode,
} from './cpu-profile.js';
export {
  analyseCpuProfile,
  classify,
  foldedStacks,
  packageOf,
  trimProfile,
  withoutForcedGc,
} from './cpu-profile.js';
export type { Diagnosis, ServiceSignals } from './diagnosis.js';
export { DIAGNOSIS_THRESHOLDS, diagnose, endWatch, startWatch } from './diagnosis.js';
export type { FunctionChange } from './diff.js';
export { functionChanges } from './diff.js';
export { pathTotals, renderFlamegraph } from './flamegraph.js';
export { hotFunctions, placer, writeCpuFiles } from './folder.js';
export type {
  AllocationSite,
  HeapProfile,
  HeapProfileNode,
  HeapReading,
  HeapSample,
  LeakVerdict,
} from './heap.js';
export {
  allocationGrowth,
  allocationSites,
  leakVerdict,
  readHeapSampling,
  readHeapWatch,
  requestsAt,
  startHeapSampling,
  startHeapWatch,
  stopHeapSampling,
} from './heap.js';
export type { ConstructorGrowth, SnapshotSummary } from './heap-snapshot.js';
export { constructorGrowth, summariseSnapshot, takeHeapSnapshot } from './heap-snapshot.js';
export type { Workload } from './in-process.js';
export { profileWorkloads } from './in-process.js';
export {
  evaluate,
  Inspector,
  inspectorSocketUrl,
  startCpuProfile,
  stopCpuProfile,
} from './inspector.js';
export type { ServiceProfile, ServiceProfileOptions } from './service-profiler.js';
export { checkProfileWindow, ServiceProfiler } from './service-profiler.js';
export type { SourcePlace } from './source-map.js';
export { SourceMapper } from './source-map.js';
export type {
  BenchmarksProfileFile,
  FailedProfileFile,
  HotFunctionEntry,
  ProfileFile,
  ServiceProfileFile,
} from './summary.js';
export { parseProfileFile, profileFileText } from './summary.js';
export { hotTable, snapshotTable } from './text.js';
