import type { FastifyInstance } from 'fastify';
import type { Fiml } from '../context.js';

/** Prometheus text and the JSON performance views. */
export function metricsRoutes(app: FastifyInstance, fiml: Fiml): void {
  const { monitor } = fiml;

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', monitor.contentType);
    return monitor.metrics();
  });

  const performanceReport = async () => ({
    timestamp: new Date().toISOString(),
    uptime_seconds: Math.round(fiml.elapsedMs() / 1000),
    monitoring: monitor.enabled,
    requests: { total: monitor.requestTotal },
    cache: fiml.cache.stats(),
    operations: monitor.operations(),
    slow_queries: monitor.slowQueries(),
    tasks: fiml.tasks.stats(),
    providers: fiml.registry.status(),
  });
  app.get('/api/metrics/performance', performanceReport);
  app.get('/api/performance/metrics', performanceReport);

  app.get('/api/metrics/cache', async () => fiml.cache.stats());
  app.get('/api/metrics/tasks', async () => fiml.tasks.stats());
}
