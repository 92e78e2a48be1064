import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetUniverse } from '../../fiml/assets.js';
import { FaultState } from '../../fiml/faults.js';
import type { RunningFiml } from '../../fiml/index.js';
import { MarketSimulator } from '../../fiml/market-simulator.js';
import {
  AllProvidersFailedError,
  DEFAULT_PROVIDERS,
  type ProviderConfig,
  ProviderRegistry,
  SimulatedProvider,
} from '../../fiml/providers/index.js';
import { logNormal, mulberry32, seededRandom } from '../../fiml/random.js';
import { call, startFiml } from '../helpers/fiml.js';

const universe = new AssetUniverse();
const AAPL = universe.get('AAPL')!;
const BTC = universe.get('BTC')!;

function setup(overrides: Record<string, Partial<ProviderConfig>> = {}) {
  const clock = { ms: 0 };
  const faults = new FaultState();
  const market = new MarketSimulator(42, new Date('2026-01-30T00:00:00Z'));
  const calls: string[] = [];
  const providers = DEFAULT_PROVIDERS.map(
    (config) =>
      new SimulatedProvider(
        { ...config, ...overrides[config.name] },
        {
          market,
          faults,
          random: seededRandom(1, config.name),
          elapsedMs: () => clock.ms,
          latencyScale: 0,
        },
      ),
  );
  const registry = new ProviderRegistry(providers, {
    failureThreshold: 3,
    cooldownMs: 30_000,
    elapsedMs: () => clock.ms,
    observer: { onProviderCall: (p, op, outcome) => calls.push(`${p}:${op}:${outcome}`) },
  });
  const quote = () => registry.fetch(AAPL, 'quote', (p) => p.getQuote(AAPL));
  return { clock, faults, registry, calls, quote };
}

describe('simulated providers', () => {
  it('produce the same history for the same seed and a different one for another seed', () => {
    const end = new Date('2026-01-30T00:00:00Z');
    const a = new MarketSimulator(42, end).history(AAPL);
    expect(new MarketSimulator(42, end).history(AAPL)).toEqual(a);
    expect(new MarketSimulator(43, end).history(AAPL)).not.toEqual(a);
    expect(a.at(-1)!.date).toBe('2026-01-30');
  });

  it('draw latencies from a log-normal with the configured median', () => {
    const random = mulberry32(7);
    const samples = Array.from({ length: 20_001 }, () => logNormal(random, 25, 0.4)).sort(
      (x, y) => x - y,
    );
    expect(samples[10_000]!).toBeGreaterThan(24);
    expect(samples[10_000]!).toBeLessThan(26);
    // P(X > median * e^(2 sigma)) is P(Z > 2), about 2.3%
    const tail = samples.filter((s) => s > 25 * Math.exp(0.8)).length / samples.length;
    expect(tail).toBeGreaterThan(0.015);
    expect(tail).toBeLessThan(0.03);
  });

  it('fail at their configured error rate', async () => {
    const { registry } = setup({ yahoo: { errorRate: 0.3 } });
    const yahoo = registry.get('yahoo')!;
    let failures = 0;
    for (let i = 0; i < 2000; i++) await yahoo.getQuote(AAPL).catch(() => failures++);
    expect(failures / 2000).toBeGreaterThan(0.25);
    expect(failures / 2000).toBeLessThan(0.35);
  });

  it('are down inside an outage window and back after it', async () => {
    const { clock, registry } = setup({ yahoo: { outages: [{ startMs: 1_000, endMs: 2_000 }] } });
    const yahoo = registry.get('yahoo')!;
    clock.ms = 1_500;
    expect(yahoo.isDown()).toBe(true);
    await expect(yahoo.getQuote(AAPL)).rejects.toMatchObject({ kind: 'outage' });
    clock.ms = 2_000;
    expect(yahoo.isDown()).toBe(false);
    await expect(yahoo.getQuote(AAPL)).resolves.toMatchObject({ provider: 'yahoo' });
  });

  it('serve only their asset types', () => {
    const { registry } = setup();
    expect(registry.candidates(BTC).map((p) => p.name)).toEqual(['yahoo', 'ccxt', 'coingecko']);
    expect(registry.candidates(AAPL).map((p) => p.name)).toEqual(['yahoo', 'fmp', 'alpha_vantage']);
  });
});

describe('provider registry', () => {
  it('falls back to the next provider and counts every call', async () => {
    const { registry, calls, quote } = setup({ yahoo: { errorRate: 1 } });
    const fetched = await quote();
    expect(fetched.provider).toBe('fmp');
    expect(fetched.failedOver).toEqual(['yahoo']);
    expect(calls).toEqual(['yahoo:quote:error', 'fmp:quote:success']);
    expect(registry.status().find((s) => s.name === 'yahoo')).toMatchObject({
      requests: 1,
      errors: 1,
    });
  });

  it('cools a provider down after consecutive failures, then tries it first again', async () => {
    const { clock, registry, calls, quote } = setup({ yahoo: { errorRate: 1 } });
    for (let i = 0; i < 3; i++) await quote();
    expect(registry.status().find((s) => s.name === 'yahoo')!.status).toBe('cooling_down');
    calls.length = 0;
    await quote();
    expect(calls).toEqual(['fmp:quote:success']); // yahoo is skipped while cooling down
    expect(registry.candidates(AAPL).map((p) => p.name)).toEqual(['fmp', 'alpha_vantage', 'yahoo']);
    clock.ms += 30_000;
    expect(registry.candidates(AAPL)[0]!.name).toBe('yahoo');
    expect(registry.status().find((s) => s.name === 'yahoo')!.status).toBe('healthy');
  });

  it('still tries cooled-down providers when nothing else is left', async () => {
    const { faults, registry, quote } = setup({ yahoo: { errorRate: 1 } });
    for (let i = 0; i < 3; i++) await quote();
    faults.providerOutages.add('fmp');
    faults.providerOutages.add('alpha_vantage');
    await expect(quote()).rejects.toBeInstanceOf(AllProvidersFailedError);
    const yahoo = registry.status().find((s) => s.name === 'yahoo')!;
    expect(yahoo.requests).toBe(4);
  });

  it('puts the preferred provider first', async () => {
    const { registry } = setup();
    const fetched = await registry.fetch(AAPL, 'quote', (p) => p.getQuote(AAPL), 'alpha_vantage');
    expect(fetched.provider).toBe('alpha_vantage');
  });
});

describe('when every provider fails, over HTTP', () => {
  let fiml: RunningFiml;
  beforeAll(async () => {
    const broken = { errorRate: 1 };
    fiml = await startFiml({
      cache: { warm: false },
      providers: { yahoo: broken, fmp: broken, alpha_vantage: broken },
    });
  });
  afterAll(() => fiml.close());

  it('answers 503 with the reason, and provider health shows the errors', async () => {
    const res = await call(fiml.url, '/mcp/tools/get_price', { query: { symbol: 'AAPL' } });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('providers_unavailable');
    expect(res.body.message).toContain('yahoo returned an upstream error');
    const crypto = await call(fiml.url, '/mcp/tools/get_price', { query: { symbol: 'BTC' } });
    expect(crypto.status).toBe(200);
    expect(crypto.body.provider).toBe('ccxt');
    const health = await call(fiml.url, '/health/providers/fmp');
    expect(health.body).toMatchObject({ errors: 1, error_rate: 1 });
  });
});
