import { textTable } from '../util/text-table.js';
import type { ComparisonReport } from './compare.js';
import type { Comparison } from './verdict.js';

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
const points = (diff: number) => `${diff >= 0 ? '+' : ''}${(diff * 100).toFixed(2)} pp`;

function isErrorRate(c: Comparison): boolean {
  return c.id.endsWith(' error rate');
}

function value(
  c: Comparison,
  which: 'baseline' | 'current',
  kind: ComparisonReport['kind'],
): string {
  const v = c[which];
  if (isErrorRate(c)) return `${(v * 100).toFixed(2)}%`;
  if (kind === 'load') return `${v.toFixed(2)} ms`;
  if (v < 1_000) return `${v.toFixed(1)} ns`;
  if (v < 1_000_000) return `${(v / 1_000).toFixed(2)} us`;
  return `${(v / 1e6).toFixed(2)} ms`;
}

function change(c: Comparison): { estimate: string; interval: string } {
  if (isErrorRate(c))
    return { estimate: points(c.ratio), interval: `${points(c.low)} .. ${points(c.high)}` };
  const bound = (r: number) => (Number.isFinite(r) ? pct(r) : r > 0 ? '+inf' : '-inf');
  return { estimate: pct(c.ratio), interval: `${bound(c.low)} .. ${bound(c.high)}` };
}

function verdictText(c: Comparison): string {
  if (c.verdict === 'inconclusive' && c.detectable !== null)
    return `inconclusive (could detect > ${isErrorRate(c) ? points(c.detectable) : `${(c.detectable * 100).toFixed(0)}%`})`;
  if (c.verdict === 'within-threshold') return `within threshold, ${change(c).estimate}`;
  if (c.verdict === 'no-change') return 'no change';
  return c.verdict;
}

/** One line: how many of each verdict, and the rule used. */
export function summaryLine(report: ComparisonReport): string {
  const s = report.summary;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${n(s.regression, 'regression')}, ${n(s.improvement, 'improvement')}, ${s['within-threshold']} within threshold, ${s['no-change']} no change, ${s.inconclusive} inconclusive (95% intervals; a verdict needs the whole interval past the threshold and a Benjamini-Hochberg adjusted p below ${report.alpha})`;
}

/** The terminal table. */
export function comparisonTable(report: ComparisonReport): string {
  const rows = report.comparisons.map((c) => {
    const { estimate, interval } = change(c);
    return [
      c.id,
      value(c, 'baseline', report.kind),
      value(c, 'current', report.kind),
      estimate,
      interval,
      verdictText(c),
    ];
  });
  const header = ['', 'baseline', 'current', 'change', '95% interval', 'verdict'];
  const notes = [
    ...new Set(
      report.comparisons
        .map((c) => c.note)
        .filter((n): n is string => n !== null && !n.startsWith('error rate')),
    ),
  ];
  const extra = [
    ...(report.environmentDifferences.length
      ? [
          `WARNING: compared across environments (--force): ${report.environmentDifferences.join('; ')}`,
        ]
      : []),
    ...(report.onlyBaseline.length
      ? [`Only in the baseline: ${report.onlyBaseline.join(', ')}`]
      : []),
    ...(report.onlyCurrent.length ? [`New: ${report.onlyCurrent.join(', ')}`] : []),
    ...notes.map((n) => `Note: ${n}`),
  ];
  return [
    textTable(header, rows, { left: (i) => i === 0 }),
    '',
    summaryLine(report),
    ...extra,
  ].join('\n');
}

const ICON: Record<Comparison['verdict'], string> = {
  regression: ':red_circle: regression',
  improvement: ':green_circle: improvement',
  inconclusive: ':white_circle: inconclusive',
  'within-threshold': 'within threshold',
  'no-change': 'no change',
};

/** Markdown for a PR comment: the summary line, then the changes, regressions first. */
export function comparisonMarkdown(report: ComparisonReport): string {
  const what = report.kind === 'bench' ? 'Benchmarks' : 'Load test';
  const lines = [
    `### ${what}: ${summaryLine(report)}`,
    '',
    `Baseline \`${report.baseline.path}\`${report.baseline.commit ? ` (${report.baseline.commit.slice(0, 8)})` : ''}, current \`${report.current.path}\`${report.current.commit ? ` (${report.current.commit.slice(0, 8)})` : ''}.`,
    '',
    '| | baseline | current | change | 95% interval | verdict |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const c of report.comparisons) {
    const { estimate, interval } = change(c);
    const verdict =
      c.verdict === 'inconclusive'
        ? `${ICON.inconclusive}${verdictText(c).slice('inconclusive'.length)}`
        : c.verdict === 'within-threshold'
          ? verdictText(c)
          : ICON[c.verdict];
    lines.push(
      `| \`${c.id}\` | ${value(c, 'baseline', report.kind)} | ${value(c, 'current', report.kind)} | ${estimate} | ${interval} | ${verdict} |`,
    );
  }
  if (report.onlyBaseline.length)
    lines.push(
      '',
      `Only in the baseline: ${report.onlyBaseline.map((i) => `\`${i}\``).join(', ')}`,
    );
  if (report.onlyCurrent.length)
    lines.push('', `New: ${report.onlyCurrent.map((i) => `\`${i}\``).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
