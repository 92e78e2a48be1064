import { setTimeout as sleep } from 'node:timers/promises';
import type { Asset, AssetType } from '../assets.js';
import type { FaultState } from '../faults.js';
import type { Bar } from '../market.js';
import type { MarketSimulator } from '../market-simulator.js';
import { hashString, logNormal, type Random } from '../random.js';

/** A window, in ms since the service started, during which a provider is down. */
export interface OutageWindow {
  readonly startMs: number;
  readonly endMs: number;
}

export interface ProviderConfig {
  readonly name: string;
  readonly assetTypes: readonly AssetType[];
  /** Median latency of a call in ms and the log-normal shape parameter. */
  readonly latency: { readonly medianMs: number; readonly sigma: number };
  /** Probability that a call fails outside outages. */
  readonly errorRate: number;
  readonly outages: readonly OutageWindow[];
}

export interface Quote {
  readonly symbol: string;
  readonly price: number;
  readonly previous_close: number;
  readonly change: number;
  readonly change_percent: number;
  readonly volume: number;
  readonly currency: string;
  readonly provider: string;
  readonly timestamp: string;
}

export type ProviderFailureKind = 'outage' | 'error' | 'unsupported';

/** A provider call that failed; the registry falls back on it. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: ProviderFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ProviderContext {
  readonly market: MarketSimulator;
  readonly faults: FaultState;
  readonly random: Random;
  /** Milliseconds since the service started. */
  readonly elapsedMs: () => number;
  /** Multiplies every simulated latency; 0 makes calls immediate (tests). */
  readonly latencyScale: number;
}

/** A simulated market-data provider: real latency, errors and outages, seeded data. */
export class SimulatedProvider {
  readonly name: string;
  readonly #config: ProviderConfig;
  readonly #context: ProviderContext;

  constructor(config: ProviderConfig, context: ProviderContext) {
    this.name = config.name;
    this.#config = config;
    this.#context = context;
  }

  get config(): ProviderConfig {
    return this.#config;
  }

  supports(type: AssetType): boolean {
    return this.#config.assetTypes.includes(type);
  }

  /** True while a configured outage window or an injected outage is in force. */
  isDown(): boolean {
    if (this.#context.faults.providerOutages.has(this.name)) return true;
    const now = this.#context.elapsedMs();
    return this.#config.outages.some((w) => now >= w.startMs && now < w.endMs);
  }

  async getQuote(asset: Asset): Promise<Quote> {
    await this.#call(asset);
    const history = this.#context.market.history(asset);
    const last = history[history.length - 1]!;
    const previous = history[history.length - 2]!;
    // Each provider quotes the same market with a small, stable bias of its own (<= 0.05%).
    const bias = 1 + ((hashString(`${this.name}|${asset.symbol}`) % 1001) - 500) / 1_000_000;
    const price = roundLike(last.close * bias, last.close);
    const change = price - previous.close;
    return {
      symbol: asset.symbol,
      price,
      previous_close: previous.close,
      change: roundLike(change, last.close),
      change_percent: Math.round((change / previous.close) * 10_000) / 100,
      volume: last.volume,
      currency: asset.currency,
      provider: this.name,
      timestamp: new Date().toISOString(),
    };
  }

  async getHistory(asset: Asset, days: number): Promise<Bar[]> {
    await this.#call(asset);
    return this.#context.market.history(asset).slice(-days);
  }

  async #call(asset: Asset): Promise<void> {
    const { latency, errorRate } = this.#config;
    const scale = this.#context.latencyScale;
    const delay =
      scale * logNormal(this.#context.random, latency.medianMs, latency.sigma) +
      this.#context.faults.addedLatencyMs(this.name);
    if (delay >= 1) await sleep(delay);
    if (!this.supports(asset.type)) {
      throw new ProviderError(this.name, 'unsupported', `${this.name} has no ${asset.type} data`);
    }
    if (this.isDown()) throw new ProviderError(this.name, 'outage', `${this.name} is down`);
    if (this.#context.random() < errorRate) {
      throw new ProviderError(this.name, 'error', `${this.name} returned an upstream error`);
    }
  }
}

function roundLike(value: number, reference: number): number {
  const digits = reference < 10 ? 5 : 2;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
