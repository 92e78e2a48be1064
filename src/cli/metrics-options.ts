import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import type { Progress } from '../load/index.js';
import type { GeneratorMetrics } from '../monitor/generator-metrics.js';
import { DEFAULT_METRICS_MAX_ENDPOINTS } from '../names.js';
import { parseDuration } from '../util/duration.js';
import { assertInstalled } from '../util/optional-deps.js';
import { flag, type OptionTable, type ResolvedOptions } from './option-table.js';

/** Flags that publish the generator's own figures to Prometheus (docs/observability.md). */
export const metricsOptions = {
  metricsPort: {
    flags: '--metrics-port <port>',
    description:
      "serve the generator's figures (fiml_perf_*) at http://HOST:PORT/metrics while the run lasts and for --metrics-grace after (0: a free port)",
    schema: flag.optionalInt(0, 65_535),
  },
  metricsHost: {
    flags: '--metrics-host <address>',
    description: 'the address --metrics-port listens on',
    schema: z.string().min(1).default('127.0.0.1'),
  },
  metricsGrace: {
    flags: '--metrics-grace <duration>',
    description:
      'how long /metrics keeps serving the final values after the run (two scrape intervals at the least)',
    schema: z
      .string()
      .refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 30s')
      .default('30s'),
  },
  prometheusPush: {
    flags: '--prometheus-push <url>',
    description:
      'push the figures to this Prometheus Pushgateway every 5 s and at the end (http://127.0.0.1:9091)',
    schema: z.url({ error: 'expected a URL such as http://127.0.0.1:9091' }).optional(),
  },
  metricsMaxEndpoints: {
    flags: '--metrics-max-endpoints <n>',
    description:
      "endpoints with a label of their own; later ones are counted under endpoint='(other names)'",
    schema: flag.int(1, 10_000, DEFAULT_METRICS_MAX_ENDPOINTS),
  },
} satisfies OptionTable;

export type MetricsFlags = ResolvedOptions<typeof metricsOptions>;

/** What a load job publishes, or undefined when no flag asks for it. */
export interface MetricsRequest {
  readonly port: number | undefined;
  readonly host: string;
  readonly graceMs: number;
  readonly push: string | undefined;
  readonly maxEndpoints: number;
}

export function resolveMetrics(flags: MetricsFlags): MetricsRequest | undefined {
  if (flags.metricsPort === undefined && !flags.prometheusPush) return undefined;
  assertInstalled('metrics');
  return {
    port: flags.metricsPort,
    host: flags.metricsHost,
    graceMs: parseDuration(flags.metricsGrace) as number,
    push: flags.prometheusPush,
    maxEndpoints: flags.metricsMaxEndpoints,
  };
}

/**
 * Serves the registry of the run `current` returns at /metrics. @throws PerfError
 * FP_ERR_PORT_IN_USE and the like when it cannot listen
 */
