import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceMonitor } from './service-monitor.js';

const started = new WeakMap<FastifyRequest, number>();

/**
 * Counts and times every request of a fastify app by route pattern (`/health/providers/:name`,
 * never the raw URL, so label cardinality stays bounded); unmatched routes share one label.
 */
export function instrumentFastify(app: FastifyInstance, monitor: ServiceMonitor): void {
  app.addHook('onRequest', async (request) => {
    started.set(request, performance.now());
    monitor.requestStarted();
  });
  app.addHook('onResponse', async (request, reply) => {
    const start = started.get(request);
    if (start === undefined) return;
    started.delete(request);
    const endpoint = request.routeOptions.url ?? 'unmatched';
    monitor.requestFinished(
      request.method,
      endpoint,
      reply.statusCode,
      (performance.now() - start) / 1000,
    );
  });
  app.addHook('onRequestAbort', async (request) => {
    if (started.delete(request)) monitor.requestAborted();
  });
}
