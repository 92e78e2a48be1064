/**
 * Metric names, without the service prefix (`fiml_` for FIML): one place, so the service, the
 * scrapers in targets/ and the dashboards in deploy/ cannot drift apart.
 */
export const METRIC = {
  requests: 'requests_total',
  requestDuration: 'request_duration_seconds',
  activeRequests: 'active_requests',
  providerRequests: 'provider_requests_total',
  providerLatency: 'provider_latency_seconds',
  slowQueries: 'slow_queries_total',
  taskCompletionRate: 'task_completion_rate',
  tasks: 'tasks_total',
  cacheHits: 'cache_hits_total',
  cacheMisses: 'cache_misses_total',
} as const;

/** Request duration buckets in seconds: 10 ms to 10 s. */
export const DURATION_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Provider latency buckets in seconds: 1 ms to 10 s. */
export const PROVIDER_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
