import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { instrumentFastify, ServiceMonitor } from '../src/monitor/index.js';
import { AnalysisService } from './analysis-service.js';
import { AssetUniverse, POPULAR_SYMBOLS } from './assets.js';
import { CacheManager, L1Cache, L2Cache } from './cache/index.js';
import type { Fiml } from './context.js';
import {
  databaseObserver,
  type EmbeddedPostgres,
  MarketStore,
  startEmbeddedPostgres,
} from './database/index.js';
import { DslExecutor, DslSyntaxError } from './dsl/index.js';
import { HttpError } from './errors.js';
import { FaultState } from './faults.js';
import { MarketDataService } from './market-data.js';
import { MarketSimulator } from './market-simulator.js';
import { type FimlOptions, resolveFimlOptions } from './options.js';
import { DEFAULT_PROVIDERS, ProviderRegistry, SimulatedProvider } from './providers/index.js';
import { seededRandom } from './random.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { toolRoutes } from './routes/tools.js';
import { TaskFailedError, TaskPool, TaskRejectedError } from './tasks/index.js';

export const FIML_VERSION = '1.0.0';

declare module 'fastify' {
  interface FastifyInstance {
    fiml: Fiml;
  }
}

const ENDPOINTS = [
  'GET|POST /mcp/tools/get_price {symbol, provider?}',
  'GET|POST /mcp/tools/get_market_data {symbol, include_history?, days?}',
  'GET|POST /mcp/tools/generate_narrative {symbol, style?, include_context?}',
  'GET|POST /mcp/tools/analyze_sentiment {symbol}',
  'GET|POST /mcp/tools/get_fundamentals {symbol}',
  'GET|POST /mcp/tools/analyze_portfolio {symbols, weights}',
  'GET|POST /mcp/tools/execute_dsl {query, include_metadata?}',
  'GET|POST /mcp/tools/validate_dsl {query}',
  'GET /health',
  'GET /health/cache',
  'GET /health/providers',
  'GET /health/providers/:name',
  'GET /metrics',
  'GET /api/metrics/performance',
  'GET /api/performance/metrics',
  'GET /api/metrics/cache',
  'GET /api/metrics/tasks',
];

interface Database {
  readonly store: MarketStore;
  readonly embedded: EmbeddedPostgres | null;
}

/**
 * Opens FIML's database: starts the embedded one when asked, applies the migrations and fills
 * the market history once. @throws DatabaseError
 */
async function openDatabase(
  options: ReturnType<typeof resolveFimlOptions>,
  monitor: ServiceMonitor,
  universe: AssetUniverse,
): Promise<Database | undefined> {
  if (options.database === undefined) return undefined;
  const embedded =
    options.database === 'embedded'
      ? await startEmbeddedPostgres({
          key: `seed${options.seed}-${new Date().toISOString().slice(0, 10)}`,
          ...(options.databaseCacheDir === undefined ? {} : { cacheDir: options.databaseCacheDir }),
        })
      : null;
  const { observer, watchPool } = databaseObserver(monitor);
  const store = new MarketStore({
    url: embedded?.url ?? options.database,
    seed: options.seed,
    observer,
  });
  try {
    await store.migrate();
    const seeded = await store.seed(universe.list());
    if (seeded.seeded) await embedded?.saveTemplate();
  } catch (error) {
    await store.close();
    await embedded?.close();
    throw error;
  }
  watchPool(store);
  return { store, embedded };
}

