import type { DatabaseSection } from '../database/index.js';
import {
  createHistogram,
  decodeHistogram,
  type Histogram,
  type RunResult,
} from '../stats/index.js';
import { clip, type MetricRef, percentileOf, quoted } from './expression.js';
import { type Figure, type ServiceFigures, unknown } from './service-figures.js';

/** Client-side figures of a run, a window, or one endpoint: latencies in microseconds. */
export interface ClientSlice {
  readonly histogram: Histogram;
  readonly requests: number;
  readonly failures: number;
  readonly seconds: number;
}

/** Health probes taken during the run or a window. */
export interface ProbeCount {
  readonly ok: number;
  readonly total: number;
}

/** Where targets find their figures: a whole run, or one window of it. */
export interface FigureSource {
  readonly run: ClientSlice;
  /** Endpoints keyed by `METHOD name`, as in the result. */
  readonly endpoints: ReadonlyMap<string, ClientSlice>;
  /** The service's scraped metrics, or why there are none. */
  readonly service: ServiceFigures | string;
  /** Health probes, or why there are none. */
  readonly probes: ProbeCount | string;
  /** The database's view of the run, or why there is none; absent while the run goes on. */
  readonly database?: DatabaseSection | string;
}

/** Tables a sequential scan on counts as `db.large_seq_scans`: as the index suggestions'. */
const LARGE_TABLE_ROWS = 10_000;

/** A figure of the database's window. */
function databaseFigure(database: DatabaseSection | string | undefined, figure: string): Figure {
  if (database === undefined)
    return unknown("the database is read at the run's end, not during it");
  if (typeof database === 'string') return unknown(database);
  switch (figure) {
    case 'cache_hit_rate': {
      const { blocksHit, blocksRead, hitRatio } = database.cache;
      return hitRatio === null
        ? unknown('no block was read or hit during the run')
        : known(
            hitRatio,
            `${blocksHit} of ${blocksHit + blocksRead} blocks found in the buffer cache`,
          );
    }
    case 'max_statement_mean': {
      if (!database.statementsAvailable)
        return unknown(database.statementsNote ?? 'no pg_stat_statements');
      const worst = database.statements.reduce<DatabaseSection['statements'][number] | undefined>(
        (w, s) => (s.calls > 0 && (w === undefined || s.meanMs > w.meanMs) ? s : w),
        undefined,
      );
      return worst === undefined
        ? unknown('no statement ran during the run')
        : known(worst.meanMs, `${worst.calls} calls of ${clip(worst.query)}`);
    }
    case 'large_seq_scans': {
      const large = database.tables.filter((t) => t.liveRows >= LARGE_TABLE_ROWS);
      const scans = large.reduce((n, t) => n + t.seqScans, 0);
      return known(
        scans,
        `on ${large.filter((t) => t.seqScans > 0).length} tables of ${LARGE_TABLE_ROWS} rows or more`,
      );
    }
    case 'deadlocks':
      return known(database.deadlocks, `in ${database.database}`);
    case 'temp_files':
      return known(database.tempFiles, `${database.tempBytes} bytes`);
  }
  return unknown(`${quoted(figure)} is not a database figure`);
}

/** Whether a figure comes from the service's metrics (scraped) rather than the client. */
export function isServiceMetric(metric: MetricRef): boolean {
  return (
    metric.scope === 'provider' ||
    (metric.scope === 'run' &&
      ['cache_hit_rate', 'task_completion_rate', 'provider_uptime'].includes(metric.figure))
  );
}

const known = (value: number, basis: string): Figure => ({ known: true, value, basis });

