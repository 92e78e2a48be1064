import type { AnalysisContext } from '../context.js';
import { evidence } from '../format.js';
import type { Finding } from '../types.js';

/** The load generator was the bottleneck: the run measured fiml-perf, not the service. */
export function saturatedGenerator(context: AnalysisContext): Finding[] {
  const g = context.result.generator;
  if (!g.saturated) return [];
  return [
    {
      id: 'generator-saturated',
      severity: 'critical',
      title: 'The load generator was saturated: this run is invalid',
      detail: `The load generator could not keep up (${g.reasons.join('; ')}), so latencies include time spent waiting in fiml-perf itself and throughput is capped by it. Do not judge the service on these figures.`,
      evidence: [
        ...g.reasons.map((reason, i) => evidence.text(`reason ${i + 1}`, reason)),
        evidence.count('workers', g.workers),
        {
          name: 'generator CPU (mean)',
          value: g.cpuPercent.mean,
          unit: '%',
          text: `${g.cpuPercent.mean}%`,
        },
        evidence.ms('event-loop delay p99', g.eventLoopLagMs.p99),
        ...(g.scheduleLagMs ? [evidence.ms('schedule lag p99', g.scheduleLagMs.p99)] : []),
      ],
      recommendation: [
        'Spread the load over more threads: `--workers N` (one per core)',
        'Lower the load, or run fiml-perf on another machine than the service',
        'Keep scenario code light: no heavy parsing or logging in tasks',
      ],
      action: {
        text: 'Rerun with more generator capacity (this run is invalid)',
        command: 'fiml-perf load --workers 4',
        doc: 'docs/load.md#the-generator-watches-itself',
      },
    },
  ];
}
