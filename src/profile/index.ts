export type {
  CallFrame,
  CpuAnalysis,
  CpuProfile,
  FrameClass,
  FunctionTime,
  ProfileNode,
} from './cpu-profile.js';
export { analyseCpuProfile, classify, foldedStacks, packageOf } from './cpu-profile.js';
export { Inspector, inspectorSocketUrl, startCpuProfile, stopCpuProfile } from './inspector.js';
