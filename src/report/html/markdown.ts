import { runMarkdown } from '../markdown.js';
import type { ReportRun } from './report-run.js';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * The report's story in Markdown, for a PR comment: the run's summary (verdict, targets,
 * endpoints, service, errors) with the executive summary, ranges, bottlenecks, next steps and the
 * baseline's verdicts; no charts.
 */
export function reportMarkdown(runs: readonly ReportRun[], benchmarks = 0): string {
  const parts = runs.map((run) => {
    const a = run.analysis;
    const lines: string[] = [runMarkdown(run.result).trimEnd(), ''];
    lines.push('## Executive summary', '', ...a.summary.map((s) => `${s}`), '');
    if (a.ranges.length > 0) {
      lines.push(
        '## Response-time ranges',
        '',
        '| Range | Requests | Share |',
        '| --- | ---: | ---: |',
      );
      for (const r of a.ranges)
        lines.push(`| ${cell(r.label)} | ${r.count} | ${(r.share * 100).toFixed(1)}% |`);
      lines.push(
        `| of which failed | ${a.failed.count} | ${(a.failed.share * 100).toFixed(1)}% |`,
        '',
      );
    }
    if (run.comparison) {
      lines.push(
        '## Against the baseline',
        '',
        '| Figure | Baseline | Current | Change | Verdict |',
        '| --- | ---: | ---: | ---: | --- |',
        ...run.comparison.map(
          (c) =>
            `| ${cell(c.name)} | ${c.baseline} | ${c.current} | ${c.change} | ${c.verdict === 'regression' ? '**regression**' : c.verdict} |`,
        ),
        '',
      );
    }
    lines.push('## Bottlenecks and recommendations', '');
    if (a.findings.length === 0) lines.push('No rule fired.', '');
    for (const f of a.findings) {
      lines.push(
        `- **${f.severity}: ${cell(f.title)}**: ${f.detail} (evidence: ${f.evidence.map((e) => `${e.name} ${e.value}`).join('; ')})`,
      );
      for (const r of f.recommendation ?? []) lines.push(`  - ${r}`);
    }
    lines.push('', '## Next steps', '');
    if (a.nextSteps.length === 0) lines.push('Nothing failed or drifted.');
    a.nextSteps.forEach((s, i) => {
      lines.push(
        `${i + 1}. ${s.text}${s.command ? `: \`${s.command}\`` : ''}${s.doc ? ` (${s.doc})` : ''}`,
      );
    });
    lines.push('');
    return lines.join('\n');
  });
  if (benchmarks > 0)
    parts.push(
      `${benchmarks} benchmark result(s): see the HTML report, or \`fiml-perf compare\` for the verdicts in Markdown.\n`,
    );
  return `${parts.join('\n---\n\n')}`;
}
