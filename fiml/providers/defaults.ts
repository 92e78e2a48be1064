import type { ProviderConfig } from './provider.js';

/**
 * The simulated providers, in priority order. Latencies and error rates are of the order real
 * free-tier market-data APIs show; overall error rates stay under 1% so the provider-uptime
 * target (> 99%) holds on an undisturbed run.
 */
export const DEFAULT_PROVIDERS: readonly ProviderConfig[] = [
  {
    name: 'yahoo',
    assetTypes: ['equity', 'crypto', 'fx'],
    latency: { medianMs: 25, sigma: 0.4 },
    errorRate: 0.002,
    outages: [],
  },
  {
    name: 'fmp',
    assetTypes: ['equity', 'fx'],
    latency: { medianMs: 35, sigma: 0.4 },
    errorRate: 0.003,
    outages: [],
  },
  {
    name: 'alpha_vantage',
    assetTypes: ['equity', 'fx'],
    latency: { medianMs: 60, sigma: 0.5 },
    errorRate: 0.005,
    outages: [],
  },
  {
    name: 'ccxt',
    assetTypes: ['crypto'],
    latency: { medianMs: 20, sigma: 0.4 },
    errorRate: 0.003,
    outages: [],
  },
  {
    name: 'coingecko',
    assetTypes: ['crypto'],
    latency: { medianMs: 40, sigma: 0.5 },
    errorRate: 0.004,
    outages: [],
  },
];
