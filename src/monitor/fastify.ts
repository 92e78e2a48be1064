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
  app.addHook(
    'onRequest',
    (request: Timed, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      request[STARTED] = performance.now();
      monitor.requestStarted();
      done();
    },
  );
  app.addHook(
    'onResponse',
    (request: Timed, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const start = request[STARTED];
      if (start !== undefined) {
        request[STARTED] = undefined;
        const endpoint = request.routeOptions.url ?? 'unmatched';
        monitor.requestFinished(
          request.method,
          endpoint,
          reply.statusCode,
          (performance.now() - start) / 1000,
        );
      }
      done();
    },
  );
  app.addHook('onRequestAbort', (request: Timed, done: HookHandlerDoneFunction) => {
    if (request[STARTED] !== undefined) {
      request[STARTED] = undefined;
      monitor.requestAborted();
    }
    done();
  });
}
