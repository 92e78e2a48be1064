import type { RunResult } from '../../stats/index.js';
import { parseTarget, type TargetsReport } from '../../targets/index.js';
import { ms } from './format.js';
import { decodeValues } from './recorded-values.js';
import { GATLING_BOUNDS_MS } from './thresholds.js';
import type { ResponseTimeRange, ResponseTimeRanges } from './types.js';

/** Where response-time ranges split (ms, ascending), and whether the run's targets chose them. */
export interface RangeBounds {
  readonly boundsMs: readonly number[];
  readonly fromTargets: boolean;
}

/**
 * The bounds of the response-time ranges: the thresholds of the run's latency targets on the
 * whole run (`p95 < 200ms` and `p99 < 500ms` give 200 and 500), else Gatling's 800 and 1200.
 */
export function rangeBounds(result: RunResult & { readonly targets?: TargetsReport }): RangeBounds {
  const bounds = new Set<number>();
  for (const o of result.targets?.outcomes ?? []) {
    try {
      const expr = parseTarget(o.expression);
      if (expr.kind === 'latency' && expr.metric.scope === 'run' && expr.op.startsWith('<'))
        bounds.add(expr.threshold);
    } catch {
      // An expression a later version wrote: it gives no bound.
    }
  }
  const boundsMs = clean([...bounds]);
  return boundsMs.length > 0
    ? { boundsMs, fromTargets: true }
    : { boundsMs: GATLING_BOUNDS_MS, fromTargets: false };
}

const clean = (bounds: readonly number[]) =>
  [...new Set(bounds.filter((b) => Number.isFinite(b) && b > 0))].sort((a, b) => a - b);

/**
 * Requests by response time, as Gatling's ranges: below the first bound, between each pair, at
 * or above the last; and the failed ones. The histogram holds every request, failed ones too, so
 * the ranges sum to the total and `failed` overlaps them. A request is placed by its histogram
 * bucket's highest value (within 0.1%), as percentiles are.
 * @param histogram an encoded histogram: a result's `histograms.total` or one endpoint's
 * @param failures requests that failed, from the result (`totals.failures` or the endpoint's)
 * @param bounds ascending bounds in ms; invalid ones are dropped @default Gatling's 800 and 1200
 */
export function responseTimeRanges(
  histogram: string,
  failures: number,
  bounds: RangeBounds = { boundsMs: GATLING_BOUNDS_MS, fromTargets: false },
): ResponseTimeRanges {
  const boundsMs = clean(bounds.boundsMs);
  const edges = boundsMs.length > 0 ? boundsMs : [...GATLING_BOUNDS_MS];
  const counts = new Array<number>(edges.length + 1).fill(0);
  let total = 0;
  for (const v of decodeValues(histogram)) {
    const valueMs = v.us / 1000;
    let i = 0;
    while (i < edges.length && valueMs >= (edges[i] as number)) i++;
    counts[i] = (counts[i] as number) + v.count;
    total += v.count;
  }
  const share = (n: number) => (total === 0 ? 0 : n / total);
  const ranges: ResponseTimeRange[] = counts.map((n, i) => {
    const from = i === 0 ? 0 : (edges[i - 1] as number);
    const to = i < edges.length ? (edges[i] as number) : null;
    const label =
      i === 0
        ? `t < ${ms(to as number)}`
        : to === null
          ? `t >= ${ms(from)}`
          : `${ms(from)} <= t < ${ms(to)}`;
    return { label, fromMs: from, toMs: to, count: n, share: share(n) };
  });
  const failed = Math.min(failures, total);
  return {
    boundsMs: edges,
    fromTargets: bounds.fromTargets && boundsMs.length > 0,
    ranges,
    failed: { count: failed, share: share(failed) },
    total,
  };
}
