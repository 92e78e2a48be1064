export type {
  CallFrame,
  CpuAnalysis,
  CpuProfile,
  FrameClass,
  FunctionTime,
  ProfileNode,
} from './cpu-profile.js';
export { analyseCpuProfile, classify, foldedStacks, packageOf } from './cpu-profile.js';
export { renderFlamegraph } from './flamegraph.js';
export { Inspector, inspectorSocketUrl, startCpuProfile, stopCpuProfile } from './inspector.js';
export type { SourcePlace } from './source-map.js';
export { SourceMapper } from './source-map.js';
