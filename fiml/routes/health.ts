import type { FastifyInstance } from 'fastify';
import type { Fiml } from '../context.js';
import { NotFoundError } from '../errors.js';

/** Liveness and the health of the cache and each provider. */
export function healthRoutes(app: FastifyInstance, fiml: Fiml): void {
  const cacheHealth = () => {
    const stats = fiml.cache.stats();
    const l2Healthy = !stats.l2.enabled || stats.l2.connected;
    return { status: l2Healthy ? 'healthy' : 'degraded', ...stats };
  };

  app.get('/health', async () => {
    const providers = fiml.registry.status();
    const up = providers.filter((p) => p.status === 'healthy').length;
    return {
      status: 'healthy',
      service: 'fiml',
      version: fiml.version,
      uptime_seconds: Math.round(fiml.elapsedMs() / 1000),
      timestamp: new Date().toISOString(),
      components: {
        cache: cacheHealth().status,
        providers: up === providers.length ? 'healthy' : up === 0 ? 'down' : 'degraded',
        tasks: 'healthy',
      },
    };
  });

  app.get('/health/cache', async () => cacheHealth());

  app.get('/health/providers', async () => {
    const providers = fiml.registry.status();
    return {
      status: providers.every((p) => p.status === 'healthy') ? 'healthy' : 'degraded',
      providers,
    };
  });

  app.get<{ Params: { name: string } }>('/health/providers/:name', async (request) => {
    const provider = fiml.registry
      .status()
      .find((p) => p.name === request.params.name.toLowerCase());
    if (!provider) {
      throw new NotFoundError(
        `unknown provider ${request.params.name}; one of ${fiml.registry.names().join(', ')}`,
      );
    }
    return provider;
  });
}
