import { basename } from 'node:path';
import type { BenchResult } from '../../bench/index.js';
import { PerfError } from '../../errors.js';
import {
  type ComparisonReport,
  compareResults,
  type ReadResult,
  RegressError,
  readResult,
} from '../../regress/index.js';
import {
  type Analysis,
  analyse,
  latencyDistribution,
  type ReportInput,
  rangeBounds,
  responseTimeRanges,
} from '../analysis/index.js';
import { benchSection } from './bench.js';
import { reportMarkdown } from './markdown.js';
import { type ProfileSummary, readProfileSummary } from './profile-section.js';
import { renderReport } from './render.js';
import type { Distribution, ReportResult, ReportRun, RunAnalysis } from './report-run.js';

/** A report's input that cannot be used: says which file and why, in one line. */
export class ReportError extends PerfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FP_ERR_BASELINE', message, options);
    this.name = 'ReportError';
  }
}

/** The analysis as the page shows it: sentences, findings, steps, ranges, distributions. */
function forPage(result: ReportResult, analysis: Analysis): RunAnalysis {
  const toChart = (buckets: Analysis['distribution']): Distribution | undefined =>
    buckets.length === 0
      ? undefined
      : { upperMs: buckets.map((b) => b.toMs), counts: buckets.map((b) => b.count) };
  return {
    summary: analysis.summary.sentences,
    findings: analysis.findings.map((f) => ({
      severity: f.severity,
      title: f.title,
      detail: f.detail,
      evidence: f.evidence.map((e) => ({ name: e.name, value: e.text })),
      recommendation: f.recommendation,
    })),
    nextSteps: analysis.nextSteps.map((s) => ({
      text: s.text,
      ...(s.command ? { command: s.command } : {}),
      ...(s.doc ? { doc: s.doc } : {}),
    })),
    ranges: [
      ...analysis.ranges.ranges.map((r) => ({ label: r.label, count: r.count, share: r.share })),
    ],
    failed: analysis.ranges.failed,
    rangesFor: (key: string) => {
      const encoded = result.histograms.endpoints[key];
      const endpoint = result.endpoints.find((e) => `${e.method} ${e.name}` === key);
      if (!encoded || !endpoint) return undefined;
      const r = responseTimeRanges(encoded, endpoint.failures, rangeBounds(result));
      return {
        ranges: r.ranges.map((x) => ({ label: x.label, count: x.count, share: x.share })),
        failed: r.failed,
      };
    },
    distribution: (key?: string) => {
      if (!key) return toChart(analysis.distribution);
      const encoded = result.histograms.endpoints[key];
      return encoded ? toChart(latencyDistribution(encoded)) : undefined;
    },
  };
}

/** The comparison's rows as the page lists them. */
function comparisonRows(report: ComparisonReport): ReportRun['comparison'] {
  const round = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
  return report.comparisons.map((c) => ({
    name: c.id,
    baseline: round(c.baseline),
    current: round(c.current),
    change: `${c.ratio >= 1 ? '+' : ''}${((c.ratio - 1) * 100).toFixed(1)}%`,
    verdict: c.verdict,
  }));
}

/** One load result, analysed, with its baseline when there is one. */
export function reportRun(
  result: ReportResult,
  options: {
    source?: string;
    baseline?: ReportResult;
    comparison?: ComparisonReport;
    profile?: ProfileSummary;
  } = {},
): ReportRun {
  const service = result.service;
  const input: ReportInput = {
    result,
    ...(service?.slowQueries ? { slowQueries: service.slowQueries } : {}),
    ...(service?.cacheLayers ? { cacheLayers: service.cacheLayers } : {}),
    ...(options.comparison ? { comparison: options.comparison } : {}),
  };
  return {
    result,
    analysis: forPage(result, analyse(input)),
    ...(options.source ? { source: options.source } : {}),
    ...(options.baseline ? { baseline: options.baseline } : {}),
    ...(options.comparison ? { comparison: comparisonRows(options.comparison) } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
}

/** What `fiml-perf report` makes: the HTML file and the same story in Markdown. */
export interface BuiltReport {
  readonly html: string;
  readonly markdown: string;
}

/** The report of one run just finished (run, load --html, stress, targets). */
export function buildRunReport(
  result: ReportResult,
  source?: string,
  profile?: ProfileSummary,
): BuiltReport {
  const run = reportRun(result, { ...(source ? { source } : {}), ...(profile ? { profile } : {}) });
  return { html: renderReport([run]), markdown: reportMarkdown([run]) };
}

/**
 * A stored result, checked by the schema every reader of a result uses (`loadResultProblem`): a
 * file is data from anywhere, and the page must never carry markup from it, nor crash on a
 * missing field or a histogram that does not decode.
 */
function read(path: string): ReadResult {
  try {
    return readResult(path);
  } catch (error) {
    if (error instanceof RegressError) throw new ReportError(error.message);
    throw error;
  }
}

/**
 * The report of stored results (load or benchmark), compared with a baseline when one is given.
 * @throws ReportError for a file that is missing, not JSON, or not a fiml-perf result
 */
export function buildReportFromFiles(
  paths: readonly string[],
  baselinePath?: string,
  /** A `fiml-perf profile` folder, shown with the first load run; and where the report goes. */
  profile?: { readonly dir: string; readonly reportPath: string },
): BuiltReport {
  const summary = profile ? readProfileSummary(profile.dir, profile.reportPath) : undefined;
  if (typeof summary === 'string') throw new ReportError(`--profile: ${summary}`);
  const results = paths.map((path) => ({ path, read: read(path) }));
  const baseline = baselinePath ? read(baselinePath) : undefined;
  const runs: ReportRun[] = [];
  const benches: string[] = [];
  results.forEach(({ path, read: r }, index) => {
    let comparison: ComparisonReport | undefined;
    if (baseline && baselinePath) {
      if (baseline.kind !== r.kind)
        throw new ReportError(
          `--baseline ${baselinePath} is a ${baseline.kind} result and ${path} a ${r.kind} result; give a baseline of the same kind`,
        );
      try {
        comparison = compareResults(baseline, r, [baselinePath, path], { force: true });
      } catch (error) {
        if (error instanceof RegressError) throw new ReportError(error.message);
        throw error;
      }
    }
    if (r.kind === 'bench')
      benches.push(benchSection(r.result as BenchResult, index, basename(path), comparison));
    else
      runs.push(
        reportRun(r.result as ReportResult, {
          source: basename(path),
          ...(baseline?.kind === 'load' ? { baseline: baseline.result as ReportResult } : {}),
          ...(comparison ? { comparison } : {}),
          ...(summary && runs.length === 0 ? { profile: summary } : {}),
        }),
      );
  });
  return {
    html: renderReport(runs, undefined, benches),
    markdown: reportMarkdown(runs, benches.length),
  };
}
