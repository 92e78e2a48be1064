import { decodeHistogram, MAX_ERROR_MESSAGES, type RunResult } from '../stats/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';

const PERCENTILES = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100] as const;
const PERCENTILE_HEADERS = [
  '50%',
  '66%',
  '75%',
  '80%',
  '90%',
  '95%',
  '98%',
  '99%',
  '99.9%',
  '99.99%',
  '100%',
];

/** One CSV field, quoted when it holds a comma, quote or newline. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (values: ReadonlyArray<string | number>) => `${values.map(field).join(',')}\n`;
const round = (n: number) => Math.round(n * 1000) / 1000;

/** Percentiles (ms) of an encoded histogram; Locust rounds them, we keep microseconds. */
function percentiles(encoded: string | undefined): number[] {
  if (!encoded) return PERCENTILES.map(() => 0);
  const h = decodeHistogram(encoded);
  const out = PERCENTILES.map((p) =>
    h.totalCount === 0 ? 0 : round(h.getValueAtPercentile(p) / 1000),
  );
  h.destroy();
  return out;
}

/** Locust's `_stats.csv`: one row per request name and an Aggregated row. */
export function statsCsv(result: RunResult): string {
  let out = line([
    'Type',
    'Name',
    'Request Count',
    'Failure Count',
    'Median Response Time',
    'Average Response Time',
    'Min Response Time',
    'Max Response Time',
    'Average Content Size',
    'Requests/s',
    'Failures/s',
    ...PERCENTILE_HEADERS,
    // Ours, after Locust's: the chain's bytes as they came (compressed), where Locust's size is
    // the last response's, decoded (issue 26, item 8).
    'Average Wire Size',
  ]);
  // Rates over the seconds the figures cover (a distributed run that lost Redis saw fewer).
  const seconds = Math.max(result.unknownAfterS ?? result.durationS, 1e-3);
  const rows = [
    ...result.endpoints.map((e) => ({
      e,
      encoded: result.histograms.endpoints[`${e.method} ${e.name}`],
    })),
    { e: result.totals, encoded: result.histograms.total },
  ];
  for (const { e, encoded } of rows) {
    out += line([
      e.method,
      e.name,
      e.requests,
      e.failures,
      e.latencyMs.p50,
      e.latencyMs.mean,
      e.latencyMs.min,
      e.latencyMs.max,
      e.avgBytes,
      e.rps,
      round(e.failures / seconds),
      ...percentiles(encoded),
      e.avgWireBytes ?? 'N/A',
    ]);
  }
  return out;
}

/** Locust's `_stats_history.csv` columns, in its order; ours follow them. */
const HISTORY_HEADERS = [
  'Timestamp',
  'User Count',
  'Type',
  'Name',
  'Requests/s',
  'Failures/s',
  ...PERCENTILE_HEADERS,
  'Total Request Count',
  'Total Failure Count',
  'Total Median Response Time',
  'Total Average Response Time',
  'Total Min Response Time',
  'Total Max Response Time',
  'Total Average Content Size',
];

/** Our columns after Locust's in `_stats_history.csv`. */
const HISTORY_EXTRA_HEADERS = ['New Connections'];

/** Where Locust has no figure (a percentile of no requests), it writes N/A. */
const NA = 'N/A';

/**
 * Locust's `_stats_history.csv`: the per-second series, as the Aggregated row. The percentiles are
 * that second's (N/A in a second without requests), the Total columns the run's so far.
 */
export function historyCsv(result: RunResult): string {
  let out = line([...HISTORY_HEADERS, ...HISTORY_EXTRA_HEADERS]);
  for (const row of result.timeseries) {
    const perSecond = row.requests === 0 ? 0 : row.rps / row.requests;
    const percentiles =
      row.requests === 0
        ? PERCENTILES.map(() => NA)
        : [
            row.p50,
            row.p66,
            row.p75,
            row.p80,
            row.p90,
            row.p95,
            row.p98,
            row.p99,
            row.p999,
            row.p9999,
            row.max,
          ];
    out += line([
      row.timestamp,
      row.users,
      '',
      'Aggregated',
      row.rps,
      round(row.failures * perSecond),
      ...percentiles,
      row.totalRequests,
      row.totalFailures,
      // A result written before these were kept has none: blank rather than a made-up 0.
      row.totalP50Ms ?? '',
      row.totalMeanMs ?? '',
      row.totalMinMs ?? '',
      row.totalMaxMs ?? '',
      row.totalAvgBytes ?? '',
      row.newConnections ?? 0,
    ]);
  }
  return out;
}

