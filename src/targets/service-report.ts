import type { Scrape } from './prometheus.js';
import type { ServiceFigures } from './service-figures.js';
import type { ServiceSlowQueries } from './slow-queries.js';

/** What the service's metrics said about the run, beside its client-side figures. */
export interface ServiceReport {
  readonly metricsUrl: string;
  /** Why there are no service figures, when there are none. */
  readonly unavailable: string | null;
  readonly cacheHitRate: number | null;
  readonly taskCompletionRate: number | null;
  readonly providerUptime: number | null;
  readonly providers: Readonly<Record<string, number | null>>;
  readonly residentMemoryMb: { readonly before: number; readonly after: number } | null;
  readonly healthUrl: string;
  readonly uptime: { readonly ok: number; readonly total: number } | null;
  /** Each cache layer's hits and misses over the run, when the metrics have them. */
  readonly cacheLayers?: ReadonlyArray<{
    readonly layer: string;
    readonly hits: number;
    readonly misses: number;
  }>;
  /** The service's slow-query log over the run (FIML's `/api/metrics/performance`), if it has one. */
  readonly slowQueries?: ServiceSlowQueries;
  /** With --window: the cache hit rate of each window (null when it had no lookups). */
  readonly windows?: ReadonlyArray<{
    readonly from: number;
    readonly to: number;
    readonly cacheHitRate: number | null;
  }>;
}

/** The service's headline figures, as the end of a run and the live UI both give them. */
export type ServiceHeadline = Pick<
  ServiceReport,
  | 'unavailable'
  | 'cacheHitRate'
  | 'taskCompletionRate'
  | 'providerUptime'
  | 'providers'
  | 'cacheLayers'
>;

/** A service figure as a result gives it: rounded to a millionth, or null when it is unknown. */
export const figureValue = (figure: ReturnType<ServiceFigures['cacheHitRate']>): number | null =>
  figure.known ? Math.round(figure.value * 1e6) / 1e6 : null;

/** The service's headline figures, or nulls when its metrics were not there. */
export function serviceHeadline(
  after: Scrape | string,
  service: ServiceFigures | string,
  unavailable: string | null,
  metricPrefix = 'fiml',
): ServiceHeadline {
  const missing = typeof service === 'string' || unavailable !== null;
  const ok = (f: (s: ServiceFigures) => ReturnType<ServiceFigures['cacheHitRate']>) =>
    missing ? null : figureValue(f(service as ServiceFigures));
  const providerNames =
    typeof after === 'string'
      ? []
      : after.labelValues(`${metricPrefix}_provider_requests_total`, 'provider');
  return {
    unavailable: unavailable ?? (typeof service === 'string' ? service : null),
    cacheHitRate: ok((f) => f.cacheHitRate()),
    taskCompletionRate: ok((f) => f.taskCompletionRate()),
    providerUptime: ok((f) => f.providerUptime()),
    providers: Object.fromEntries(providerNames.map((p) => [p, ok((f) => f.providerUptime(p))])),
    ...(missing ? {} : { cacheLayers: (service as ServiceFigures).cacheLayers() }),
  };
}
