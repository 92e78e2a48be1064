import type { Asset } from '../assets.js';
import { ProviderError, type SimulatedProvider } from './provider.js';

export type ProviderOperation = 'quote' | 'history';

/** Told of every provider call: the monitor counts them. */
export interface ProviderObserver {
  onProviderCall(
    provider: string,
    operation: ProviderOperation,
    outcome: 'success' | 'error',
    seconds: number,
  ): void;
}

export interface RegistryOptions {
  /** Consecutive failures after which a provider is cooled down. @default 3 */
  readonly failureThreshold?: number;
  /** How long a cooled-down provider is skipped, in ms. @default 30000 */
  readonly cooldownMs?: number;
  /** Milliseconds since the service started. */
  readonly elapsedMs: () => number;
  readonly observer?: ProviderObserver;
}

/** Every provider able to serve the asset failed; the message lists what each said. */
export class AllProvidersFailedError extends Error {
  constructor(
    readonly symbol: string,
    readonly failures: readonly ProviderError[],
  ) {
    super(
      failures.length === 0
        ? `no provider serves ${symbol}`
        : `every provider failed for ${symbol}: ${failures.map((f) => f.message).join('; ')}`,
    );
    this.name = 'AllProvidersFailedError';
  }
}

interface Health {
  requests: number;
  errors: number;
  consecutiveFailures: number;
  cooldownUntilMs: number;
  latencyTotalSeconds: number;
  lastError: string | null;
}

export interface ProviderStatus {
  readonly name: string;
  readonly status: 'healthy' | 'cooling_down' | 'down';
  readonly asset_types: readonly string[];
  readonly requests: number;
  readonly errors: number;
  readonly error_rate: number;
  readonly uptime: number;
  readonly mean_latency_ms: number;
  readonly consecutive_failures: number;
  readonly cooldown_remaining_ms: number;
  readonly last_error: string | null;
}

export interface Fetched<T> {
  readonly value: T;
  readonly provider: string;
  /** Providers tried before the one that answered. */
  readonly failedOver: readonly string[];
}

/** Picks a provider for an asset, falls back on failure and cools failing providers down. */
export class ProviderRegistry {
  readonly #providers: readonly SimulatedProvider[];
  readonly #health = new Map<string, Health>();
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #elapsedMs: () => number;
  readonly #observer: ProviderObserver | undefined;

  constructor(providers: readonly SimulatedProvider[], options: RegistryOptions) {
    this.#providers = providers;
    this.#threshold = options.failureThreshold ?? 3;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#elapsedMs = options.elapsedMs;
    this.#observer = options.observer;
    for (const p of providers) {
      this.#health.set(p.name, {
        requests: 0,
        errors: 0,
        consecutiveFailures: 0,
        cooldownUntilMs: 0,
        latencyTotalSeconds: 0,
        lastError: null,
      });
    }
  }

  names(): string[] {
    return this.#providers.map((p) => p.name);
  }

  get(name: string): SimulatedProvider | undefined {
    return this.#providers.find((p) => p.name === name);
  }

  /**
   * The order in which providers are tried: the preferred one first, then the others that
   * support the asset in priority order, cooled-down ones last (tried only when all else fails).
   * A preferred provider without data for the asset type is a hint that cannot be followed, as
   * a real aggregator treats it: the others serve, and the answer names who did.
   */
  candidates(asset: Asset, preferred?: string): SimulatedProvider[] {
    const able = this.#providers.filter((p) => p.supports(asset.type));
    if (preferred !== undefined) {
      const first = able.find((p) => p.name === preferred);
      if (first) {
        able.splice(able.indexOf(first), 1);
        able.unshift(first);
      }
    }
    const now = this.#elapsedMs();
    const warm = able.filter((p) => this.#health.get(p.name)!.cooldownUntilMs <= now);
    const cooling = able.filter((p) => this.#health.get(p.name)!.cooldownUntilMs > now);
    return [...warm, ...cooling];
  }

  /** Calls providers in candidate order until one answers. @throws AllProvidersFailedError */
  async fetch<T>(
    asset: Asset,
    operation: ProviderOperation,
    call: (provider: SimulatedProvider) => Promise<T>,
    preferred?: string,
  ): Promise<Fetched<T>> {
    const failures: ProviderError[] = [];
    for (const provider of this.candidates(asset, preferred)) {
      const health = this.#health.get(provider.name)!;
      const started = performance.now();
      try {
        const value = await call(provider);
        this.#record(provider.name, health, operation, started, null);
        return { value, provider: provider.name, failedOver: failures.map((f) => f.provider) };
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        this.#record(provider.name, health, operation, started, error);
        failures.push(error);
      }
    }
    throw new AllProvidersFailedError(asset.symbol, failures);
  }

  status(): ProviderStatus[] {
    const now = this.#elapsedMs();
    return this.#providers.map((p) => {
      const h = this.#health.get(p.name)!;
      const cooldown = Math.max(0, h.cooldownUntilMs - now);
      return {
        name: p.name,
        status: p.isDown() ? 'down' : cooldown > 0 ? 'cooling_down' : 'healthy',
        asset_types: p.config.assetTypes,
        requests: h.requests,
        errors: h.errors,
        error_rate: h.requests === 0 ? 0 : h.errors / h.requests,
        uptime: h.requests === 0 ? 1 : 1 - h.errors / h.requests,
        mean_latency_ms: h.requests === 0 ? 0 : (h.latencyTotalSeconds / h.requests) * 1000,
        consecutive_failures: h.consecutiveFailures,
        cooldown_remaining_ms: Math.round(cooldown),
        last_error: h.lastError,
      };
    });
  }

  #record(
    name: string,
    health: Health,
    operation: ProviderOperation,
    started: number,
    error: ProviderError | null,
  ): void {
    const seconds = (performance.now() - started) / 1000;
    health.requests++;
    health.latencyTotalSeconds += seconds;
    if (error) {
      health.errors++;
      health.lastError = error.message;
      health.consecutiveFailures++;
      if (health.consecutiveFailures >= this.#threshold) {
        health.cooldownUntilMs = this.#elapsedMs() + this.#cooldownMs;
        health.consecutiveFailures = 0;
      }
    } else {
      health.consecutiveFailures = 0;
    }
    this.#observer?.onProviderCall(name, operation, error ? 'error' : 'success', seconds);
  }
}
