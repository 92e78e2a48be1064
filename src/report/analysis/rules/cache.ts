import type { AnalysisContext } from '../context.js';
import { evidence, pct } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Evidence, Finding } from '../types.js';

/** The seed suite's troubleshooting steps for a low cache hit rate, for FIML's cache. */
const CACHE_STEPS = [
  'Check the Redis connection: REDIS_URL, and `GET /health/cache` (L2 connected, errors)',
  'Review the cache TTL per data type (prices 60 s, market data 5 min): a TTL shorter than the time between requests for a key never hits',
  'Verify cache key generation: the same request must make the same key (parameter order, case of symbols)',
  'Check for cache key collisions: different requests sharing a key evict each other (and answer wrongly)',
  'A short run or many distinct keys (symbols, days) starts cold: compare with a longer run of the same traffic',
];

/**
 * A cache hit rate below its target (the run's `cache_hit_rate` target, else the seed's 80%),
 * with the hit rate per layer when the layers were captured.
 */
export function lowCacheHitRate(context: AnalysisContext): Finding[] {
  const rate = context.result.service?.cacheHitRate ?? null;
  if (rate === null) return [];
  const target = context.runTarget('cache_hit_rate');
  const threshold = target?.expr.threshold ?? THRESHOLDS.cacheHitRate;
  if (rate >= threshold) return [];
  const layers: Evidence[] = [];
  const notes: string[] = [];
  for (const layer of context.input.cacheLayers ?? []) {
    const lookups = layer.hits + layer.misses;
    if (lookups > 0) layers.push(evidence.share(`${layer.layer} hit rate`, layer.hits / lookups));
    layers.push(evidence.count(`${layer.layer} lookups`, lookups));
    if (layer.errors) {
      layers.push(evidence.count(`${layer.layer} errors`, layer.errors));
      notes.push(`${layer.layer} reported ${layer.errors} errors`);
    }
    if (layer.connected === false) notes.push(`${layer.layer} was not connected`);
  }
  const severity = rate < THRESHOLDS.cacheHitRateCritical ? 'critical' : 'warning';
  return [
    {
      id: 'low-cache-hit-rate',
      severity,
      title: `Cache hit rate ${pct(rate)} is below ${pct(threshold)}`,
      detail: `Only ${pct(rate)} of the service's cache lookups were answered from a cache layer (target ${pct(threshold)}); the rest went to the providers, which is slower and costs provider calls.${notes.length ? ` ${notes.join('; ')}.` : ''}`,
      evidence: [
        evidence.share('cache hit rate', rate),
        evidence.share('target', threshold),
        ...layers,
      ],
      recommendation: CACHE_STEPS,
      action: {
        text: `Raise the cache hit rate (${pct(rate)}): check Redis, TTLs and cache keys`,
        doc: 'docs/fiml.md#cache',
      },
    },
  ];
}
