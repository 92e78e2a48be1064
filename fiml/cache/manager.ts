import type { L1Cache } from './l1.js';
import type { L2Cache } from './l2.js';

/** What is cached, each with its own time to live. */
export type DataKind =
  | 'price'
  | 'history'
  | 'intraday'
  | 'market_data'
  | 'fundamentals'
  | 'sentiment';

/** Prices move, fundamentals barely do. Seconds. */
export const DEFAULT_TTL_SECONDS: Readonly<Record<DataKind, number>> = {
  price: 60,
  market_data: 300,
  history: 3_600,
  intraday: 60,
  sentiment: 900,
  fundamentals: 86_400,
};

export type CacheLayer = 'l1' | 'l2' | 'db';

/** The persistent layer: FIML's database (issue 27), read after Redis and before the loader. */
export interface PersistentLayer {
  cacheGet(key: string): Promise<unknown>;
  cacheSet(key: string, value: unknown, ttlMs: number): Promise<void>;
}

/** Told of every lookup: the monitor counts hits and misses per layer. */
export interface CacheObserver {
  onCacheLookup(layer: CacheLayer, hit: boolean): void;
}

export interface Cached<T> {
  readonly value: T;
  /** Where the value came from: a cache layer, or the loader. */
  readonly source: CacheLayer | 'source';
}

interface LayerCounts {
  hits: number;
  misses: number;
}

export interface CacheStats {
  readonly l1: LayerCounts & { hit_rate: number; size: number; max: number };
  readonly l2: LayerCounts & {
    hit_rate: number;
    enabled: boolean;
    connected: boolean;
    errors: number;
  };
  readonly db: LayerCounts & { hit_rate: number; enabled: boolean; errors: number };
  /** Lookups answered by any layer, over all lookups. */
  readonly overall: LayerCounts & { hit_rate: number };
}

export interface CacheManagerOptions {
  readonly l1: L1Cache;
  readonly l2?: L2Cache | undefined;
  readonly persistent?: PersistentLayer | undefined;
  readonly ttlSeconds?: Partial<Record<DataKind, number>>;
  readonly observer?: CacheObserver;
}

const rate = (c: LayerCounts) => (c.hits + c.misses === 0 ? 0 : c.hits / (c.hits + c.misses));

/** Read-through L1 → L2 → persistent → loader, with concurrent misses of one key sharing one load. */
export class CacheManager {
  readonly #l1: L1Cache;
  readonly #l2: L2Cache | undefined;
  readonly #db: PersistentLayer | undefined;
  readonly #ttlMs: Record<DataKind, number>;
  readonly #observer: CacheObserver | undefined;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #l1Counts: LayerCounts = { hits: 0, misses: 0 };
  readonly #l2Counts: LayerCounts = { hits: 0, misses: 0 };
  readonly #dbCounts: LayerCounts = { hits: 0, misses: 0 };
  #l2Errors = 0;
  #dbErrors = 0;

  constructor(options: CacheManagerOptions) {
    this.#l1 = options.l1;
    this.#l2 = options.l2;
    this.#db = options.persistent;
    this.#observer = options.observer;
    const ttl = { ...DEFAULT_TTL_SECONDS, ...options.ttlSeconds };
    this.#ttlMs = Object.fromEntries(
      Object.entries(ttl).map(([kind, seconds]) => [kind, seconds * 1000]),
    ) as Record<DataKind, number>;
  }

  /** The cached value of `kind:key`, loading and storing it on a miss. */
  async getOrLoad<T>(kind: DataKind, key: string, load: () => Promise<T>): Promise<Cached<T>> {
    const fullKey = `${kind}:${key}`;
    const inL1 = this.#l1.get(fullKey);
    if (inL1 !== undefined) {
      this.#count('l1', true);
      return { value: inL1 as T, source: 'l1' };
    }
    this.#count('l1', false);
    const pending = this.#inFlight.get(fullKey) as Promise<Cached<T>> | undefined;
    if (pending) return pending;
    const loading = this.#loadThrough(kind, fullKey, load).finally(() =>
      this.#inFlight.delete(fullKey),
    );
    this.#inFlight.set(fullKey, loading);
    return loading;
  }

  /** Stores a value in every layer without counting a lookup (cache warming). */
  async set(kind: DataKind, key: string, value: unknown): Promise<void> {
    const fullKey = `${kind}:${key}`;
    this.#l1.set(fullKey, value, this.#ttlMs[kind]);
    if (this.#l2)
      await this.#l2.set(fullKey, value, this.#ttlMs[kind]).catch(() => this.#l2Errors++);
    if (this.#db && kind !== 'history')
      await this.#db.cacheSet(fullKey, value, this.#ttlMs[kind]).catch(() => this.#dbErrors++);
  }

  clearL1(): void {
    this.#l1.clear();
  }

  stats(): CacheStats {
    const l1 = this.#l1Counts;
    const l2 = this.#l2Counts;
    const db = this.#dbCounts;
    const overall = { hits: l1.hits + l2.hits + db.hits, misses: l1.misses - l2.hits - db.hits };
    return {
      l1: { ...l1, hit_rate: rate(l1), size: this.#l1.size, max: this.#l1.max },
      l2: {
        ...l2,
        hit_rate: rate(l2),
        enabled: this.#l2 !== undefined,
        connected: this.#l2?.connected ?? false,
        errors: this.#l2Errors,
      },
      db: { ...db, hit_rate: rate(db), enabled: this.#db !== undefined, errors: this.#dbErrors },
      overall: { ...overall, hit_rate: rate(overall) },
    };
  }

  async #loadThrough<T>(
    kind: DataKind,
    fullKey: string,
    load: () => Promise<T>,
  ): Promise<Cached<T>> {
    const ttlMs = this.#ttlMs[kind];
    if (this.#l2) {
      try {
        const inL2 = await this.#l2.get(fullKey);
        this.#count('l2', inL2 !== undefined);
        if (inL2 !== undefined) {
          this.#l1.set(fullKey, inL2, ttlMs);
          return { value: inL2 as T, source: 'l2' };
        }
      } catch {
        this.#l2Errors++;
      }
    }
    // Histories live in the database's own table already (market_bars): not kept twice.
    const db = kind === 'history' ? undefined : this.#db;
    if (db) {
      try {
        const inDb = await db.cacheGet(fullKey);
        this.#count('db', inDb !== undefined);
        if (inDb !== undefined) {
          this.#l1.set(fullKey, inDb, ttlMs);
          this.#l2?.set(fullKey, inDb, ttlMs).catch(() => this.#l2Errors++);
          return { value: inDb as T, source: 'db' };
        }
      } catch {
        this.#dbErrors++;
      }
    }
    const value = await load();
    this.#l1.set(fullKey, value, ttlMs);
    // Writing through must not delay the answer; a failure is only counted.
    this.#l2?.set(fullKey, value, ttlMs).catch(() => this.#l2Errors++);
    db?.cacheSet(fullKey, value, ttlMs).catch(() => this.#dbErrors++);
    return { value, source: 'source' };
  }

  #count(layer: CacheLayer, hit: boolean): void {
    const counts =
      layer === 'l1' ? this.#l1Counts : layer === 'l2' ? this.#l2Counts : this.#dbCounts;
    if (hit) counts.hits++;
    else counts.misses++;
    this.#observer?.onCacheLookup(layer, hit);
  }
}
