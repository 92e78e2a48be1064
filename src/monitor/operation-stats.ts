import * as hdr from 'hdr-histogram-js';

export interface OperationSummary {
  readonly count: number;
  readonly mean_ms: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

const ms = (micros: number) => Math.round(micros) / 1000;

/** Per-operation latency in HDR histograms (microseconds, 3 significant digits): flat memory. */
export class OperationStats {
  readonly #histograms = new Map<string, hdr.Histogram>();

  record(operation: string, seconds: number): void {
    let h = this.#histograms.get(operation);
    if (!h) {
      h = hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: 3,
      });
      this.#histograms.set(operation, h);
    }
    h.recordValue(Math.max(1, Math.round(seconds * 1e6)));
  }

  summary(): Record<string, OperationSummary> {
    const out: Record<string, OperationSummary> = {};
    for (const [name, h] of [...this.#histograms].sort(([a], [b]) => a.localeCompare(b))) {
      // A percentile is reported as the top of its HDR bucket; never above the true maximum.
      const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
      out[name] = {
        count: h.totalCount,
        mean_ms: ms(h.mean),
        p50_ms: at(50),
        p95_ms: at(95),
        p99_ms: at(99),
        max_ms: ms(h.maxValue),
      };
    }
    return out;
  }
}

export interface SlowQuery {
  readonly operation: string;
  readonly duration_ms: number;
  readonly at: string;
  readonly detail: string | null;
}

/** The last `capacity` slow operations, oldest dropped first. */
export class SlowQueryLog {
  readonly #entries: SlowQuery[] = [];
  readonly #capacity: number;
  #total = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(entry: SlowQuery): void {
    this.#total++;
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.shift();
  }

  get total(): number {
    return this.#total;
  }

  /** Newest first. */
  recent(): SlowQuery[] {
    return [...this.#entries].reverse();
  }
}
