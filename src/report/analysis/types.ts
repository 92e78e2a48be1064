import type { DatabaseSection } from '../../database/index.js';
import type { ComparisonReport } from '../../regress/index.js';
import type { RunResult } from '../../stats/index.js';
import type {
  BreakpointSection,
  EnduranceSection,
  FaultsSection,
  PeakSection,
  SpikeSection,
} from '../../stress/index.js';
import type { ServiceReport, TargetsReport } from '../../targets/index.js';

/** The section a stress kind adds to its result (`result.stress`). */
export type StressSection =
  | PeakSection
  | SpikeSection
  | EnduranceSection
  | BreakpointSection
  | FaultsSection;

/**
 * A run's result as a report reads it: targets, service figures, a stress section and the
 * database's window (`--postgres`, or FIML's own database) when present.
 */
export type ReportResult = RunResult & {
  readonly targets?: TargetsReport;
  readonly service?: ServiceReport;
  readonly stress?: StressSection;
  readonly database?: DatabaseSection;
};

/** One slow operation from the service's slow-query log. */
export interface SlowQuery {
  /** What ran: `dsl_execute`, `narrative`, a provider call... */
  readonly operation: string;
  /** The query or request it served, when the service logged it. */
  readonly query: string | null;
  readonly durationMs: number;
  /** When it ended (ISO 8601). */
  readonly at: string;
}

/** The service's slow-query log over the run (FIML's `slow_queries` in `/api/metrics/performance`). */
export interface SlowQueries {
  /** Operations at least this slow are logged; null when unknown. */
  readonly thresholdMs: number | null;
  /** Slow operations counted, including those the bounded log no longer holds. */
  readonly total: number;
  /** The logged ones (the most recent, as many as the log keeps). */
  readonly entries: readonly SlowQuery[];
}

/** Lookups of one cache layer during the run (FIML's `/api/metrics/cache`, differenced). */
export interface CacheLayer {
  readonly layer: string;
  readonly hits: number;
  readonly misses: number;
  /** Errors talking to the layer (L2: Redis down or slow), when counted. */
  readonly errors?: number;
  /** Whether the layer was connected (L2), when known. */
  readonly connected?: boolean;
}

/** Everything the analysis reads: the run's result, and what was gathered beside it. */
export interface ReportInput {
  readonly result: ReportResult;
  /** The service's slow-query log, when it was captured. */
  readonly slowQueries?: SlowQueries;
  /** Cache lookups per layer, when captured; the result's service figures give the overall rate. */
  readonly cacheLayers?: readonly CacheLayer[];
  /** `fiml-perf compare` of a baseline against this run. */
  readonly comparison?: ComparisonReport;
}

export type Severity = 'critical' | 'warning' | 'info';

/** A figure a finding rests on, with its value and the same value written for a reader. */
export interface Evidence {
  readonly name: string;
  readonly value: number | string;
  /** `ms`, `share` (a fraction), `/s`, `count`, `MB`, `s`, or absent for text. */
  readonly unit?: string;
  /** The value as a report shows it: `612 ms`, `62%`. */
  readonly text: string;
}

/** Something worth doing, with the command or page that helps. */
export interface Action {
  readonly text: string;
  /** A command to run, as text (`fiml-perf stress endurance -t 1h`). */
  readonly command?: string;
  /** A page of the docs (`docs/load.md#workers`). */
  readonly doc?: string;
}

/** What a rule found, the figures it fired on, and what to do about it. */
export interface Finding {
  /** Stable id of the kind of finding (`low-cache-hit-rate`), for anchors and tests. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly title: string;
  /** A few sentences: what the figures show and what it means. */
  readonly detail: string;
  readonly evidence: readonly Evidence[];
  /** Steps to investigate or fix it, most useful first. */
  readonly recommendation?: readonly string[];
  /** The one step the next-steps list takes from it. */
  readonly action?: Action;
}

/** A target that was missed, and by how much. */
export interface MissedTarget {
  readonly name: string;
  readonly expression: string;
  /** The figure over the whole run, in the target's base unit (ms, a fraction, per second). */
  readonly value: number | null;
  /** The threshold in the same unit; null when the expression could not be read again. */
  readonly threshold: number | null;
  readonly kind: 'latency' | 'rate' | 'count' | 'throughput' | null;
  /**
   * How far past the threshold: relative for latencies, throughputs and counts (0.22 = 22%),
   * in points for rates (0.18 = 18 points); null when the whole-run figure met it (a window
   * missed it) or there is nothing to compare with.
   */
  readonly by: number | null;
  readonly byUnit: 'relative' | 'points' | null;
  /** Windows that missed it (`--window`), when judged in windows. */
  readonly failedWindows: number;
  readonly judgedWindows: number;
  /** The sentence the summary uses. */
  readonly sentence: string;
}

