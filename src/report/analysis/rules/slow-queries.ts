import type { AnalysisContext } from '../context.js';
import { count, evidence, ms, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding, SlowQueries, SlowQuery } from '../types.js';

/** The seed suite's steps for slow queries, for FIML's operations. */
const SLOW_QUERY_STEPS = [
  'Review the slow query log: `GET /api/metrics/performance` (slow_queries), newest first',
  'Check what the operation waits on: a provider call on a cache miss, or its own computation (indicators over long histories)',
  'Look at the query itself: an FK-DSL query over many symbols or a long window does that much more work',
  'Profile it under load: `fiml-perf run --profile` (or `fiml-perf profile --host URL --inspect http://127.0.0.1:9229` for a service started with node --inspect)',
];

/**
 * Slow queries weighing on the run: as a share of requests, and one operation dominating the
 * log. Quiet without a captured slow-query log or with only a few slow queries.
 */
export function slowQueries(context: AnalysisContext): Finding[] {
  const log = context.input.slowQueries;
  if (!log || log.total < THRESHOLDS.slowQueryMinCount) return [];
  const requests = context.result.totals.requests;
  const share = requests === 0 ? 0 : log.total / requests;
  const byOperation = new Map<string, SlowQuery[]>();
  for (const q of log.entries) {
    const list = byOperation.get(q.operation) ?? [];
    list.push(q);
    byOperation.set(q.operation, list);
  }
  const ranked = [...byOperation].sort(
    (a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]),
  );
  const [topName, top] = ranked[0] ?? ['', []];
  const topShare = log.entries.length === 0 ? 0 : top.length / log.entries.length;
  const dominant = top.length > 0 && topShare >= THRESHOLDS.slowQueryDominance;
  const slowest = [...log.entries].sort((a, b) => b.durationMs - a.durationMs)[0];
  const threshold = log.thresholdMs === null ? '' : ` (over ${ms(log.thresholdMs)})`;
  return [
    {
      id: 'slow-queries',
      severity: share >= THRESHOLDS.slowQueryShare ? 'warning' : 'info',
      title: dominant
        ? `Slow queries${threshold}: ${topName} is ${pct(topShare)} of them`
        : `${count(log.total)} slow queries${threshold}`,
      detail: `The service logged ${count(log.total)} slow operations${threshold}, ${pct(share)} of the run's ${count(requests)} requests.${dominant ? ` ${topName} is ${top.length} of the ${log.entries.length} in the log.` : ''}${slowest ? ` The slowest took ${ms(slowest.durationMs)} (${slowest.operation}${slowest.query ? `: ${slowest.query}` : ''}).` : ''}`,
      evidence: [
        evidence.count('slow queries', log.total),
        evidence.share('share of requests', share),
        ...(log.thresholdMs === null ? [] : [evidence.ms('slow-query threshold', log.thresholdMs)]),
        ...ranked
          .slice(0, 3)
          .map(([name, list]) => evidence.count(`${name} in the log`, list.length)),
        ...(slowest ? [evidence.ms('slowest', slowest.durationMs)] : []),
      ],
      recommendation: SLOW_QUERY_STEPS,
      action: {
        text: dominant
          ? `Speed up ${topName}, most of the slow queries`
          : 'Review the slow query log',
        command: 'fiml-perf run --profile',
        doc: 'docs/monitoring.md#json-views',
      },
    },
  ];
}

interface FimlSlowQueryReport {
  readonly threshold_ms: number;
  readonly total: number;
  /** Newest first. */
  readonly recent: ReadonlyArray<{
    readonly operation: string;
    readonly duration_ms: number;
    readonly at: string;
    readonly detail: string | null;
  }>;
}

/**
 * FIML's slow-query log (`slow_queries` of `/api/metrics/performance`) as the analysis reads it.
 * With the log as it was before the run, only the run's slow queries count (the log is newest
 * first, so they are its first entries).
 */
export function slowQueriesFromFiml(
  after: FimlSlowQueryReport,
  before?: FimlSlowQueryReport,
): SlowQueries {
  const total = Math.max(0, after.total - (before?.total ?? 0));
  return {
    thresholdMs: after.threshold_ms,
    total,
    entries: after.recent.slice(0, total).map((q) => ({
      operation: q.operation,
      query: q.detail,
      durationMs: q.duration_ms,
      at: q.at,
    })),
  };
}
