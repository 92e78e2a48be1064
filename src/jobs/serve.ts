import type { RunningFiml } from '../../fiml/index.js';
import { PerfError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { assertInstalled } from '../util/optional-deps.js';

/** `serve`: FIML as its flags ask for it. */
export interface ServeJob {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly redis: string | undefined;
  /** `embedded`, `none` or a postgres:// URL. */
  readonly database: string;
  readonly enableFaultInjection: boolean;
  readonly latencyScale: number;
  readonly maxConnections: number | undefined;
  readonly cacheTtl: number | undefined;
  readonly monitoring: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | undefined;
}

const LISTEN_ERRORS: Record<string, (port: number, host: string) => PerfError> = {
  EADDRINUSE: (port, host) =>
    new PerfError(
      'FP_ERR_PORT_IN_USE',
      `port ${port} on ${host} is already in use; stop what holds it or pick another with --port`,
    ),
  EACCES: (port) =>
    new PerfError(
      'FP_ERR_PORT_DENIED',
      `not allowed to listen on port ${port}; pick a port above 1023 with --port`,
    ),
  EADDRNOTAVAIL: (_port, host) =>
    new PerfError(
      'FP_ERR_BAD_HOST',
      `${host} is not an address of this machine; use --host 127.0.0.1`,
    ),
  ENOTFOUND: (_port, host) =>
    new PerfError('FP_ERR_BAD_HOST', `cannot resolve host ${host}; use --host 127.0.0.1`),
};

/** Starts FIML, maps startup failures to user errors. @throws PerfError */
async function start(options: ServeJob): Promise<RunningFiml> {
  assertInstalled('fiml', { who: 'fiml-perf serve (FIML)', otherwise: false });
  const { FimlOptionsError, startServer } = await import('../../fiml/index.js');
  try {
    return await startServer({
      port: options.port,
      host: options.host,
      seed: options.seed,
      redisUrl: options.redis,
      ...(options.database === 'none' ? {} : { database: options.database }),
      enableFaultInjection: options.enableFaultInjection,
      latencyScale: options.latencyScale,
      maxConnections: options.maxConnections,
      ...(options.cacheTtl === undefined
        ? {}
        : {
            cache: {
              ttlSeconds: Object.fromEntries(
                ['price', 'market_data', 'history', 'sentiment', 'fundamentals'].map((k) => [
                  k,
                  options.cacheTtl,
                ]),
              ),
            },
          }),
      monitoring: options.monitoring,
      logLevel: options.logLevel ?? false,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const mapped = code ? LISTEN_ERRORS[code] : undefined;
    if (mapped) throw mapped(options.port, options.host);
    if (error instanceof FimlOptionsError)
      throw new PerfError('FP_ERR_INVALID_OPTION', error.message);
    if (error instanceof Error && error.name === 'DatabaseError') {
      throw new PerfError(
        'FP_ERR_DATABASE',
        `${error.message}; check the URL given with --database, or use --database embedded`,
      );
    }
    if (error instanceof Error && error.name === 'L2Error') {
      throw new PerfError(
        'FP_ERR_REDIS_UNREACHABLE',
        `${error.message}; start redis-server or drop --redis/REDIS_URL`,
      );
    }
    throw error;
  }
}

function databaseLine(server: RunningFiml): string {
  const database = server.app.fiml.database;
  if (!database) return 'none (history from the providers; --database embedded for one)';
  return database.embedded
    ? `${database.embedded.url} (embedded PostgreSQL, PGlite)`
    : database.store.url;
}

function describe(server: RunningFiml, options: ServeJob): string {
  const { url } = server;
  const cache = options.redis
    ? `L1 in-process + L2 ${options.redis}`
    : 'L1 in-process (no L2: pass --redis URL)';
  return [
    `FIML ${server.app.fiml.version} listening on ${url}  (seed ${options.seed})`,
    `  endpoints    ${url}/`,
    `  health       ${url}/health`,
    `  price        ${url}/mcp/tools/get_price?symbol=AAPL`,
    `  dsl          ${url}/mcp/tools/execute_dsl?query=GET%20PRICE%20OF%20AAPL`,
    `  metrics      ${url}/metrics`,
    `  performance  ${url}/api/metrics/performance`,
    `  cache        ${cache}`,
    `  database     ${databaseLine(server)}`,
    `  faults       ${options.enableFaultInjection ? `${url}/admin/faults (loopback only)` : 'off (--enable-fault-injection to allow)'}`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/**
 * Started by a run as its embedded service (an IPC channel to it): resolves when that process
 * ends, however it ends (kill -9 too), as the channel closes; watched from the start, so a run
 * killed while FIML is still starting stops it too. Never, for `serve` on its own.
 */
function parentGone(): Promise<void> {
  if (!process.channel) return new Promise(() => undefined);
  process.channel.unref();
  if (!process.connected) return Promise.resolve();
  return new Promise((resolve) => process.once('disconnect', () => resolve()));
}

/** Resolves when the server has shut down after SIGINT or SIGTERM; exits at once on a second signal. */
function untilSignal(
  server: RunningFiml,
  log: (line: string) => void,
  parent: Promise<void>,
): Promise<ExitCode> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again: exiting now`);
        resolve(EXIT.interrupted);
        return;
      }
      stopping = true;
      log(`${signal}: finishing in-flight requests, then stopping`);
      server.close().then(
        () => resolve(EXIT.ok),
        () => resolve(EXIT.ok),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void parent.then(() => {
      stopping = true;
      setTimeout(() => resolve(EXIT.ok), 5000).unref();
      server.close().then(
        () => resolve(EXIT.ok),
        () => resolve(EXIT.ok),
      );
    });
  });
}

/** Runs FIML until Ctrl-C or SIGTERM (or, embedded, until its parent ends). Returns the exit code. */
export async function runServeJob(job: ServeJob): Promise<ExitCode> {
  const parent = parentGone();
  const server = await start(job);
  process.stdout.write(`${describe(server, job)}\n`);
  return untilSignal(server, (line) => process.stderr.write(`${line}\n`), parent);
}