/** A latency, rate or count of a slice of client-side results. */
export function clientFigure(slice: ClientSlice, figure: string): Figure {
  const { histogram, requests, failures } = slice;
  const basis = `${requests} requests`;
  switch (figure) {
    case 'requests':
      return known(requests, basis);
    case 'failures':
      return known(failures, basis);
    case 'rps':
      return known(
        requests / Math.max(slice.seconds, 1e-3),
        `${basis} in ${slice.seconds.toFixed(1)}s`,
      );
    case 'error_rate':
      return requests === 0
        ? unknown('no requests were recorded')
        : known(failures / requests, `${failures} of ${requests} requests failed`);
  }
  if (histogram.totalCount === 0) return unknown('no requests were recorded');
  const ms = (us: number) => us / 1000;
  switch (figure) {
    case 'avg':
    case 'mean':
      return known(ms(histogram.mean), basis);
    case 'min':
      return known(ms(histogram.minNonZeroValue), basis);
    case 'max':
      return known(ms(histogram.getValueAtPercentile(100)), basis);
    case 'median':
      return known(ms(histogram.getValueAtPercentile(50)), basis);
  }
  const p = percentileOf(figure);
  if (p === null) return unknown(`${quoted(figure)} is not a client-side figure`);
  return known(ms(histogram.getValueAtPercentile(p)), basis);
}

/** The endpoints an endpoint["..."] reference names: by `METHOD name`, or by name (any method). */
function endpointSlice(source: FigureSource, name: string): ClientSlice | string {
  const exact = source.endpoints.get(name);
  if (exact) return exact;
  const matching = [...source.endpoints].filter(
    ([key]) => key.slice(key.indexOf(' ') + 1) === name,
  );
  if (matching.length === 0) {
    const names = [...source.endpoints.keys()].map((k) => k.slice(k.indexOf(' ') + 1));
    return `no endpoint named "${clip(name)}" in this run${
      names.length
        ? ` (${[...new Set(names)]
            .slice(0, 5)
            .map((n) => clip(n))
            .join(', ')}${names.length > 5 ? ', ...' : ''})`
        : ''
    }`;
  }
  if (matching.length === 1) return matching[0]?.[1] as ClientSlice;
  const histogram = createHistogram();
  let requests = 0;
  let failures = 0;
  for (const [, slice] of matching) {
    histogram.add(slice.histogram);
    requests += slice.requests;
    failures += slice.failures;
  }
  return { histogram, requests, failures, seconds: source.run.seconds };
}

/** The figure a target refers to, from wherever it comes. */
export function resolveFigure(source: FigureSource, metric: MetricRef): Figure {
  if (metric.scope === 'endpoint') {
    const slice = endpointSlice(source, metric.name);
    return typeof slice === 'string' ? unknown(slice) : clientFigure(slice, metric.figure);
  }
  if (metric.scope === 'db') return databaseFigure(source.database, metric.figure);
  const service = source.service;
  if (metric.scope === 'provider')
    return typeof service === 'string' ? unknown(service) : service.providerUptime(metric.name);
  switch (metric.figure) {
    case 'cache_hit_rate':
      return typeof service === 'string' ? unknown(service) : service.cacheHitRate();
    case 'task_completion_rate':
      return typeof service === 'string' ? unknown(service) : service.taskCompletionRate();
    case 'provider_uptime':
      return typeof service === 'string' ? unknown(service) : service.providerUptime();
    case 'uptime': {
      const probes = source.probes;
      if (typeof probes === 'string') return unknown(probes);
      return probes.total === 0
        ? unknown('no health probe completed during the run')
        : known(probes.ok / probes.total, `${probes.ok} of ${probes.total} health probes answered`);
    }
  }
  return clientFigure(source.run, metric.figure);
}

/** A finished run's figures, from its result file and what was gathered beside it. */
export function resultFigures(
  result: RunResult & { readonly database?: DatabaseSection | undefined },
  service: ServiceFigures | string,
  probes: ProbeCount | string,
): FigureSource {
  // Rates over the seconds the figures cover (a distributed run that lost Redis saw fewer).
  const seconds = result.unknownAfterS ?? result.durationS;
  const endpoints = new Map<string, ClientSlice>();
  for (const e of result.endpoints) {
    const key = `${e.method} ${e.name}`;
    const encoded = result.histograms.endpoints[key];
    endpoints.set(key, {
      histogram: encoded ? decodeHistogram(encoded) : createHistogram(),
      requests: e.requests,
      failures: e.failures,
      seconds,
    });
  }
  return {
    run: {
      histogram: decodeHistogram(result.histograms.total),
      requests: result.totals.requests,
      failures: result.totals.failures,
      seconds,
    },
    endpoints,
    service,
    probes,
    database:
      result.database ??
      'no database was watched: give --postgres URL, or test the embedded FIML (its own database)',
  };
}
