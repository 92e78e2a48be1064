import type { AnalysisContext } from '../context.js';
import { evidence, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

/**
 * Providers failing calls: overall provider uptime below its target (the run's
 * `provider_uptime` target, else the seed's 99%), and each provider below it.
 */
export function providerErrors(context: AnalysisContext): Finding[] {
  const service = context.result.service;
  if (!service) return [];
  const target = context.runTarget('provider_uptime');
  const threshold = target?.expr.threshold ?? THRESHOLDS.providerUptime;
  const failing = Object.entries(service.providers)
    .filter((entry): entry is [string, number] => entry[1] !== null && entry[1] < threshold)
    .sort((a, b) => a[1] - b[1]);
  const overall = service.providerUptime;
  if (failing.length === 0 && (overall === null || overall >= threshold)) return [];
  const worst = Math.min(overall ?? 1, ...failing.map(([, up]) => up));
  const names = failing.map(([name, up]) => `${name} ${pct(up)}`).join(', ');
  return [
    {
      id: 'provider-errors',
      severity: worst < THRESHOLDS.providerUptimeCritical ? 'critical' : 'warning',
      title:
        failing.length > 0
          ? `Provider calls failed: ${names}`
          : `Provider uptime ${pct(overall ?? 0)} is below ${pct(threshold)}`,
      detail: `${overall === null ? 'Provider' : `Overall, ${pct(overall)} of provider`} calls succeeded (target ${pct(threshold)})${failing.length ? `; below it: ${names}` : ''}. Failed calls fall back to the next provider, which adds latency, or fail the request when every provider of an asset type is down.`,
      evidence: [
        ...(overall === null ? [] : [evidence.share('provider uptime', overall)]),
        evidence.share('target', threshold),
        ...failing.map(([name, up]) => evidence.share(`${name} uptime`, up)),
      ],
      recommendation: [
        'See which providers are cooling down and why: `GET /health/providers`',
        'Check that no outage or error rate was left configured (fault injection, provider options)',
        'Check the fallback order: an asset type whose providers are all down fails with 503',
        'Rehearse it: `fiml-perf stress faults --only provider`',
      ],
      action: {
        text: `Find why provider calls failed${failing.length ? ` (${failing.map(([n]) => n).join(', ')})` : ''}`,
        doc: 'docs/fiml.md#providers',
      },
    },
  ];
}
