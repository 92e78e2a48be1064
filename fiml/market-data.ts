import {
  analyzeSentiment,
  computeFundamentals,
  type Fundamentals,
  type Sentiment,
} from './analysis/index.js';
import type { Asset, AssetUniverse } from './assets.js';
import type { CacheLayer, CacheManager } from './cache/index.js';
import type { MarketStore } from './database/index.js';
import { BadRequestError, ServiceUnavailableError, UnknownSymbolError } from './errors.js';
import { type Bar, HISTORY_DAYS } from './market.js';
import {
  AllProvidersFailedError,
  type Fetched,
  type ProviderRegistry,
  type Quote,
  type SimulatedProvider,
} from './providers/index.js';

export interface QuoteResult {
  readonly quote: Quote;
  readonly source: CacheLayer | 'source';
  /** Providers that failed before the one that answered (empty when served from cache). */
  readonly failedOver: readonly string[];
}

/** FIML's data layer: symbols resolved against the universe, read through the cache. */
export class MarketDataService {
  readonly universe: AssetUniverse;
  readonly #cache: CacheManager;
  readonly #registry: ProviderRegistry;
  readonly #seed: number;
  readonly #store: MarketStore | undefined;

  constructor(
    universe: AssetUniverse,
    cache: CacheManager,
    registry: ProviderRegistry,
    seed: number,
    store?: MarketStore,
  ) {
    this.universe = universe;
    this.#cache = cache;
    this.#registry = registry;
    this.#seed = seed;
    this.#store = store;
  }

  /** @throws UnknownSymbolError */
  asset(symbol: string): Asset {
    const asset = this.universe.get(symbol);
    if (!asset) throw new UnknownSymbolError(symbol.toUpperCase());
    return asset;
  }

  /** The latest quote, from `provider` first when given. @throws UnknownSymbolError, BadRequestError, ServiceUnavailableError */
  async quote(symbol: string, provider?: string): Promise<QuoteResult> {
    const asset = this.asset(symbol);
    if (provider !== undefined && !this.#registry.get(provider)) {
      throw new BadRequestError(
        'provider',
        `unknown provider ${provider}; one of ${this.#registry.names().join(', ')}`,
      );
    }
    let failedOver: readonly string[] = [];
    const key = provider ? `${asset.symbol}@${provider}` : asset.symbol;
    const cached = await this.#cache.getOrLoad('price', key, async () => {
      const fetched = await this.#fetch(asset, 'quote', (p) => p.getQuote(asset), provider);
      failedOver = fetched.failedOver;
      return fetched.value;
    });
    return { quote: cached.value, source: cached.source, failedOver };
  }

  /** The whole daily history (oldest first): from the database when FIML has one. */
  async history(symbol: string): Promise<readonly Bar[]> {
    const asset = this.asset(symbol);
    const cached = await this.#cache.getOrLoad('history', asset.symbol, () =>
      this.#loadHistory(asset),
    );
    return cached.value;
  }

  /** The newest hourly bars of the database (none without one), oldest first. */
  async intraday(symbol: string, hours: number): Promise<readonly Bar[]> {
    const asset = this.asset(symbol);
    if (!this.#store) return [];
    const cached = await this.#cache.getOrLoad('intraday', `${asset.symbol}:${hours}`, () =>
      this.#store!.bars(asset, '1h', hours),
    );
    return cached.value;
  }

  async #loadHistory(asset: Asset): Promise<readonly Bar[]> {
    if (this.#store) {
      const stored = await this.#store.bars(asset, '1d', HISTORY_DAYS);
      if (stored.length > 0) return stored;
    }
    const fetched = await this.#fetch(asset, 'history', (p) =>
      p.getHistory(asset, Number.MAX_SAFE_INTEGER),
    );
    return fetched.value;
  }

  /** Null for assets without fundamentals (FX). */
  async fundamentals(symbol: string): Promise<Fundamentals | null> {
    const asset = this.asset(symbol);
    const cached = await this.#cache.getOrLoad('fundamentals', asset.symbol, async () =>
      computeFundamentals(asset, await this.history(asset.symbol), this.#seed),
    );
    return cached.value;
  }

  async sentiment(symbol: string): Promise<Sentiment> {
    const asset = this.asset(symbol);
    const day = new Date().toISOString().slice(0, 10);
    const cached = await this.#cache.getOrLoad('sentiment', `${asset.symbol}:${day}`, async () =>
      analyzeSentiment(asset, this.#seed, day),
    );
    return cached.value;
  }

  /** Loads quotes and histories of `symbols` into the cache without counting lookups. */
  async warm(symbols: readonly string[]): Promise<number> {
    let warmed = 0;
    await Promise.all(
      symbols.map(async (symbol) => {
        const asset = this.asset(symbol);
        try {
          const quote = await this.#fetch(asset, 'quote', (p) => p.getQuote(asset));
          await this.#cache.set('price', asset.symbol, quote.value);
          await this.#cache.set('history', asset.symbol, await this.#loadHistory(asset));
          warmed++;
        } catch {
          // A symbol that cannot be warmed now is simply loaded on first use.
        }
      }),
    );
    return warmed;
  }

  async #fetch<T>(
    asset: Asset,
    operation: 'quote' | 'history',
    call: (provider: SimulatedProvider) => Promise<T>,
    provider?: string,
  ): Promise<Fetched<T>> {
    try {
      return await this.#registry.fetch(asset, operation, call, provider);
    } catch (error) {
      if (error instanceof AllProvidersFailedError) {
        throw new ServiceUnavailableError('providers_unavailable', error.message);
      }
      throw error;
    }
  }
}
