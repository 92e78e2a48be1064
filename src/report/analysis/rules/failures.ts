import type { ErrorGroup } from '../../../stats/index.js';
import type { AnalysisContext } from '../context.js';
import { count, evidence, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding, Severity } from '../types.js';

/** What a kind of failure or a status usually means, and where to look first. */
function advice(kind: string, status: number | null): string {
  if (status !== null) {
    if (status === 429)
      return 'the service is rate limiting: raise its limit for the test or lower the load';
    if (status === 503)
      return 'the service (or a provider behind it) was unavailable: see provider health and the fallbacks';
    if (status === 404)
      return 'the scenario asks for things that do not exist (unknown symbols, wrong paths)';
    if (status === 400 || status === 422)
      return "the scenario sends requests the service refuses: read the responses' error messages";
    if (status >= 500) return "the service failed: read its logs for the errors' stack traces";
    return 'read the sample message of the error group';
  }
  switch (kind) {
    case 'timeout':
      return 'responses took longer than --timeout: the service is overloaded or stuck';
    case 'refused':
      return 'nothing was listening: the service was down or restarting';
    case 'reset':
      return 'the service or a proxy closed connections: crashes, connection limits, idle timeouts';
    case 'check':
      return "answers arrived but a check refused them: read the checks' messages";
    case 'tls':
      return 'TLS failed: certificates or protocol settings (--ca, --insecure)';
    case 'exception':
      return 'the scenario code threw: read the messages, fix the task';
    default:
      return 'read the sample message of the error group';
  }
}

const label = (g: Pick<ErrorGroup, 'kind' | 'status'>) =>
  g.status !== null ? `HTTP ${g.status}` : g.kind;

function severityOf(errorRate: number): Severity {
  return errorRate >= THRESHOLDS.errorRateCritical ? 'critical' : 'warning';
}

/**
 * Failures: a run whose error rate is worth a finding (with its largest groups), and failures
 * concentrated on one endpoint or one status (or kind, for failures without a status).
 */
export function failures(context: AnalysisContext): Finding[] {
  const { totals, errors } = context.result;
  if (totals.failures === 0 || totals.requests === 0) return [];
  const errorRate = totals.failures / totals.requests;
  const findings: Finding[] = [];
  const requestErrors = errors.filter((g) => g.kind !== 'exception');
  const top = requestErrors.slice(0, 3);
  if (errorRate >= THRESHOLDS.errorRateWarning) {
    const main = top[0];
    findings.push({
      id: 'error-rate',
      severity: severityOf(errorRate),
      title: `${pct(errorRate)} of requests failed`,
      detail: `${count(totals.failures)} of ${count(totals.requests)} requests failed.${main ? ` The largest group is ${label(main)} on ${main.method} ${main.name} (${count(main.count)}): ${advice(main.kind, main.status)}.` : ''}`,
      evidence: [
        evidence.count('failures', totals.failures),
        evidence.share('error rate', errorRate),
        ...top.map((g) => evidence.count(`${label(g)} on ${g.method} ${g.name}`, g.count)),
      ],
      recommendation: [
        ...(main
          ? [`${label(main)}: ${advice(main.kind, main.status)}`, `Sample message: ${main.message}`]
          : []),
        'The errors table (`--csv` writes PREFIX_failures.csv) lists every group with a sample message',
      ],
      action: main
        ? {
            text: `Fix the largest group of failures, ${label(main)} on ${main.method} ${main.name}: ${advice(main.kind, main.status)}`,
          }
        : { text: 'Find why requests failed' },
    });
  }
  if (totals.failures < THRESHOLDS.minFailures) return findings;
  const rated = findings.length > 0;
  const endpoints = context.endpoints;
  const worst = [...endpoints].sort((a, b) => b.failures - a.failures)[0];
  if (
    endpoints.length >= 2 &&
    worst &&
    worst.failures / totals.failures >= THRESHOLDS.failureConcentration
  ) {
    const share = worst.failures / totals.failures;
    findings.push({
      id: 'failures-on-one-endpoint',
      severity: severityOf(errorRate),
      title: `${pct(share)} of failures are on ${worst.key}`,
      detail: `${worst.key} failed ${count(worst.failures)} of its ${count(worst.requests)} requests (${pct(worst.failureRate)}), ${pct(share)} of the run's ${count(totals.failures)} failures: the problem is that endpoint, not the service as a whole.`,
      evidence: [
        evidence.text('endpoint', worst.key),
        evidence.count('its failures', worst.failures),
        evidence.share('its error rate', worst.failureRate),
        evidence.share('share of all failures', share),
      ],
      recommendation: [
        `Look at ${worst.key}'s error groups and their sample messages`,
        'Reproduce it alone: a scenario of only that request, or quick mode on its URL (`fiml-perf load URL`)',
      ],
      // With an error-rate finding, its step already names the largest group.
      ...(rated
        ? {}
        : { action: { text: `Fix the failures of ${worst.key} (${pct(share)} of all failures)` } }),
    });
  }
  const byStatus = new Map<string, { kind: string; status: number | null; count: number }>();
  for (const g of requestErrors) {
    const key = label(g);
    const entry = byStatus.get(key) ?? { kind: g.kind, status: g.status, count: 0 };
    entry.count += g.count;
    byStatus.set(key, entry);
  }
  const [statusKey, status] = [...byStatus].sort((a, b) => b[1].count - a[1].count)[0] ?? [];
  if (status && statusKey) {
    const share = status.count / totals.failures;
    if (share >= THRESHOLDS.failureConcentration)
      findings.push({
        id: 'failures-one-status',
        severity: severityOf(errorRate),
        title: `${pct(share)} of failures are ${statusKey}`,
        detail: `${count(status.count)} of the ${count(totals.failures)} failures are ${statusKey}: ${advice(status.kind, status.status)}.`,
        evidence: [
          evidence.text(status.status !== null ? 'status' : 'kind', statusKey),
          evidence.count('failures', status.count),
          evidence.share('share of all failures', share),
        ],
        recommendation: [advice(status.kind, status.status)],
        ...(rated
          ? {}
          : {
              action: {
                text: `Find the cause of the ${statusKey} failures: ${advice(status.kind, status.status)}`,
              },
            }),
      });
  }
  return findings;
}
