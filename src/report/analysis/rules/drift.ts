import { linearFit } from '../../../stats/index.js';
import type { EnduranceSection } from '../../../stress/index.js';
import type { AnalysisContext } from '../context.js';
import { evidence, ms, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Evidence, Finding } from '../types.js';

/** The seed suite's steps for a memory leak, for a Node service. */
const LEAK_STEPS = [
  'Confirm it over a longer run: `fiml-perf stress endurance -t 1h`',
  'Profile heap growth under load: `fiml-perf profile -t 2m --heap-snapshots 3` (a leak verdict, and the classes that grew)',
  'Look for references kept alive: listeners never removed, closures in long-lived maps, timers',
  'Review cache cleanup: bounded sizes and TTLs, entries evicted as well as added',
];

const trendEvidence = (
  name: string,
  t: NonNullable<EnduranceSection['p95Ms']>,
  unit: 'ms' | 'MB' | 'share',
): Evidence[] => {
  const value = unit === 'ms' ? evidence.ms : unit === 'MB' ? evidence.mb : evidence.share;
  const show = (v: number) =>
    unit === 'ms' ? ms(v) : unit === 'MB' ? `${Number(v.toFixed(1))} MB` : pct(v);
  return [
    value(`${name} at start (fitted)`, t.start),
    value(`${name} at end (fitted)`, t.end),
    {
      name: `${name} per hour`,
      value: t.perHour,
      unit: `${unit}/h`,
      text: `${t.perHour >= 0 ? '+' : ''}${show(t.perHour)}/h (95% interval ${show(t.low)} to ${show(t.high)})`,
    },
  ];
};

/** An endurance run that degraded or leaked, by the trends it fitted. */
function enduranceDrift(section: EnduranceSection): Finding[] {
  if (section.verdict === 'stable') return [];
  const leaking = section.verdict === 'leaking';
  return [
    {
      id: leaking ? 'memory-leak' : 'latency-drift',
      severity: leaking ? 'critical' : 'warning',
      title: leaking
        ? 'Service memory grew steadily through the endurance run'
        : 'Latency or errors grew through the endurance run',
      detail: `Over ${section.windows.length} windows of ${section.windowS} s at ${section.rate}/s: ${section.reasons.join('; ')}. A sustained load that gets ${leaking ? 'bigger' : 'slower'} over time ${leaking ? 'will run out of memory' : 'will miss its targets'} given long enough.`,
      evidence: [
        evidence.text('verdict', section.verdict),
        ...(section.rssMb ? trendEvidence('service memory', section.rssMb, 'MB') : []),
        ...(section.p95Ms ? trendEvidence('p95', section.p95Ms, 'ms') : []),
        ...(section.errorRate ? trendEvidence('error rate', section.errorRate, 'share') : []),
      ],
      recommendation: leaking
        ? LEAK_STEPS
        : [
            'Find what grows with time: queues, caches without bounds, connection pools, log buffers',
            'Profile the service early and late in a run and compare: `fiml-perf run --profile` (or `fiml-perf profile --host URL --inspect http://127.0.0.1:9229` for a service started with node --inspect)',
            ...LEAK_STEPS.slice(3),
          ],
      action: leaking
        ? {
            text: 'Find the memory leak: profile heap growth',
            command: 'fiml-perf profile -t 2m --heap-snapshots 3',
          }
        : { text: 'Find why latency grows over time', command: 'fiml-perf stress endurance -t 1h' },
    },
  ];
}

/**
 * Latency or memory drifting up through a run: an endurance run's fitted trends when the run is
 * one; otherwise a fit of the per-second p95 over a long enough run, and the service's memory
 * before and after.
 */
export function drift(context: AnalysisContext): Finding[] {
  const { result } = context;
  if (result.stress?.kind === 'endurance') return enduranceDrift(result.stress);
  const findings: Finding[] = [];
  const rows = result.timeseries.filter((r) => r.requests >= THRESHOLDS.minSecondRequests);
  const span = (rows.at(-1)?.t ?? 0) - (rows[0]?.t ?? 0);
  if (rows.length >= THRESHOLDS.minSeconds && span >= THRESHOLDS.driftMinSeconds) {
    const fit = linearFit(
      rows.map((r) => r.t),
      rows.map((r) => r.p95),
    );
    const t0 = rows[0]?.t ?? 0;
    const t1 = rows.at(-1)?.t ?? 0;
    const start = fit.intercept + fit.slope * t0;
    const end = fit.intercept + fit.slope * t1;
    if (fit.low > 0 && start > 0 && end - start > start * THRESHOLDS.driftGrowth)
      findings.push({
        id: 'latency-drift',
        severity: 'warning',
        title: `p95 latency drifted up through the run (${ms(start)} to ${ms(end)})`,
        detail: `A line fitted to the p95 of each second rises from ${ms(start)} to ${ms(end)} over ${Math.round(t1 - t0)} s (+${pct((end - start) / start)}), and its 95% interval excludes a flat line. Latency that grows under a steady load points at something that accumulates: queues, unbounded caches, memory pressure.`,
        evidence: [
          evidence.ms('p95 at start (fitted)', start),
          evidence.ms('p95 at end (fitted)', end),
          evidence.share('growth', (end - start) / start),
          evidence.seconds('over', t1 - t0),
          {
            name: 'slope',
            value: fit.slope,
            unit: 'ms/s',
            text: `${Number(fit.slope.toFixed(3))} ms/s (95% interval ${Number(fit.low.toFixed(3))} to ${Number(fit.high.toFixed(3))})`,
          },
        ],
        recommendation: [
          'Check it is not the load ramping up: compare users and requests per second over the same seconds',
          'Run an endurance test to tell a trend from warm-up: `fiml-perf stress endurance -t 1h`',
          ...LEAK_STEPS.slice(1, 3),
        ],
        action: {
          text: 'Confirm the latency drift with an endurance run',
          command: 'fiml-perf stress endurance -t 1h',
          doc: 'docs/stress.md#endurance',
        },
      });
  }
  const memory = result.service?.residentMemoryMb;
  if (
    memory &&
    memory.before > 0 &&
    memory.after - memory.before >= THRESHOLDS.memoryGrowthMinMb &&
    memory.after - memory.before > memory.before * THRESHOLDS.memoryGrowth
  )
    findings.push({
      id: 'memory-growth',
      severity: 'info',
      title: `Service memory grew from ${memory.before} MB to ${memory.after} MB during the run`,
      detail: `The service's resident memory grew by ${pct((memory.after - memory.before) / memory.before)} between the scrapes before and after the run. Two points cannot tell a leak from warm-up (caches filling, code compiled); an endurance run fits a trend.`,
      evidence: [
        evidence.mb('memory before', memory.before),
        evidence.mb('memory after', memory.after),
        evidence.share('growth', (memory.after - memory.before) / memory.before),
      ],
      recommendation: LEAK_STEPS,
      action: {
        text: 'Tell a leak from warm-up with an endurance run',
        command: 'fiml-perf stress endurance -t 1h',
        doc: 'docs/stress.md#endurance',
      },
    });
  return findings;
}
