export type { AgentOptions } from './agent.js';
export { AGENT_ABORTED, runAgent } from './agent.js';
export { bundleScenario } from './bundle.js';
export type { CoordinateOptions } from './coordinate.js';
export { coordinate, withInstances } from './coordinate.js';
export type { CoordinatorOptions } from './coordinator.js';
export { Coordinator } from './coordinator.js';
export type { Control, DistributedPlan, Report } from './protocol.js';
export { PROTOCOL, planKeys, redactUrl, runKeys } from './protocol.js';
