import { LRUCache } from 'lru-cache';

interface Entry {
  readonly value: unknown;
}

/** The in-process layer: an LRU bounded in entries, each entry with its own TTL. */
export class L1Cache {
  readonly #lru: LRUCache<string, Entry>;

  /**
   * @param max entries kept before the least recently used is evicted
   * @param clock source of milliseconds for TTLs @default performance
   */
  constructor(max: number, clock?: { now(): number }) {
    this.#lru = new LRUCache<string, Entry>({
      max,
      ttl: 60_000,
      allowStale: false,
      // With an explicit clock, read it on every check rather than caching it for 1 ms.
      ...(clock ? { perf: clock, ttlResolution: 0 } : {}),
    });
  }

  /** The cached value, or undefined when absent or expired. */
  get(key: string): unknown {
    return this.#lru.get(key)?.value;
  }

  set(key: string, value: unknown, ttlMs: number): void {
    this.#lru.set(key, { value }, { ttl: ttlMs });
  }

  delete(key: string): void {
    this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
  }

  get size(): number {
    return this.#lru.size;
  }

  get max(): number {
    return this.#lru.max;
  }
}
