import type { Command } from 'commander';
import { z } from 'zod';
import type { RunningFiml } from '../../fiml/index.js';
import { PerfError } from '../errors.js';
import { assertInstalled } from '../util/optional-deps.js';
import { EXIT } from './exit-codes.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const serveOptions = {
  port: {
    flags: '-p, --port <port>',
    description: 'port to listen on, 0 for any free one',
    schema: flag.int(0, 65535, 8000),
  },
  host: {
    flags: '--host <address>',
    description: 'address to listen on',
    schema: z.string().min(1, 'expected an address').default('127.0.0.1'),
  },
  redis: {
    flags: '--redis <url>',
    description: 'Redis URL for the L2 cache, such as redis://127.0.0.1:6379',
    env: 'REDIS_URL',
    schema: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected a URL such as redis://127.0.0.1:6379')
      .optional(),
  },
  seed: {
    flags: '--seed <n>',
    description: 'seed of every simulated price and figure',
    schema: flag.int(0, 2 ** 32 - 1, 42),
  },
  enableFaultInjection: {
    flags: '--enable-fault-injection',
    description: 'mount POST/DELETE /admin/faults (loopback only) for stress tests',
    schema: flag.bool(false),
  },
  latencyScale: {
    flags: '--latency-scale <factor>',
    description: 'multiply simulated provider latency (0 = instant providers)',
    schema: flag.number(0, 100, 1),
  },
  maxConnections: {
    flags: '--max-connections <n>',
    description:
      'connections accepted at once; past it new ones are closed (pool exhaustion tests)',
    schema: flag.optionalInt(1, 1_000_000),
  },
  cacheTtl: {
    flags: '--cache-ttl <seconds>',
    description:
      'cache lifetime of every data type, in seconds (default: per type, 60 s for prices)',
    schema: flag.optionalNumber(0.001, 86_400),
  },
  monitoring: {
    flags: '--no-monitoring',
    description: 'turn request and operation metrics off (to measure what they cost)',
    schema: flag.bool(true),
  },
  logLevel: {
    flags: '--log-level <level>',
    description: 'log every request at this level (fatal, error, warn, info, debug)',
    schema: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug'], {
        error: 'expected fatal, error, warn, info or debug',
      })
      .optional(),
  },
} satisfies OptionTable;

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
async function start(
  options: ReturnType<typeof resolveOptions<typeof serveOptions>>,
): Promise<RunningFiml> {
  assertInstalled('fiml', { who: 'fiml-perf serve (FIML)', otherwise: false });
  const { FimlOptionsError, startServer } = await import('../../fiml/index.js');
  try {
    return await startServer({
      port: options.port,
      host: options.host,
      seed: options.seed,
      redisUrl: options.redis,
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
    if (error instanceof Error && error.name === 'L2Error') {
      throw new PerfError(
        'FP_ERR_REDIS_UNREACHABLE',
        `${error.message}; start redis-server or drop --redis/REDIS_URL`,
      );
    }
    throw error;
  }
}

function describe(
  server: RunningFiml,
  options: ReturnType<typeof resolveOptions<typeof serveOptions>>,
): string {
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
    `  faults       ${options.enableFaultInjection ? `${url}/admin/faults (loopback only)` : 'off (--enable-fault-injection to allow)'}`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/** Resolves when the server has shut down after SIGINT or SIGTERM; exits at once on a second signal. */
function untilSignal(server: RunningFiml, log: (line: string) => void): Promise<number> {
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
  });
}

export function registerServe(command: Command): void {
  command.addHelpText(
    'after',
    '\nExample:\n  fiml-perf serve --port 8000 --redis redis://127.0.0.1:6379 --enable-fault-injection',
  );
  addOptions(command, serveOptions).action(async (raw: Record<string, unknown>) => {
    const options = resolveOptions(serveOptions, raw);
    const server = await start(options);
    process.stdout.write(`${describe(server, options)}\n`);
    process.exitCode = await untilSignal(server, (line) => process.stderr.write(`${line}\n`));
  });
}
