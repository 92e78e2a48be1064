import type { AnalysisContext } from '../context.js';
import { evidence, ms, pct } from '../format.js';
import type { Finding } from '../types.js';

/**
 * The verdict of a stress kind that failed (peak, spike, breakpoint, faults); the breakpoint's
 * capacity as a note when it held. Endurance speaks through the drift rule.
 */
export function stressVerdict(context: AnalysisContext): Finding[] {
  const stress = context.result.stress;
  if (!stress) return [];
  switch (stress.kind) {
    case 'peak': {
      if (stress.verdict === 'pass') return [];
      const missed = [
        stress.errorRate !== null && stress.errorRate >= stress.criteria.maxErrorRate
          ? `error rate ${pct(stress.errorRate)} (limit ${pct(stress.criteria.maxErrorRate)})`
          : '',
        stress.p95Ms !== null && stress.p95Ms >= stress.criteria.maxP95Ms
          ? `p95 ${ms(stress.p95Ms)} (limit ${ms(stress.criteria.maxP95Ms)})`
          : '',
      ].filter(Boolean);
      return [
        {
          id: 'peak-failed',
          severity: 'critical',
          title: `The service did not hold ${stress.rate}/s (${stress.rate / stress.normalRate}x normal)`,
          detail: `At the peak rate of ${stress.rate}/s: ${missed.join(' and ') || 'a criterion could not be judged'}.`,
          evidence: [
            evidence.perSecond('peak rate', stress.rate),
            evidence.perSecond('normal rate', stress.normalRate),
            ...(stress.errorRate !== null ? [evidence.share('error rate', stress.errorRate)] : []),
            evidence.share('error rate limit', stress.criteria.maxErrorRate),
            ...(stress.p95Ms !== null ? [evidence.ms('p95', stress.p95Ms)] : []),
            evidence.ms('p95 limit', stress.criteria.maxP95Ms),
          ],
          recommendation: [
            'Find the capacity: `fiml-perf stress breakpoint`',
            'See which endpoints own the tail and the errors at that rate (the findings above)',
          ],
          action: {
            text: 'Find the sustainable rate',
            command: 'fiml-perf stress breakpoint',
            doc: 'docs/stress.md#breakpoint',
          },
        },
      ];
    }
    case 'spike': {
      if (stress.verdict === 'pass') return [];
      return [
        {
          id: 'spike-no-recovery',
          severity: 'critical',
          title:
            stress.recoveryS === null
              ? 'The service did not recover from the spike'
              : `The service took ${stress.recoveryS} s to recover from the spike (limit ${stress.maxRecoveryS} s)`,
          detail: `A step from ${stress.normalRate}/s to ${stress.spikeRate}/s for ${stress.phases.spikeS} s took p95 from ${stress.before.p95Ms === null ? 'n/a' : ms(stress.before.p95Ms)} to ${stress.peak.p95Ms === null ? 'n/a' : ms(stress.peak.p95Ms)} with ${stress.peak.failures} failures; ${stress.recoveryS === null ? 'p95 never came back within 10% of before the spike' : `it was back ${stress.recoveryS} s after the spike ended`}. Queues that keep growing after the load falls point at work piled up: retries, unbounded queues, a pool that recovers slowly.`,
          evidence: [
            evidence.perSecond('spike rate', stress.spikeRate),
            ...(stress.before.p95Ms !== null
              ? [evidence.ms('p95 before', stress.before.p95Ms)]
              : []),
            ...(stress.peak.p95Ms !== null ? [evidence.ms('p95 peak', stress.peak.p95Ms)] : []),
            evidence.count('failures in the spike', stress.peak.failures),
            stress.recoveryS === null
              ? evidence.text('recovery', 'never')
              : evidence.seconds('recovery', stress.recoveryS),
            evidence.seconds('recovery limit', stress.maxRecoveryS),
          ],
          recommendation: [
            'Bound queues and shed load early (a 503 at once beats a timeout later)',
            'Check the task pool and provider fallbacks recover once the load falls',
          ],
          action: { text: 'Make the service recover from a spike', doc: 'docs/stress.md#spike' },
        },
      ];
    }
    case 'breakpoint': {
      const broke = stress.brokeBy.map((b) => `${b.target} (${b.actual ?? 'unknown'})`).join(', ');
      const facts = [
        ...(stress.sustainableRate !== null
          ? [evidence.perSecond('sustainable rate', stress.sustainableRate)]
          : [evidence.text('sustainable rate', 'none')]),
        ...(stress.brokeAt !== null ? [evidence.perSecond('broke at', stress.brokeAt)] : []),
        ...stress.brokeBy.map((b) => evidence.text(`broke ${b.target}`, b.actual ?? 'unknown')),
        evidence.perSecond('expected rate', stress.expectRate),
      ];
      const lowerBound = stress.generatorSaturated
        ? ' The generator saturated, so this is a lower bound of the capacity.'
        : '';
      if (stress.verdict === 'pass')
        return [
          {
            id: 'capacity',
            severity: 'info',
            title: `Capacity: ${stress.sustainableRate}/s sustained${stress.brokeAt === null ? ' (every step held)' : `, broke at ${stress.brokeAt}/s`}`,
            detail: `The service held its targets up to ${stress.sustainableRate}/s (expected ${stress.expectRate}/s)${stress.brokeAt !== null ? `; at ${stress.brokeAt}/s it broke: ${broke}` : ''}.${lowerBound}`,
            evidence: facts,
          },
        ];
      return [
        {
          id: 'capacity-below-expected',
          severity: 'critical',
          title: `Capacity ${stress.sustainableRate ?? 0}/s is below the expected ${stress.expectRate}/s`,
          detail: `${stress.sustainableRate === null ? 'The first step already broke' : `The service held its targets up to ${stress.sustainableRate}/s`}${stress.brokeAt !== null ? `; at ${stress.brokeAt}/s it broke first by ${broke}` : ''}.${lowerBound}`,
          evidence: facts,
          recommendation: [
            'What broke first is the bottleneck to work on: see the findings on latency and errors',
            ...(stress.generatorSaturated ? ['Rerun with --workers: the generator saturated'] : []),
          ],
          action: {
            text: `Raise capacity to ${stress.expectRate}/s: work on what broke first (${broke || 'see the steps'})`,
            doc: 'docs/stress.md#breakpoint',
          },
        },
      ];
    }
    case 'faults':
      return stress.scenarios
        .filter((s) => s.verdict === 'fail')
        .map((s) => {
          const failed = s.checks.filter((c) => !c.held);
          return {
            id: 'fault-scenario-failed',
            severity: 'critical' as const,
            title: `Fault scenario ${s.name} failed: ${failed[0]?.expect ?? 'a check did not hold'}`,
            detail: `With ${s.fault}, ${failed.length} of ${s.checks.length} expectations did not hold: ${failed.map((c) => `${c.expect} (saw ${c.observed})`).join('; ')}.`,
            evidence: failed.map((c) => evidence.text(c.expect, c.observed)),
            recommendation: [
              'Rerun only this scenario while fixing it: `fiml-perf stress faults --only ' +
                s.name +
                '`',
            ],
            action: {
              text: `Make the service survive ${s.fault}`,
              command: `fiml-perf stress faults --only ${s.name}`,
              doc: 'docs/stress.md#faults',
            },
          };
        });
    case 'endurance':
      return [];
  }
}