export async function serveMetrics(
  current: () => GeneratorMetrics,
  port: number,
  host: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    const metrics = current();
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PerfError(
          error.code === 'EADDRINUSE' ? 'FP_ERR_PORT_IN_USE' : 'FP_ERR_INVALID_FLAG',
          error.code === 'EADDRINUSE'
            ? `--metrics-port ${port} on ${host} is already in use; pick another, or 0 for a free one`
            : `cannot serve metrics on ${host}:${port} (${error.code ?? error.message}); fix --metrics-host or --metrics-port`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const address = server.address() as { port: number };
  const shown = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${address.port}/metrics` };
}

/**
 * Pushes the registry to a Pushgateway (`PUT /metrics/job/fiml_perf/instance/NAME`, which
 * replaces the group's values each time). @returns an error message, or undefined
 */
export async function pushMetrics(
  metrics: GeneratorMetrics,
  gateway: string,
  instance: string,
): Promise<string | undefined> {
  const url = `${gateway.replace(/\/+$/, '')}/metrics/job/fiml_perf/instance/${encodeURIComponent(instance)}`;
  try {
    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': metrics.registry.contentType },
      body: await metrics.registry.metrics(),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok)
      return `the Pushgateway at ${gateway} answered ${response.status}: ${(await response.text()).slice(0, 200)}`;
    return undefined;
  } catch (error) {
    return `cannot push to ${gateway} (${(error as Error).cause ? String((error as { cause: { code?: string } }).cause.code) : (error as Error).message})`;
  }
}

/** What `fiml_perf_run_info` says of a run. */
export interface RunInfo {
  readonly workload: string;
  readonly host: string;
  readonly version: string;
}

/**
 * Starts publishing the generator's metrics: /metrics served, pushes every 5 s. A Pushgateway
 * that does not take the first push is a user error (exit 2), before the run starts.
 */
export async function publishMetrics(
  request: MetricsRequest,
  info: RunInfo,
  err: (line: string) => void,
) {
  const { GeneratorMetrics } = await import('../monitor/generator-metrics.js');
  let metrics = new GeneratorMetrics(info, request.maxEndpoints);
  const instance = `${hostname()}-${process.pid}`;
  const served =
    request.port === undefined
      ? undefined
      : await serveMetrics(() => metrics, request.port, request.host);
  if (served) err(`Metrics: ${served.url}`);
  let timer: NodeJS.Timeout | undefined;
  if (request.push) {
    const problem = await pushMetrics(metrics, request.push, instance);
    if (problem) {
      served?.server.close();
      throw new PerfError(
        'FP_ERR_INVALID_FLAG',
        `${problem}; start the Pushgateway or fix --prometheus-push`,
      );
    }
    err(`Pushing metrics to ${request.push} every 5 s (job fiml_perf, instance ${instance})`);
    let warned = false;
    timer = setInterval(() => {
      void pushMetrics(metrics, request.push as string, instance).then((p) => {
        if (p && !warned) {
          warned = true;
          err(`WARNING: ${p}; the run goes on, the final push will try again`);
        }
      });
    }, 5000);
    timer.unref();
  }
  let dropped = 0;
  return {
    /** The figures of the run being published (the last one, between the UI's tests). */
    get metrics() {
      return metrics;
    },
    /**
     * The next run on the same endpoint and push group (the live UI's next test): its counters
     * start again from zero, which rate() and increase() read as a counter reset.
     */
    restart(next: RunInfo): void {
      metrics = new GeneratorMetrics(next, request.maxEndpoints);
      dropped = 0;
    },
    /** Pushes now (the end of one of the UI's tests), without waiting for the next 5 s. */
    async pushNow(log: (line: string) => void): Promise<void> {
      if (!request.push) return;
      const problem = await pushMetrics(metrics, request.push, instance);
      if (problem) log(`WARNING: ${problem}`);
    },
    /** Feeds the live figures from the load's progress (each second). */
    onProgress(p: Progress): void {
      dropped += p.row.dropped ?? 0;
      metrics.onState({
        users: p.users,
        intendedRate: p.row.intended,
        dropped,
        cpuPercent: p.cpuPercent,
        loopLagMs: p.loopLagMs,
      });
    },
    stopPushing: () => clearInterval(timer),
    /**
     * The final push, then the final values served for the grace period (Ctrl-C ends it), or
     * for what is left of it (the UI, whose last test may have ended a while ago).
     */
    async end(log: (line: string) => void, graceMs = request.graceMs): Promise<void> {
      if (request.push) {
        const problem = await pushMetrics(metrics, request.push, instance);
        log(
          problem
            ? `WARNING: the final push failed: ${problem}`
            : `Final metrics pushed to ${request.push}`,
        );
      }
      if (!served) return;
      if (graceMs > 0) {
        log(
          `Serving the final metrics at ${served.url} for ${Math.ceil(graceMs / 1000)}s (--metrics-grace; Ctrl-C to stop now)`,
        );
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(wait);
            process.off('SIGINT', done);
            process.off('SIGTERM', done);
            resolve();
          };
          const wait = setTimeout(done, graceMs);
          process.on('SIGINT', done);
          process.on('SIGTERM', done);
        });
      }
      served.server.close();
    },
  };
}
