import type { ReportResult as AnalysedResult } from '../analysis/index.js';
import type { ProfileSummary } from './profile-section.js';

/** A load result as the report reads it (series per endpoint from result schema 2). */
export type ReportResult = AnalysedResult;

/** A latency histogram for a chart: request counts up to each bound. */
export interface Distribution {
  readonly upperMs: readonly number[];
  readonly counts: readonly number[];
}

/** Requests by response-time range, Gatling's chart as a table. */
export interface RangeTable {
  readonly ranges: ReadonlyArray<{
    readonly label: string;
    readonly count: number;
    readonly share: number;
  }>;
  readonly failed: { readonly count: number; readonly share: number };
}

/** What the analysis says about a run (src/report/analysis). */
export interface RunAnalysis {
  readonly summary: readonly string[];
  readonly findings: ReadonlyArray<{
    readonly severity: 'critical' | 'warning' | 'info';
    readonly title: string;
    readonly detail: string;
    readonly evidence: ReadonlyArray<{ readonly name: string; readonly value: string | number }>;
    readonly recommendation?: readonly string[];
  }>;
  readonly nextSteps: ReadonlyArray<{
    readonly text: string;
    readonly command?: string;
    readonly doc?: string;
  }>;
  readonly ranges: RangeTable['ranges'];
  /** Failed requests, counted in the ranges too (a failure also has a response time). */
  readonly failed: RangeTable['failed'];
  /** One endpoint's ranges (same bounds), for its drill-down. */
  readonly rangesFor: (key: string) => RangeTable | undefined;
  readonly distribution: (key?: string) => Distribution | undefined;
}

/** One run of the report, with what the analysis and a baseline add. */
export interface ReportRun {
  readonly result: ReportResult;
  readonly analysis: RunAnalysis;
  /** Where the result was read from, shown in the header. */
  readonly source?: string;
  /** The baseline run, drawn under this one's series. */
  readonly baseline?: ReportResult;
  /** A profile of the service under load (`report --profile DIR`). */
  readonly profile?: ProfileSummary;
  /** The verdicts of `compare` against the baseline, as Markdown-free rows. */
  readonly comparison?: ReadonlyArray<{
    readonly name: string;
    readonly baseline: string;
    readonly current: string;
    readonly change: string;
    readonly verdict: string;
  }>;
}

/** An endpoint's key in a run's maps (series, ranges, distributions): `METHOD name`. */
export const endpointKey = (e: { readonly method: string; readonly name: string }): string =>
  `${e.method} ${e.name}`;
