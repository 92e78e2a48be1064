import type { IncomingMessage } from 'node:http';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { ServiceMonitor } from './service-monitor.js';

const STARTED = Symbol('fiml-perf.monitor.started');
const ENDPOINT = Symbol('fiml-perf.monitor.endpoint');

type Timed = FastifyRequest & { [STARTED]?: number; [ENDPOINT]?: string };

/**
 * Counts and times every request of a fastify app by route pattern (`/health/providers/:name`,
 * never the raw URL, so label cardinality stays bounded); unmatched routes share one label.
 * Hooks are callback-style: an async hook costs a promise per request on the hot path.
 */
export function instrumentFastify(app: FastifyInstance, monitor: ServiceMonitor): void {
  // Each route learns its own pattern once, here; `request.routeOptions` would build an object
  // per request. Routes registered before this call are not labelled (they count as unmatched).
  app.addHook('onRoute', (route) => {
    const endpoint = route.url;
    const label = (request: Timed, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      request[ENDPOINT] = endpoint;
      done();
    };
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined
        ? [label]
        : [label, ...(Array.isArray(existing) ? existing : [existing])];
  });
  // Requests in progress, counted at scrape time: a request whose connection has closed was
  // aborted. This replaces an onRequestAbort hook, which costs a 'close' listener per request.
  const inFlight = new Set<IncomingMessage>();
  monitor.countActiveWith(() => {
    let count = 0;
    for (const raw of inFlight) {
      if (raw.socket?.destroyed) inFlight.delete(raw);
      else count++;
    }
    return count;
  });
  app.addHook(
    'onRequest',
    (request: Timed, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (monitor.enabled) {
        request[STARTED] = performance.now();
        inFlight.add(request.raw);
      }
      done();
    },
  );
  app.addHook(
    'onResponse',
    (request: Timed, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const start = request[STARTED];
      if (start !== undefined) {
        inFlight.delete(request.raw);
        // The pattern the route's own hook left; `request.routeOptions` builds an object per call.
        monitor.requestFinished(
          request.method,
          request[ENDPOINT] ?? 'unmatched',
          reply.statusCode,
          (performance.now() - start) / 1000,
        );
      }
      done();
    },
  );
}
