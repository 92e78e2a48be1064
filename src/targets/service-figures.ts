import { METRIC } from '../metric-names.js';
import { quoted } from './expression.js';
import { increase, type Scrape } from './prometheus.js';

/** A figure, or why there is none. */
export type Figure =
  | { readonly known: true; readonly value: number; readonly basis: string }
  | { readonly known: false; readonly reason: string };

export const unknown = (reason: string): Figure => ({ known: false, reason });

const share = (part: number, whole: number, basis: string, none: string): Figure =>
  whole === 0 ? unknown(none) : { known: true, value: part / whole, basis };

/**
 * The service-side figures of a run from two scrapes of its Prometheus metrics, differenced:
 * cache hit rate, task completion rate, provider uptime (overall and per provider).
 */
export class ServiceFigures {
  readonly #name: (suffix: string) => string;

  constructor(
    readonly before: Scrape,
    readonly after: Scrape,
    prefix = 'fiml',
  ) {
    this.#name = (suffix) => `${prefix}_${suffix}`;
  }

  #missing(...suffixes: string[]): string | null {
    const absent = suffixes.map(this.#name).filter((n) => !this.after.has(n));
    if (absent.length === 0) return null;
    return `the service exposes no ${absent.join(' or ')} metric`;
  }

  /**
   * Lookups answered by a cache layer over all lookups. Layers are consulted in order (l1, then
   * l2 on an l1 miss), so lookups are the first layer's hits and misses, answered ones every
   * layer's hits.
   */
  cacheHitRate(): Figure {
    const missing = this.#missing(METRIC.cacheHits, METRIC.cacheMisses);
    if (missing) return unknown(missing);
    const hits = this.#name(METRIC.cacheHits);
    const misses = this.#name(METRIC.cacheMisses);
    const layers = this.#layers();
    const first = layers[0];
    const answered = increase(this.before, this.after, hits);
    const lookups =
      first === undefined
        ? answered + increase(this.before, this.after, misses)
        : increase(this.before, this.after, hits, { layer: first }) +
          increase(this.before, this.after, misses, { layer: first });
    return share(
      answered,
      lookups,
      `${answered} of ${lookups} cache lookups answered${layers.length > 1 ? ` (${layers.join(', ')})` : ''}`,
      'no cache lookups during the run',
    );
  }

  /** Hits and misses of each cache layer over the run (l1, l2...), in layer order. */
  cacheLayers(): Array<{ layer: string; hits: number; misses: number }> {
    if (this.#missing(METRIC.cacheHits, METRIC.cacheMisses)) return [];
    const hits = this.#name(METRIC.cacheHits);
    const misses = this.#name(METRIC.cacheMisses);
    const layers = this.#layers();
    return layers.map((layer) => ({
      layer,
      hits: increase(this.before, this.after, hits, { layer }),
      misses: increase(this.before, this.after, misses, { layer }),
    }));
  }

  /**
   * The cache layers the metrics name, in the order a lookup goes through them: l1, l2, ...,
   * then the others (FIML's database, `db`). The first is every lookup's: not alphabetical,
   * where `db` came first and its few lookups made the hit rate over 100% (issue 27).
   */
  #layers(): string[] {
    const names = [this.#name(METRIC.cacheHits), this.#name(METRIC.cacheMisses)];
    const rank = (layer: string) => {
      const level = /^l(\d+)$/.exec(layer)?.[1];
      return level === undefined ? Number.POSITIVE_INFINITY : Number(level);
    };
    return [...new Set(names.flatMap((n) => this.after.labelValues(n, 'layer')))].sort(
      (a, b) => rank(a) - rank(b) || a.localeCompare(b),
    );
  }

  /** Completed tasks over settled ones (failed and rejected ones count against it). */
  taskCompletionRate(): Figure {
    const missing = this.#missing(METRIC.tasks);
    if (missing) return unknown(missing);
    const name = this.#name(METRIC.tasks);
    const completed = increase(this.before, this.after, name, { status: 'completed' });
    const settled = increase(this.before, this.after, name);
    return share(
      completed,
      settled,
      `${completed} of ${settled} tasks completed`,
      'no tasks ran during the run',
    );
  }

  /** Successful provider calls over all provider calls; of one provider when `provider` is set. */
  providerUptime(provider?: string): Figure {
    const missing = this.#missing(METRIC.providerRequests);
    if (missing) return unknown(missing);
    const name = this.#name(METRIC.providerRequests);
    const match: Record<string, string> = provider === undefined ? {} : { provider };
    const ok = increase(this.before, this.after, name, { ...match, status: 'success' });
    const calls = increase(this.before, this.after, name, match);
    if (provider !== undefined && calls === 0) {
      const known = this.after.labelValues(name, 'provider');
      if (!known.includes(provider))
        return unknown(
          `no provider ${quoted(provider)} in ${name}${known.length ? `; providers: ${known.join(', ')}` : ''}`,
        );
    }
    return share(
      ok,
      calls,
      `${ok} of ${calls} ${provider ?? 'provider'} calls succeeded`,
      `no ${provider ?? 'provider'} calls during the run`,
    );
  }

  /** Resident memory of the service process at each scrape, in bytes, when exposed. */
  residentMemory(): { before: number; after: number } | null {
    if (!this.after.has('process_resident_memory_bytes')) return null;
    return {
      before: this.before.sum('process_resident_memory_bytes'),
      after: this.after.sum('process_resident_memory_bytes'),
    };
  }
}
