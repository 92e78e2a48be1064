import { DEFAULT_MAX_NAMES, OTHER_NAMES } from '../names.js';
import { DistinctCounter } from './distinct-count.js';
import { Endpoint } from './endpoint-stats.js';

/** The cap on the distinct names a table records (part of `RecorderOptions`). */
export interface NameCapOptions {
  /** Distinct `METHOD name` pairs recorded before new ones go to `OTHER_NAMES`. @default 1000 */
  readonly maxNames?: number;
  /**
   * Called once, when the first request goes to `OTHER_NAMES`, with the names recorded (the
   * cap's worth): workers are told to keep exactly these (`DeltaRecorder.restrict`).
   */
  readonly onOverflow?: (
    maxNames: number,
    recorded: ReadonlyArray<readonly [string, string]>,
  ) => void;
}

/** How the name cap was used: names recorded, and what went past it. */
export interface NameCounts {
  readonly max: number;
  /** Distinct names recorded under their own name. */
  readonly recorded: number;
  /** Estimated distinct names past the cap (1.6% standard error), recorded as `OTHER_NAMES`. */
  readonly overflowNames: number;
  readonly overflowRequests: number;
}

/**
 * Endpoint stats by method, then name (no key string is built per request), with at most
 * `maxNames` names: a run with per-id URLs stays the size of its cap. A worker's table has no cap
 * of its own (the run's table decides which names are recorded) until it is told the names to
 * keep (`restrict`); until then it forgets the names that were quiet for a delta.
 */
export class EndpointTable {
  readonly #byMethod = new Map<string, Map<string, Endpoint>>();
  readonly #overflow: Endpoint[] = [];
  #names = 0;
  /** The names a worker keeps, once the run's table is full. */
  #allowed: Map<string, Set<string>> | undefined;
  readonly overflowNames = new DistinctCounter();
  readonly maxNames: number;
  readonly #onOverflow: NameCapOptions['onOverflow'];

  constructor(options: NameCapOptions) {
    this.maxNames = options.maxNames ?? DEFAULT_MAX_NAMES;
    this.#onOverflow = options.onOverflow;
  }

  get(method: string, name: string): Endpoint {
    let byName = this.#byMethod.get(method);
    if (!byName) {
      byName = new Map();
      this.#byMethod.set(method, byName);
    }
    const found = byName.get(name);
    if (found) return found;
    if (name !== OTHER_NAMES && this.#accepts(method, name)) {
      this.#names++;
      const stats = new Endpoint(method, name);
      byName.set(name, stats);
      return stats;
    }
    if (name !== OTHER_NAMES) this.overflowNames.add(name, method);
    let other = byName.get(OTHER_NAMES);
    if (!other) {
      other = new Endpoint(method, OTHER_NAMES);
      byName.set(OTHER_NAMES, other);
      this.#overflow.push(other);
      if (this.#overflow.length === 1) this.#onOverflow?.(this.maxNames, this.recorded());
    }
    return other;
  }

  #accepts(method: string, name: string): boolean {
    if (this.#allowed) return this.#allowed.get(method)?.has(name) === true;
    return this.#names < this.maxNames;
  }

  /** The name a request's error is grouped under: its own, or `OTHER_NAMES` past the cap. */
  nameFor(method: string, name: string): string {
    if (name === OTHER_NAMES || this.#byMethod.get(method)?.has(name)) return name;
    return this.#accepts(method, name) ? name : OTHER_NAMES;
  }

  /** Every name recorded under its own name, as `[method, name]`. */
  recorded(): Array<readonly [string, string]> {
    return [...this.values()].filter((e) => e.name !== OTHER_NAMES).map((e) => [e.method, e.name]);
  }

  /** From now on, record only these names; everything else goes to `OTHER_NAMES`. */
  restrict(names: ReadonlyArray<readonly [string, string]>): void {
    this.#allowed = new Map();
    for (const [method, name] of names) {
      let set = this.#allowed.get(method);
      if (!set) {
        set = new Set();
        this.#allowed.set(method, set);
      }
      set.add(name);
    }
  }

  /** After a delta: forgets every name (before `restrict`), or the names it excludes. */
  prune(): void {
    if (!this.#allowed) {
      this.#byMethod.clear();
      this.#names = 0;
      return;
    }
    for (const [method, byName] of this.#byMethod)
      for (const name of byName.keys())
        if (name !== OTHER_NAMES && !this.#accepts(method, name)) {
          byName.delete(name);
          this.#names--;
        }
  }

  *values(): Iterable<Endpoint> {
    for (const byName of this.#byMethod.values()) yield* byName.values();
  }

  counts(): NameCounts {
    return {
      max: this.maxNames,
      recorded: this.#names,
      overflowNames: this.#overflow.length === 0 ? 0 : this.overflowNames.estimate,
      overflowRequests: this.#overflow.reduce((sum, e) => sum + e.requests, 0),
    };
  }
}
