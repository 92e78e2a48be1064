import { type EndpointResult, OTHER_NAMES, type RunResult } from '../stats/index.js';

const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n >= 100 ? num(n) : n >= 10 ? num(n, 1) : num(n, 2));

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

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
  const rows = result.endpoints.map(row);
  const total = row(result.totals);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...[...rows, total].map((r) => (r[i] as string).length)),
  );
  const format = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] as number, i < 2))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [format(header), rule, ...rows.map(format), rule, format(total)].join('\n');
}

/** Errors by kind, largest first. */
export function errorTable(result: RunResult, limit = 10): string {
  if (result.errors.length === 0) return '';
  const lines = result.errors
    .slice(0, limit)
    .map(
      (e) => `  ${pad(num(e.count), 8)}  ${e.kind.padEnd(9)} ${e.method} ${e.name}: ${e.message}`,
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
  const lag = g.scheduleLagMs ? `, schedule lag p99 ${g.scheduleLagMs.p99} ms` : '';
  const dropped = g.dropped > 0 ? `, ${num(g.dropped)} iterations dropped` : '';
  const base = `Generator: ${g.workers} worker(s), CPU ${g.cpuPercent.mean}% mean, event-loop delay p99 ${g.eventLoopLagMs.p99} ms${lag}${dropped}, max RSS ${g.maxRssMb} MB`;
  return g.saturated
    ? `${base}\nWARNING: the load generator was saturated (${g.reasons.join('; ')}): the figures measure fiml-perf, not the target. Add --workers or lower the load.`
    : base;
}