/**
 * Locust's `_failures.csv`: a row per request and distinct message, with its count. A group whose
 * messages went past the bound (MAX_ERROR_MESSAGES over the run) has a row for the rest. A task's
 * exception is not a request: it is in `_exceptions.csv`.
 */
export function failuresCsv(result: RunResult): string {
  let out = line(['Method', 'Name', 'Error', 'Occurrences']);
  for (const e of result.errors) {
    if (e.kind === 'exception') continue;
    for (const m of e.messages ?? [{ message: e.message, count: e.count }])
      out += line([e.method, e.name, `${e.kind}: ${m.message}`, m.count]);
    if (e.otherMessages)
      out += line([
        e.method,
        e.name,
        `${e.kind}: (other messages: the run kept its first ${MAX_ERROR_MESSAGES} distinct ones)`,
        e.otherMessages,
      ]);
  }
  return out;
}

/**
 * Locust's `_exceptions.csv`: a row per distinct message of the tasks' exceptions, with its count
 * and the first traceback seen. Nodes is `local`, as Locust's local runner writes it; a
 * distributed run leaves it empty (its exceptions are not traced to agents).
 */
export function exceptionsCsv(result: RunResult): string {
  let out = line(['Count', 'Message', 'Traceback', 'Nodes']);
  const nodes = result.distributed ? '' : 'local';
  for (const e of result.errors) {
    if (e.kind !== 'exception') continue;
    for (const m of e.messages ?? [{ message: e.message, count: e.count }])
      out += line([m.count, m.message, m.traceback ?? '', nodes]);
    if (e.otherMessages)
      out += line([
        e.otherMessages,
        `(other messages: the run kept its first ${MAX_ERROR_MESSAGES} distinct ones)`,
        '',
        nodes,
      ]);
  }
  return out;
}

const PHASES = ['blocked', 'client', 'connect', 'tls', 'ttfb', 'receive'] as const;
const PHASE_FIGURES = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

/**
 * `_phases.csv` (ours; Locust has none): per endpoint and in aggregate, the connections opened,
 * the requests that waited for a connection, and each phase's figures in ms. Connect and TLS are
 * per connection opened. A result written before issue 26 has empty client and waited cells.
 */
export function phasesCsv(result: RunResult): string {
  let out = line([
    'Type',
    'Name',
    'New Connections',
    'Waited',
    ...PHASES.flatMap((phase) => PHASE_FIGURES.map((f) => `${phase} ${f}`)),
  ]);
  for (const e of [...result.endpoints, result.totals]) {
    const p = e.phases;
    if (!p) continue;
    out += line([
      e.method,
      e.name,
      p.newConnections,
      p.waited ?? '',
      ...PHASES.flatMap((phase) => PHASE_FIGURES.map((f) => p[`${phase}Ms`]?.[f] ?? '')),
    ]);
  }
  return out;
}

/**
 * Writes PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and
 * PREFIX_exceptions.csv as Locust does, and PREFIX_phases.csv; returns the paths.
 */
export function writeCsv(result: RunResult, prefix: string): string[] {
  const files: Array<[string, string]> = [
    [`${prefix}_stats.csv`, statsCsv(result)],
    [`${prefix}_stats_history.csv`, historyCsv(result)],
    [`${prefix}_failures.csv`, failuresCsv(result)],
    [`${prefix}_exceptions.csv`, exceptionsCsv(result)],
    [`${prefix}_phases.csv`, phasesCsv(result)],
  ];
  for (const [path, content] of files) writeFileAtomic(path, content);
  return files.map(([path]) => path);
}
