import type { DatabaseSection } from '../database/index.js';
import type { EndpointResult, RunResult } from '../stats/index.js';
import type { ServiceReport, TargetsReport } from '../targets/index.js';
import { databaseMarkdown } from './database-markdown.js';
import { namesLine } from './terminal.js';

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const cell = (text: string) => text.replaceAll('|', '\\|');

const VERDICT = { pass: 'pass', fail: '**FAIL**', unknown: 'unknown' } as const;

/** The Markdown summary of a run: verdict, targets, service figures, database, endpoints, errors. */
export function runMarkdown(
  result: RunResult & {
    readonly targets?: TargetsReport;
    readonly service?: ServiceReport;
    readonly database?: DatabaseSection;
  },
): string {
  const t = result.totals;
  const lines: string[] = [];
  // A stress kind's empty targets section is no verdict: its own section says pass or fail.
  const targets = result.targets?.outcomes.length ? result.targets : undefined;
  const failed = targets ? targets.summary.fail : 0;
  const unknown = targets ? targets.summary.unknown : 0;
  lines.push(`# fiml-perf run: ${result.target}`, '');
  lines.push(
    targets
      ? `**${failed === 0 && unknown === 0 ? 'All targets met' : `${failed} target(s) failed, ${unknown} unknown`}**: ${targets.summary.pass} passed, ${failed} failed, ${unknown} unknown.`
      : 'No targets were judged.',
    '',
  );
  lines.push(
    `- Started ${result.startedAt}, ran ${result.durationS}s (${result.model} model, ${result.executor})${result.interrupted ? ', stopped early' : ''}`,
    `- ${t.requests.toLocaleString('en-US')} requests, ${t.failures.toLocaleString('en-US')} failed (${(t.failureRate * 100).toFixed(2)}%), ${t.rps} req/s`,
    `- Latency: avg ${t.latencyMs.mean} ms, p50 ${t.latencyMs.p50} ms, p95 ${t.latencyMs.p95} ms, p99 ${t.latencyMs.p99} ms, max ${t.latencyMs.max} ms`,
    `- Generator: CPU ${result.generator.cpuPercent.mean}% mean, event-loop delay p99 ${result.generator.eventLoopLagMs.p99} ms${result.generator.saturated ? ` **saturated** (${result.generator.reasons.join('; ')}): the figures measure the generator` : ''}`,
  );
  const names = namesLine(result);
  if (names) lines.push(`- ${names.replace(/^WARNING: a/, 'A')}`);
  lines.push('');
  if (targets) {
    lines.push(
      '## Targets',
      '',
      '| Target | Threshold | Actual | Verdict | Based on |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const o of targets.outcomes)
      lines.push(
        `| ${cell(o.name)} | \`${cell(o.expression)}\` | ${o.actual ?? '-'} | ${VERDICT[o.verdict]} | ${cell(o.detail)} |`,
      );
    if (targets.abortedBy)
      lines.push(
        '',
        `Stopped at ${targets.abortedBy.atSeconds}s: '${targets.abortedBy.target}' failed.`,
      );
    lines.push('');
  }
  const service = result.service;
  if (service) {
    lines.push('## Service', '');
    if (service.unavailable) lines.push(`No service metrics: ${service.unavailable}.`);
    else {
      lines.push(
        `- Cache hit rate ${pct(service.cacheHitRate)}, task completion ${pct(service.taskCompletionRate)}, provider uptime ${pct(service.providerUptime)}`,
      );
      const providers = Object.entries(service.providers)
        .map(([name, up]) => `${name} ${pct(up)}`)
        .join(', ');
      if (providers) lines.push(`- Providers: ${providers}`);
      if (service.residentMemoryMb)
        lines.push(
          `- Resident memory ${service.residentMemoryMb.before} MB before, ${service.residentMemoryMb.after} MB after`,
        );
    }
    lines.push(
      service.uptime
        ? `- Health probes: ${service.uptime.ok} of ${service.uptime.total} answered (${service.healthUrl})`
        : `- No health probes (${service.healthUrl})`,
      '',
    );
  }
  if (result.database) lines.push(...databaseMarkdown(result.database));
  lines.push(
    '## Endpoints',
    '',
    '| Type | Name | Requests | Failures | Avg ms | p50 | p95 | p99 | req/s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const row = (e: EndpointResult) =>
    `| ${e.method} | ${cell(e.name)} | ${e.requests} | ${e.failures} | ${e.latencyMs.mean} | ${e.latencyMs.p50} | ${e.latencyMs.p95} | ${e.latencyMs.p99} | ${e.rps} |`;
  for (const e of result.endpoints) lines.push(row(e));
  lines.push(row(t), '');
  if (result.errors.length > 0) {
    lines.push(
      '## Errors',
      '',
      '| Count | Kind | Request | Message |',
      '| ---: | --- | --- | --- |',
    );
    for (const e of result.errors.slice(0, 10))
      lines.push(`| ${e.count} | ${e.kind} | ${e.method} ${cell(e.name)} | ${cell(e.message)} |`);
    lines.push('');
  }
  return lines.join('\n');
}
