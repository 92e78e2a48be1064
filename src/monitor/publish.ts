import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { PerfError } from '../errors.js';
import type { Progress } from '../load/index.js';
import type { GeneratorMetrics } from './generator-metrics.js';

/** What a run publishes of the generator's figures (--metrics-port, --prometheus-push). */
export interface MetricsRequest {
  /** Serve /metrics on this port (0: a free one); undefined: do not serve. */
  readonly port: number | undefined;
  readonly host: string;
  /** How long /metrics keeps serving the final values after the run. */
  readonly graceMs: number;
  /** A Pushgateway to push to every 5 s and at the end. */
  readonly push: string | undefined;
  readonly maxEndpoints: number;
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
  const { GeneratorMetrics } = await import('./generator-metrics.js');
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
    /** Stops pushing and serving at once, without the final push (a run that failed). */
    close(): void {
      clearInterval(timer);
      served?.server.close();
    },
    /**
     * The final push, then the final values served for the grace period or for what is left of it
     * (the UI, whose last test may have ended a while ago); `interrupted` (the next Ctrl-C) ends
     * the wait early.
     */
    async end(
      log: (line: string) => void,
      graceMs = request.graceMs,
      interrupted?: Promise<unknown>,
    ): Promise<void> {
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
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            wait = setTimeout(resolve, graceMs);
          }),
          ...(interrupted ? [interrupted] : []),
        ]);
        clearTimeout(wait);
      }
      served.server.close();
    },
  };
}

/** A run's figures being published; `publishMetrics` makes one. */
export type MetricsPublisher = Awaited<ReturnType<typeof publishMetrics>>;
