import type { SecondRow } from '../../../stats/index.js';
import type { AnalysisContext } from '../context.js';
import { count, evidence, ms, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** A run of burst seconds, at most one quiet second apart. */
interface Episode {
  readonly from: number;
  readonly to: number;
  readonly requests: number;
  readonly failures: number;
  readonly peakP99: number;
}

/**
 * Errors and latency spiking in the same seconds: seconds whose error rate jumps above the
 * median second's while their p99 is a multiple of the median second's. Such bursts point at an
 * event (a provider outage, a pause, a pool running dry) rather than steady overload.
 */
export function errorBursts(context: AnalysisContext): Finding[] {
  const rows = context.result.timeseries.filter((r) => r.requests >= THRESHOLDS.minSecondRequests);
  if (rows.length < THRESHOLDS.minSeconds) return [];
  const baseP99 = median(rows.map((r) => r.p99));
  const baseRate = median(rows.map((r) => r.failures / r.requests));
  const spikeP99 = Math.max(
    baseP99 * THRESHOLDS.burstLatencyFactor,
    baseP99 + THRESHOLDS.burstLatencyMinMs,
  );
  const burst = (r: SecondRow) =>
    r.failures >= THRESHOLDS.burstMinFailures &&
    r.failures / r.requests >= baseRate + THRESHOLDS.burstErrorRateJump &&
    r.p99 >= spikeP99;
  const episodes: Episode[] = [];
  let current: Episode | undefined;
  for (const r of rows) {
    if (!burst(r)) continue;
    if (current && r.t - current.to <= 2)
      current = {
        ...current,
        to: r.t,
        requests: current.requests + r.requests,
        failures: current.failures + r.failures,
        peakP99: Math.max(current.peakP99, r.p99),
      };
    else {
      if (current) episodes.push(current);
      current = { from: r.t, to: r.t, requests: r.requests, failures: r.failures, peakP99: r.p99 };
    }
  }
  if (current) episodes.push(current);
  if (episodes.length === 0) return [];
  const failures = episodes.reduce((n, e) => n + e.failures, 0);
  const totalFailures = context.result.totals.failures;
  const first = episodes[0] as Episode;
  const worst = episodes.reduce((a, b) => (b.failures > a.failures ? b : a));
  const when = (e: Episode) => (e.from === e.to ? `${e.from} s` : `${e.from}-${e.to} s`);
  const list = episodes.slice(0, 5).map(when).join(', ');
  return [
    {
      id: 'error-bursts',
      severity: 'warning',
      title: `${episodes.length === 1 ? 'A burst' : `${episodes.length} bursts`} of errors with latency spikes (${list}${episodes.length > 5 ? ', ...' : ''})`,
      detail: `In ${episodes.length === 1 ? 'one stretch' : `${episodes.length} stretches`} of the run, failures and p99 latency jumped together: at ${when(worst)}, ${count(worst.failures)} of ${count(worst.requests)} requests failed and p99 reached ${ms(worst.peakP99)}, against ${pct(baseRate)} errors and a p99 of ${ms(baseP99)} in a typical second. These seconds hold ${count(failures)} of the run's ${count(totalFailures)} failures: something happened then, rather than steady overload.`,
      evidence: [
        evidence.count('bursts', episodes.length),
        evidence.seconds('first burst at', first.from),
        evidence.count('failures in bursts', failures),
        evidence.share('share of all failures', totalFailures === 0 ? 0 : failures / totalFailures),
        evidence.ms('peak p99 in a burst', Math.max(...episodes.map((e) => e.peakP99))),
        evidence.ms('p99 of a typical second', baseP99),
        evidence.share('error rate of a typical second', baseRate),
      ],
      recommendation: [
        "Line these seconds up with the service's logs and metrics: a provider outage, a GC pause, a restart, a pool running dry",
        'Bursts at a regular interval point at something periodic: cache entries expiring together (a stampede), a scheduled job',
        'Judge targets in windows so such bursts fail a run: `fiml-perf targets --window 10s`',
      ],
      action: {
        text: `Find what happened at ${when(first)} into the run (errors and latency spiked together)`,
        doc: 'docs/targets.md#windows-and-early-abort',
      },
    },
  ];
}