function build(
  options: ReturnType<typeof resolveFimlOptions>,
  faults: FaultState,
  l2: L2Cache | undefined,
  monitor: ServiceMonitor,
  universe: AssetUniverse,
  database: Database | undefined,
): Fiml {
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  const market = new MarketSimulator(options.seed);
  const providers = DEFAULT_PROVIDERS.map((defaults) => {
    const override = options.providers[defaults.name] ?? {};
    return new SimulatedProvider(
      {
        ...defaults,
        ...override,
        latency: { ...defaults.latency, ...override.latency },
        outages: override.outages ?? defaults.outages,
      },
      {
        market,
        faults,
        random: seededRandom(options.seed, 'provider', defaults.name),
        elapsedMs,
        latencyScale: options.latencyScale,
      },
    );
  });
  const registry = new ProviderRegistry(providers, {
    ...options.failover,
    elapsedMs,
    observer: {
      onProviderCall: (provider, operation, outcome, seconds) => {
        monitor.observeUpstream(provider, operation, outcome, seconds);
        monitor.observeOperation(`provider:${provider}:${operation}`, seconds);
      },
    },
  });
  const cache = new CacheManager({
    l1: new L1Cache(options.cache.l1MaxEntries),
    l2,
    persistent: database?.store,
    ttlSeconds: options.cache.ttlSeconds,
    observer: { onCacheLookup: (layer, hit) => monitor.observeCache(layer, hit) },
  });
  const data = new MarketDataService(universe, cache, registry, options.seed, database?.store);
  const tasks: TaskPool = new TaskPool({
    ...options.tasks,
    random: seededRandom(options.seed, 'tasks'),
    faults,
    observer: {
      onTaskSettled: (task, outcome, seconds) => {
        monitor.observeTask(outcome);
        monitor.setTaskCompletionRate(tasks.stats().completion_rate);
        monitor.observeOperation(`task:${task}`, seconds);
      },
    },
  });
  const narrativeSeconds = monitor.histogram(
    'narrative_generation_seconds',
    'Narrative generation time in seconds by style',
    ['style'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  );
  const analysis = new AnalysisService(data, tasks, {
    onNarrative: (style, seconds) => {
      if (monitor.enabled) narrativeSeconds.labels(style).observe(seconds);
    },
  });
  const dslSeconds = monitor.histogram(
    'dsl_execution_seconds',
    'FK-DSL parse and execution time in seconds by query type',
    ['query_type'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  return {
    options,
    universe,
    faults,
    registry,
    cache,
    l2,
    database,
    data,
    tasks,
    analysis,
    dsl: new DslExecutor(data, analysis),
    monitor,
    dslSeconds,
    elapsedMs,
    version: FIML_VERSION,
  };
}

const CLIENT_ERRORS: Readonly<Record<number, string>> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

function errorReply(error: FastifyError | Error): {
  status: number;
  body: Record<string, unknown>;
} {
  if (error instanceof HttpError) return { status: error.statusCode, body: error.toJSON() };
  if (error instanceof DslSyntaxError) {
    return {
      status: 400,
      body: {
        error: 'dsl_syntax_error',
        field: 'query',
        message: `query: ${error.message}`,
        position: error.position,
        expected: error.expected,
        found: error.found,
      },
    };
  }
  if (error instanceof TaskRejectedError) {
    return {
      status: 503,
      body: { error: 'task_queue_full', message: `${error.message}; retry later` },
    };
  }
  if (error instanceof TaskFailedError) {
    return { status: 500, body: { error: 'task_failed', message: error.message } };
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const kind = CLIENT_ERRORS[status] ?? 'client_error';
    const code = (error as FastifyError).code;
    return {
      status,
      body: {
        error: kind,
        message: `${status === 400 ? 'body: ' : ''}${error.message}`,
        ...(code ? { code } : {}),
      },
    };
  }
  return { status: 500, body: { error: 'internal_error', message: 'internal error' } };
}

/**
 * Builds a FIML app, ready to listen: validates options, connects Redis when asked, warms the
 * cache. The caller listens (port 0 in tests) and closes it.
 * @throws FimlOptionsError for invalid options, L2Error when Redis cannot be reached
 */
export async function buildApp(input: FimlOptions = {}): Promise<FastifyInstance> {
  const options = resolveFimlOptions(input);
  const faults = new FaultState();
  let l2: L2Cache | undefined;
  if (options.redisUrl !== undefined) {
    l2 = new L2Cache(options.redisUrl, faults);
    await l2.connect();
  }
  const monitor = new ServiceMonitor({
    prefix: 'fiml',
    enabled: options.monitoring,
    slowQueryThresholdMs: options.slowQueryThresholdMs,
  });
  const universe = new AssetUniverse();
  let database: Database | undefined;
  try {
    database = await openDatabase(options, monitor, universe);
  } catch (error) {
    await l2?.close();
    throw error;
  }
  const app = Fastify({ logger: options.logLevel === false ? false : { level: options.logLevel } });
  const instance = build(options, faults, l2, monitor, universe, database);
  app.decorate('fiml', instance);
  if (options.monitoring) instrumentFastify(app, instance.monitor);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorReply(error);
    if (status >= 500 && !(error instanceof HttpError) && !(error instanceof TaskFailedError)) {
      request.log.error({ err: error }, 'unhandled error');
    }
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}; GET / lists the endpoints`,
    }),
  );

  app.get('/', async () => ({
    service: 'fiml',
    description: 'FIML: a financial-data API, the service fiml-perf tests by default',
    version: FIML_VERSION,
    endpoints: [
      ...ENDPOINTS,
      ...(options.enableFaultInjection ? ['GET|POST|DELETE /admin/faults'] : []),
    ],
  }));
  toolRoutes(app, instance);
  healthRoutes(app, instance);
  metricsRoutes(app, instance);
  if (options.enableFaultInjection) adminRoutes(app, instance);
  app.addHook('onClose', async () => {
    await instance.l2?.close();
    await database?.store.close();
    await database?.embedded?.close();
  });

  if (options.cache.warm) await instance.data.warm(POPULAR_SYMBOLS);
  return app;
}
