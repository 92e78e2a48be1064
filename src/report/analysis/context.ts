import { parseTarget, type TargetExpression, type TargetOutcome } from '../../targets/index.js';
import { endpointKey } from './format.js';
import { decodeValues, type RecordedValue } from './recorded-values.js';
import { THRESHOLDS } from './thresholds.js';
import type { ReportInput, ReportResult } from './types.js';

/** What every rule reads: the input, and the decoded histograms, decoded once. */
export class AnalysisContext {
  readonly result: ReportResult;
  readonly #values = new Map<string, RecordedValue[]>();
  #total: RecordedValue[] | undefined;

  constructor(readonly input: ReportInput) {
    this.result = input.result;
  }

  /** The run's histogram buckets. */
  get totalValues(): RecordedValue[] {
    this.#total ??= decodeValues(this.result.histograms.total);
    return this.#total;
  }

  /** An endpoint's histogram buckets (`METHOD name`); empty when the result has none. */
  endpointValues(key: string): RecordedValue[] {
    let values = this.#values.get(key);
    if (!values) {
      const encoded = this.result.histograms.endpoints[key];
      values = encoded ? decodeValues(encoded) : [];
      this.#values.set(key, values);
    }
    return values;
  }

  /** Endpoints with requests, keyed as in the result's histograms. */
  get endpoints(): ReadonlyArray<ReportResult['endpoints'][number] & { readonly key: string }> {
    return this.result.endpoints
      .filter((e) => e.requests > 0)
      .map((e) => ({ ...e, key: endpointKey(e) }));
  }

  /** The run's targets with their expressions read again (null when one does not parse). */
  get targets(): ReadonlyArray<{ outcome: TargetOutcome; expr: TargetExpression | null }> {
    return (this.result.targets?.outcomes ?? []).map((outcome) => ({
      outcome,
      expr: expression(outcome.expression),
    }));
  }

  /** The threshold of the run's target on a run-wide figure (`cache_hit_rate`), if it has one. */
  runTarget(figure: string): { outcome: TargetOutcome; expr: TargetExpression } | undefined {
    for (const t of this.targets)
      if (t.expr?.metric.scope === 'run' && t.expr.metric.figure === figure)
        return { outcome: t.outcome, expr: t.expr };
    return undefined;
  }

  /** Whether a latency target failed (on the run or an endpoint). */
  get latencyTargetFailed(): boolean {
    return this.targets.some((t) => t.outcome.verdict === 'fail' && t.expr?.kind === 'latency');
  }

  /**
   * Whether latency is a problem worth explaining: a latency target failed, or p95 is past
   * `THRESHOLDS.slowP95Ms`.
   */
  get latencyProblem(): boolean {
    return this.latencyTargetFailed || this.result.totals.latencyMs.p95 >= THRESHOLDS.slowP95Ms;
  }

  /** Most users active in any second. */
  get peakUsers(): number {
    let peak = 0;
    for (const row of this.result.timeseries) peak = Math.max(peak, row.users);
    return peak;
  }
}

function expression(source: string): TargetExpression | null {
  try {
    return parseTarget(source);
  } catch {
    return null;
  }
}
