import { type EndpointResult, OTHER_NAMES, type RunResult } from '../stats/index.js';
import { textTable } from '../util/text-table.js';

const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n >= 100 ? num(n) : n >= 10 ? num(n, 1) : num(n, 2));

/** Cells in columns (the first `left` aligned left), a rule under the header and over a footer. */
const columns = (header: string[], rows: string[][], left: number, footer?: string[]) =>
  textTable(header, rows, { left: (i) => i < left, rule: true, ...(footer ? { footer } : {}) });

/** The per-endpoint table at the end of a run, as Locust prints it (times in ms). */
export function summaryTable(result: RunResult): string {
  const header = [
    'Type',
    'Name',
    '# reqs',
    '# fails',
    'Med',
    'Avg',
    'Min',
    'Max',
    'p90',
    'p95',
    'p99',
    'req/s',
  ];
  const row = (e: EndpointResult) => [
    e.method,
    e.name,
    num(e.requests),
    `${num(e.failures)}(${num(e.failureRate * 100, 2)}%)`,
    ms(e.latencyMs.p50),
    ms(e.latencyMs.mean),
    ms(e.latencyMs.min),
    ms(e.latencyMs.max),
    ms(e.latencyMs.p90),
    ms(e.latencyMs.p95),
    ms(e.latencyMs.p99),
    num(e.rps, 1),
  ];
  return columns(header, result.endpoints.map(row), 2, row(result.totals));
}

/**
 * Where the time went per endpoint (`--phases`), as medians and p95 in ms: waiting for a
 * connection, the client's own time, TCP connect and TLS handshake (per connection opened), time
 * to first byte, receiving. A slow server shows in TTFB; a slow network or handshake before it.
 */
export function phasesTable(result: RunResult): string {
  if (!result.totals.phases) return '';
  const header = [
    'Type',
    'Name',
    'Conns',
    'Blocked p50',
    'Client p50',
    'Connect p50',
    'TLS p50',
    'TTFB p50',
    'TTFB p95',
    'Receive p50',
    'Receive p95',
  ];
  const row = (e: EndpointResult) => {
    const p = e.phases as NonNullable<EndpointResult['phases']>;
    const opened = p.newConnections > 0;
    return [
      e.method,
      e.name,
      num(p.newConnections),
      ms(p.blockedMs.p50),
      p.clientMs ? ms(p.clientMs.p50) : '-',
      opened ? ms(p.connectMs.p50) : '-',
      opened && p.tlsMs.max > 0 ? ms(p.tlsMs.p50) : '-',
      ms(p.ttfbMs.p50),
      ms(p.ttfbMs.p95),
      ms(p.receiveMs.p50),
      ms(p.receiveMs.p95),
    ];
  };
  const table = columns(
    header,
    result.endpoints.filter((e) => e.phases).map(row),
    2,
    result.totals.phases ? row(result.totals) : undefined,
  );
  return `Where the time went (ms; connect and TLS per connection opened):\n${table}`;
}

/** Errors by kind, largest first. */
export function errorTable(result: RunResult, limit = 10): string {
  if (result.errors.length === 0) return '';
  const lines = result.errors
    .slice(0, limit)
    .map(
      (e) =>
        `  ${num(e.count).padStart(8)}  ${e.kind.padEnd(9)} ${e.method} ${e.name}: ${e.message}`,
    );
  const more =
    result.errors.length > limit ? [`  ... and ${result.errors.length - limit} more groups`] : [];
  return ['Errors (count, kind, request, sample message):', ...lines, ...more].join('\n');
}

/** What the cap on request names did, when it did anything; '' otherwise. */
export function namesLine(result: RunResult): string {
  const n = result.names;
  if (!n || n.overflowRequests === 0) return '';
  return `WARNING: about ${num(n.overflowNames)} request names past the first ${num(n.max)} (${num(n.overflowRequests)} requests) were recorded as '${OTHER_NAMES}'. Give such requests a name (client.get(url, { name: '/item/:id' })) or raise --max-names; docs/load.md, "How requests are named".`;
}

/** The generator's health, and a warning when it was the bottleneck. */
export function generatorLine(result: RunResult): string {
  const g = result.generator;
  const s = g.scheduleLagMs;
  // How many iterations the p99 rests on: of 48, it is the latest one (issue 26).
  const over =
    s?.iterations === undefined
      ? ''
      : ` of ${num(s.iterations)} iterations${s.late ? `, ${num(s.late)} over 10 ms late` : ''}`;
  const lag = s ? `, schedule lag p99 ${s.p99} ms${over}` : '';
  const dropped = g.dropped > 0 ? `, ${num(g.dropped)} iterations dropped` : '';
  const base = `Generator: ${g.workers} worker(s), CPU ${g.cpuPercent.mean}% mean, event-loop delay p99 ${g.eventLoopLagMs.p99} ms${lag}${dropped}, max RSS ${g.maxRssMb} MB`;
  return g.saturated
    ? `${base}\nWARNING: the load generator was saturated (${g.reasons.join('; ')}): the figures measure fiml-perf, not the target. Add --workers or lower the load.`
    : base;
}
