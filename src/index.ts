export type { ErrorCode } from './errors.js';
export { ERROR_CODES, isPerfError, PerfError } from './errors.js';
export type {
  OperationSummary,
  ServiceMonitorOptions,
  SlowQuery,
  SlowQueryReport,
} from './monitor/index.js';
export {
  DURATION_BUCKETS,
  instrumentFastify,
  METRIC,
  PROVIDER_BUCKETS,
  ServiceMonitor,
} from './monitor/index.js';
