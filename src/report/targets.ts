import type { TargetOutcome, TargetsReport } from '../targets/index.js';
import { textTable } from '../util/text-table.js';

const MARK: Record<TargetOutcome['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  unknown: 'UNKNOWN',
};

/** The targets table: target, threshold, actual, verdict, and what each figure rests on. */
export function targetsTable(report: TargetsReport): string {
  const rows = report.outcomes.map((o) => [
    o.name,
    `${o.expression.split(/\s*[<>]=?\s*/)[0]} ${o.threshold}`,
    o.actual ?? '-',
    MARK[o.verdict],
    o.detail,
  ]);
  const header = ['Target', 'Threshold', 'Actual', 'Verdict', ''];
  const { pass, fail, unknown } = report.summary;
  const window = report.windowSeconds ? `, each also in every ${report.windowSeconds}s window` : '';
  const aborted = report.abortedBy
    ? `\nStopped early at ${report.abortedBy.atSeconds}s: '${report.abortedBy.target}' failed (--abort-on-fail).`
    : '';
  return [
    textTable(header, rows),
    `Targets: ${pass} passed, ${fail} failed, ${unknown} unknown${window}.${aborted}`,
  ].join('\n');
}

const xml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/**
 * JUnit XML, one test case per target, as CI systems show test results: a missed target is a
 * failure; an unknown one an error, or skipped when unknown targets are allowed.
 */
export function targetsJunit(
  report: TargetsReport,
  options: {
    readonly suite: string;
    readonly timestamp: string;
    readonly seconds: number;
    readonly allowUnknown: boolean;
  },
): string {
  const cases = report.outcomes.map((o) => {
    const name = xml(`${o.name}: ${o.expression}`);
    const head = `    <testcase classname="fiml-perf.targets" name="${name}" time="0">`;
    if (o.verdict === 'pass')
      return `${head}\n      <system-out>${xml(`${o.actual}: ${o.detail}`)}</system-out>\n    </testcase>`;
    if (o.verdict === 'fail')
      return `${head}\n      <failure type="target" message="${xml(`${o.actual}, expected ${o.threshold}`)}">${xml(o.detail)}</failure>\n    </testcase>`;
    const tag = options.allowUnknown ? 'skipped' : 'error';
    return `${head}\n      <${tag} type="unknown" message="${xml(`unknown: ${o.detail}`)}"/>\n    </testcase>`;
  });
  const { fail, unknown } = report.summary;
  const errors = options.allowUnknown ? 0 : unknown;
  const skipped = options.allowUnknown ? unknown : 0;
  const attrs = `tests="${report.outcomes.length}" failures="${fail}" errors="${errors}" skipped="${skipped}" time="${options.seconds}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fiml-perf" ${attrs}>`,
    `  <testsuite name="${xml(options.suite)}" ${attrs} timestamp="${options.timestamp}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
