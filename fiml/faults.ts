/** Faults injected at run time through `/admin/faults`; read by providers, cache and tasks. */
export class FaultState {
  /** Providers that fail every call, as in an outage. */
  readonly providerOutages = new Set<string>();
  /** Added latency in ms per provider; the key `*` applies to every provider. */
  readonly providerLatencyMs = new Map<string, number>();
  /** Probability that a task fails, overriding the configured rate; null when not injected. */
  taskFailureRate: number | null = null;
  /** When true, every L2 (Redis) operation fails as if Redis were down. */
  l2Failure = false;

  addedLatencyMs(provider: string): number {
    return (this.providerLatencyMs.get(provider) ?? 0) + (this.providerLatencyMs.get('*') ?? 0);
  }

  clear(): void {
    this.providerOutages.clear();
    this.providerLatencyMs.clear();
    this.taskFailureRate = null;
    this.l2Failure = false;
  }

  toJSON() {
    return {
      provider_outages: [...this.providerOutages].sort(),
      provider_latency_ms: Object.fromEntries(this.providerLatencyMs),
      task_failure_rate: this.taskFailureRate,
      l2_cache_failure: this.l2Failure,
    };
  }
}
