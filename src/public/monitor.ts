/**
 * `fiml-perf/monitor`: Prometheus instrumentation for any Node service, as FIML uses it: request
 * count and duration by route and status, active requests, operation timings and slow queries
 * (`ServiceMonitor`, `instrumentFastify`), with the metric names and buckets as constants. Needs
 * `prom-client` (and `fastify` for `instrumentFastify`) installed beside fiml-perf, which does not
 * install them for everyone. docs/monitoring.md.
 */
export type {
  OperationSummary,
  ServiceMonitorOptions,
  SlowQuery,
  SlowQueryReport,
} from '../monitor/index.js';
export {
  DURATION_BUCKETS,
  instrumentFastify,
  METRIC,
  PROVIDER_BUCKETS,
  ServiceMonitor,
} from '../monitor/index.js';