/** The run's headline figures, as the summary's sentences state them. */
export interface SummaryFigures {
  /** False when the generator saturated: the figures measure fiml-perf, not the service. */
  readonly valid: boolean;
  readonly saturated: boolean;
  readonly saturationReasons: readonly string[];
  readonly interrupted: boolean;
  /** The target that stopped the run (--abort-on-fail), and when. */
  readonly abortedBy: { readonly target: string; readonly atSeconds: number } | null;
  readonly durationS: number;
  readonly model: 'closed' | 'open';
  /** Most users active in any second. */
  readonly peakUsers: number;
  readonly requests: number;
  readonly failures: number;
  readonly errorRate: number;
  readonly rps: number;
  readonly latencyMs: {
    readonly mean: number;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  };
  /** The largest group of errors (kind, request and status). */
  readonly mainError: {
    readonly kind: string;
    readonly status: number | null;
    readonly request: string;
    readonly count: number;
    /** Of all failures. */
    readonly share: number;
    readonly message: string;
  } | null;
  /** The endpoint with the highest p99 (of two or more). */
  readonly slowestEndpoint: {
    readonly endpoint: string;
    readonly p99Ms: number;
    readonly requests: number;
  } | null;
  /** The endpoint with the most failures, when any failed. */
  readonly mostFailingEndpoint: {
    readonly endpoint: string;
    readonly failures: number;
    readonly failureRate: number;
  } | null;
  readonly targets: {
    readonly pass: number;
    readonly fail: number;
    readonly unknown: number;
    readonly missed: readonly MissedTarget[];
  } | null;
  /** The stress kind and its verdict, for a stress run. */
  readonly stress: { readonly kind: StressSection['kind']; readonly verdict: string } | null;
  /** Counts of `fiml-perf compare` verdicts against the baseline. */
  readonly comparison: { readonly regressions: number; readonly improvements: number } | null;
}

/** The executive summary: plain sentences, most important first, and their figures. */
export interface ExecutiveSummary {
  readonly sentences: readonly string[];
  readonly figures: SummaryFigures;
}

/** One step of the next-steps list, and what it comes from. */
export interface NextStep extends Action {
  readonly from:
    | { readonly kind: 'target'; readonly name: string }
    | { readonly kind: 'finding'; readonly id: string; readonly severity: Severity }
    | { readonly kind: 'run' };
}

/** One Gatling-style response-time range. */
export interface ResponseTimeRange {
  /** `t < 200 ms`, `200 ms <= t < 500 ms`, `t >= 500 ms`. */
  readonly label: string;
  /** Inclusive lower bound in ms (0 for the first range). */
  readonly fromMs: number;
  /** Exclusive upper bound in ms; null for the last range. */
  readonly toMs: number | null;
  readonly count: number;
  /** Of all requests. */
  readonly share: number;
}

/**
 * Requests by response time, as Gatling shows them. The histogram holds every request, failed
 * ones too, so the ranges count all requests (they sum to `total`) and `failed` counts the
 * failures among them, a share of the same total.
 */
export interface ResponseTimeRanges {
  /** Where the ranges split, in ms: the latency targets' thresholds, or Gatling's 800 and 1200. */
  readonly boundsMs: readonly number[];
  /** Whether the bounds come from the run's latency targets. */
  readonly fromTargets: boolean;
  readonly ranges: readonly ResponseTimeRange[];
  readonly failed: { readonly count: number; readonly share: number };
  readonly total: number;
}

/** One bar of the latency distribution (log-spaced). */
export interface DistributionBucket {
  /** Inclusive lower edge in ms. */
  readonly fromMs: number;
  /** Exclusive upper edge in ms (inclusive for the last bucket). */
  readonly toMs: number;
  readonly count: number;
  readonly share: number;
  /** Share of requests at or below this bucket. */
  readonly cumulative: number;
}

/** Everything the report says in words, and the figures behind it. */
export interface Analysis {
  readonly summary: ExecutiveSummary;
  /** Critical first, then warnings, then notes; in rule order within a severity. */
  readonly findings: readonly Finding[];
  readonly nextSteps: readonly NextStep[];
  readonly ranges: ResponseTimeRanges;
  readonly distribution: readonly DistributionBucket[];
}
