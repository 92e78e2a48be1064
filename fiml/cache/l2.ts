import { Redis } from 'ioredis';
import type { FaultState } from '../faults.js';

/** An L2 operation failed: Redis is down, slow, or failure was injected. */
export class L2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'L2Error';
  }
}

/** The shared layer: Redis, values as JSON under a key prefix, TTL set by Redis itself. */
export class L2Cache {
  readonly #redis: Redis;
  readonly #faults: FaultState;
  readonly #prefix: string;
  readonly url: string;
  #lastError: string | null = null;

  constructor(url: string, faults: FaultState, prefix = 'fiml:') {
    this.url = url;
    this.#faults = faults;
    this.#prefix = prefix;
    this.#redis = new Redis(url, {
      lazyConnect: true,
      // Fail fast while Redis is away: a cache must never hold a request hostage.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    // Errors surface through the calls; without a listener ioredis would print each one.
    this.#redis.on('error', (error: Error) => {
      this.#lastError = error.message;
    });
  }

  /** Connects and checks that Redis answers. @throws L2Error when it does not */
  async connect(): Promise<void> {
    try {
      await this.#redis.connect();
      await this.#redis.ping();
    } catch (error) {
      this.#redis.disconnect();
      throw new L2Error(
        `cannot reach Redis at ${this.url}: ${this.#lastError ?? (error as Error).message}`,
      );
    }
  }

  get connected(): boolean {
    return this.#redis.status === 'ready' && !this.#faults.l2Failure;
  }

  async get(key: string): Promise<unknown> {
    this.#check();
    let raw: string | null;
    try {
      raw = await this.#redis.get(this.#prefix + key);
    } catch (error) {
      throw new L2Error((error as Error).message);
    }
    return raw === null ? undefined : JSON.parse(raw);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#check();
    try {
      await this.#redis.set(this.#prefix + key, JSON.stringify(value), 'PX', ttlMs);
    } catch (error) {
      throw new L2Error((error as Error).message);
    }
  }

  async close(): Promise<void> {
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => {});
    this.#redis.disconnect();
  }

  #check(): void {
    if (this.#faults.l2Failure) throw new L2Error('L2 failure injected');
  }
}
