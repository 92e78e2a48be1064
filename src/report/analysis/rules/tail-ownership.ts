import type { AnalysisContext } from '../context.js';
import { evidence, ms, pct } from '../format.js';
import { countAbove } from '../recorded-values.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

/**
 * Which endpoints own the tail: the requests slower than the run's p99, and the run's total time
 * (requests x mean). Speaks of an endpoint that owns half of either, when that is at least twice
 * its share of requests: a warning when latency is a problem, else a note on where the tail is.
 */
export function tailOwnership(context: AnalysisContext): Finding[] {
  const endpoints = context.endpoints;
  const total = context.result.totals;
  if (endpoints.length < 2 || total.requests === 0) return [];
  // The run's p99 as the histogram reports it (a bucket's highest value), in microseconds.
  const p99Us = Math.round(total.latencyMs.p99 * 1000);
  const tail = countAbove(context.totalValues, p99Us);
  const time = endpoints.reduce((sum, e) => sum + e.requests * e.latencyMs.mean, 0);
  const findings: Finding[] = [];
  for (const e of endpoints) {
    const requestShare = e.requests / total.requests;
    const tailCount = countAbove(context.endpointValues(e.key), p99Us);
    const tailShare = tail === 0 ? 0 : tailCount / tail;
    const timeShare = time === 0 ? 0 : (e.requests * e.latencyMs.mean) / time;
    const ownsTail =
      tail >= THRESHOLDS.minTailRequests &&
      tailShare >= THRESHOLDS.tailOwnerShare &&
      tailShare >= THRESHOLDS.tailOverRepresentation * requestShare;
    const ownsTime =
      timeShare >= THRESHOLDS.tailOwnerShare &&
      timeShare >= THRESHOLDS.tailOverRepresentation * requestShare;
    if (!ownsTail && !ownsTime) continue;
    const what = [
      ownsTail
        ? `${pct(tailShare)} of the requests slower than the run's p99 (${ms(total.latencyMs.p99)})`
        : '',
      ownsTime ? `${pct(timeShare)} of the time spent waiting on responses` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    findings.push({
      id: 'tail-ownership',
      severity: context.latencyProblem ? 'warning' : 'info',
      title: `${e.key} owns the ${ownsTail ? 'latency tail' : 'time'}`,
      detail: `${e.key} is ${pct(requestShare)} of the requests but ${what}: its p99 is ${ms(e.latencyMs.p99)} and its mean ${ms(e.latencyMs.mean)}. Making it faster moves the run's tail more than anything else.`,
      evidence: [
        evidence.text('endpoint', e.key),
        evidence.share('share of requests', requestShare),
        evidence.count('requests above the run p99', tailCount),
        evidence.share('share of requests above the run p99', tailShare),
        evidence.share('share of total time', timeShare),
        evidence.ms('run p99', total.latencyMs.p99),
        evidence.ms('endpoint p99', e.latencyMs.p99),
        evidence.ms('endpoint mean', e.latencyMs.mean),
      ],
      recommendation: [
        `Profile the service while it serves ${e.name}: \`fiml-perf run --profile\` (or \`fiml-perf profile\` against a service started with node --inspect)`,
        'Look at its time to first byte (`--phases`): a slow server, not a slow network',
        'Check whether its answers come from the cache or from a provider (cache hit rate, slow queries)',
        `Give it a target of its own, as endpoint["${e.name}"].p99 < 500ms, so CI watches it`,
      ],
      action: {
        text: `Make ${e.key} faster: profile the service under load`,
        command: 'fiml-perf run --profile',
      },
    });
  }
  return findings;
}
