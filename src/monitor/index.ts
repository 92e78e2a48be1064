export { DURATION_BUCKETS, METRIC, PROVIDER_BUCKETS } from '../metric-names.js';
export { instrumentFastify } from './fastify.js';
export type { GeneratorState } from './generator-metrics.js';
export { GeneratorMetrics } from './generator-metrics.js';
export type { OperationSummary, SlowQuery } from './operation-stats.js';
export type { MetricsPublisher, MetricsRequest, RunInfo } from './publish.js';
export { publishMetrics, pushMetrics, serveMetrics } from './publish.js';
export type { ServiceMonitorOptions, SlowQueryReport } from './service-monitor.js';
export { ServiceMonitor } from './service-monitor.js';
