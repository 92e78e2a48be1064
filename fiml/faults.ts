/** The most latency faults add to one provider's calls: its own and every provider's together. */
export const MAX_ADDED_LATENCY_MS = 60_000;

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
  /**
   * Whether the database's history index is dropped (issue 27); null when FIML has no database.
   * Set by the admin route, which drops and creates the index itself.
   */
  historyIndexMissing: boolean | null = null;

  addedLatencyMs(provider: string): number {
    return (this.providerLatencyMs.get(provider) ?? 0) + (this.providerLatencyMs.get('*') ?? 0);
  }

  /**
   * The latency each of `providers` would get with `setting` merged in (a number: every
   * provider's, the key `*`), as `addedLatencyMs` would then say.
   */
  latencyAfter(
    setting: number | Readonly<Record<string, number>>,
    providers: Iterable<string>,
  ): Map<string, number> {
    const merged = new Map(this.providerLatencyMs);
    if (typeof setting === 'number') merged.set('*', setting);
    else for (const [name, ms] of Object.entries(setting)) merged.set(name, ms);
    const all = merged.get('*') ?? 0;
    return new Map([...providers].map((name) => [name, (merged.get(name) ?? 0) + all]));
  }

  clear(): void {
    this.providerOutages.clear();
    this.providerLatencyMs.clear();
    this.taskFailureRate = null;
    this.l2Failure = false;
    if (this.historyIndexMissing !== null) this.historyIndexMissing = false;
  }

  toJSON() {
    return {
      provider_outages: [...this.providerOutages].sort(),
      provider_latency_ms: Object.fromEntries(this.providerLatencyMs),
      task_failure_rate: this.taskFailureRate,
      l2_cache_failure: this.l2Failure,
      history_index_missing: this.historyIndexMissing,
    };
  }
}
