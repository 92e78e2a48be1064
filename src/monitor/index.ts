export { instrumentFastify } from './fastify.js';
export { DURATION_BUCKETS, METRIC, PROVIDER_BUCKETS } from './metric-names.js';
export type { OperationSummary, SlowQuery } from './operation-stats.js';
export type { ServiceMonitorOptions, SlowQueryReport } from './service-monitor.js';
export { ServiceMonitor } from './service-monitor.js';
