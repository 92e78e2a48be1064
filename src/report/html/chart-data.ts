import { parseTarget, type TargetsReport } from '../../targets/index.js';
import {
  type Distribution,
  endpointKey,
  type RangeTable,
  type ReportResult,
  type ReportRun,
} from './report-run.js';
import { type ChartSeries, intendedRate, seriesFromEndpoint, seriesFromRows } from './series.js';

/** The data the page's script draws its charts from (kept small: columnar, rounded). */
export interface RunChartData {
  readonly series: ChartSeries;
  readonly baseline?: ChartSeries;
  readonly endpoints: Record<string, ChartSeries>;
  readonly distribution: { all?: Distribution; byEndpoint: Record<string, Distribution> };
  readonly ranges: { all: RangeTable; byEndpoint: Record<string, RangeTable> };
  readonly thresholds: ReadonlyArray<{ label: string; ms: number }>;
  /** Moments marked on the time charts: a spike's start and end, its recovery, an abort. */
  readonly markers: ReadonlyArray<{ t: number; label: string }>;
  /** The span the run's figures do not cover (`unknownAfterS` to its end), shaded on the charts. */
  readonly unknown?: { readonly fromS: number; readonly toS: number; readonly label: string };
}

/**
 * The span after `unknownAfterS`: from the last second drawn (a row stands at the end of its
 * second, a distributed run's 0.3 s later still) to the run's end.
 */
function unknownSpan(result: ReportResult): RunChartData['unknown'] {
  const after = result.unknownAfterS;
  if (after === undefined) return undefined;
  const fromS = Math.max(after, result.timeseries.at(-1)?.t ?? 0);
  const why = result.distributed?.failure ? `: ${result.distributed.failure}` : '';
  return {
    fromS,
    toS: Math.max(fromS, result.durationS),
    label: `unknown after ${after}s${why}`,
  };
}

/** What happened when, as vertical lines on the time charts. */
function markers(result: ReportResult): Array<{ t: number; label: string }> {
  const out: Array<{ t: number; label: string }> = [];
  const stress = result.stress;
  if (stress?.kind === 'spike') {
    const start = stress.phases.beforeS;
    const end = start + stress.phases.spikeS;
    out.push({ t: start, label: 'spike starts' }, { t: end, label: 'spike ends' });
    if (stress.recoveryS !== null) out.push({ t: end + stress.recoveryS, label: 'recovered' });
  }
  // A test run from the live UI: its changes of users or rate, and its statistics resets.
  const ui = (result.config as { ui?: { marks?: unknown } }).ui;
  if (Array.isArray(ui?.marks))
    for (const mark of ui.marks as Array<{ t?: unknown; label?: unknown }>)
      if (typeof mark?.t === 'number' && typeof mark.label === 'string')
        out.push({ t: mark.t, label: mark.label });
  const aborted = result.targets?.abortedBy;
  if (aborted) out.push({ t: aborted.atSeconds, label: `stopped: ${aborted.target}` });
  // Moments at the same second share one line (a spike that recovered at once).
  const byTime = new Map<number, string[]>();
  for (const m of out) byTime.set(m.t, [...(byTime.get(m.t) ?? []), m.label]);
  return [...byTime].map(([t, labels]) => ({ t, label: labels.join(', ') }));
}

/** The run's latency targets as lines on the latency chart (`p99 < 500ms` at 500). */
function thresholdLines(targets: TargetsReport | undefined): Array<{ label: string; ms: number }> {
  const lines: Array<{ label: string; ms: number }> = [];
  for (const o of targets?.outcomes ?? []) {
    try {
      const expr = parseTarget(o.expression);
      if (expr.kind === 'latency' && expr.metric.scope === 'run')
        lines.push({ label: o.expression, ms: expr.threshold });
    } catch {
      // An expression a later version wrote: no line for it.
    }
  }
  return lines;
}

/** What the page's script draws one run's charts from: its series, distributions, ranges and lines. */
export function chartData(run: ReportRun): RunChartData {
  const { result } = run;
  const series = seriesFromRows(result.timeseries);
  if (result.model === 'open') {
    const executor = (result.config as { executor?: unknown }).executor;
    const intended = series.t.map((t) => intendedRate(executor, t));
    if (!series.intended && intended.every((v) => v !== undefined))
      series.intended = intended as number[];
  }
  const endpoints: Record<string, ChartSeries> = {};
  for (const [key, s] of Object.entries(result.endpointSeries ?? {}))
    endpoints[key] = seriesFromEndpoint(s);
  const byEndpoint: Record<string, Distribution> = {};
  const rangesByEndpoint: Record<string, RangeTable> = {};
  for (const e of result.endpoints) {
    const d = run.analysis.distribution(endpointKey(e));
    if (d) byEndpoint[endpointKey(e)] = d;
    const r = run.analysis.rangesFor(endpointKey(e));
    if (r) rangesByEndpoint[endpointKey(e)] = r;
  }
  return {
    series,
    ...(run.baseline ? { baseline: seriesFromRows(run.baseline.timeseries) } : {}),
    endpoints,
    distribution: { all: run.analysis.distribution(), byEndpoint },
    ranges: {
      all: { ranges: run.analysis.ranges, failed: run.analysis.failed },
      byEndpoint: rangesByEndpoint,
    },
    markers: markers(result),
    thresholds: thresholdLines(result.targets),
    ...(result.unknownAfterS === undefined ? {} : { unknown: unknownSpan(result) }),
  };
}
