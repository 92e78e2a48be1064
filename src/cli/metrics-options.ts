import { z } from 'zod';
import type { MetricsRequest } from '../monitor/index.js';
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
    schema: flag.duration('30s', '30s', 0),
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
