import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { ServiceMonitor } from './service-monitor.js';

const STARTED = Symbol('fiml-perf.monitor.started');

type Timed = FastifyRequest & { [STARTED]?: number };

/**
 * Counts and times every request of a fastify app by route pattern (`/health/providers/:name`,
 * never the raw URL, so label cardinality stays bounded); unmatched routes share one label.
 * Hooks are callback-style: an async hook costs a promise per request on the hot path.
 */
export function instrumentFastify(app: FastifyInstance, monitor: ServiceMonitor): void {
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
