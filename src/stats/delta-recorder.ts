import { EndpointTable } from './endpoint-table.js';
import { type ErrorGroup, ErrorTable, type Failure } from './errors.js';
import { encodeHistogram } from './histogram.js';
import type { Phases, PhaseWire } from './phases.js';
import type { RequestSink } from './request-sink.js';

/** What a worker sends every second: what happened since the last delta. */
export interface StatsDelta {
  readonly endpoints: ReadonlyArray<{
    method: string;
    name: string;
    requests: number;
    failures: number;
    bytes: number;
    wireBytes: number;
    /** The latencies encoded as a histogram, or (for a rarely used name) as they are. */
    histogram?: string;
    samples?: readonly number[];
    phases?: PhaseWire;
  }>;
  readonly errors: readonly ErrorGroup[];
  /** The distinct-count registers of the names past the cap, when they changed. */
  readonly overflowNames?: string;
  /**
   * Names in this delta with an integer the share was not told how to name (`NameFolds`), as
   * `[method, name]`: the run names them as it decides.
   */
  readonly provisional?: ReadonlyArray<readonly [string, string]>;
}

/** A worker's recorder: keeps only what happened since the last `take()`. */
export class DeltaRecorder implements RequestSink {
  private readonly table = new EndpointTable({ maxNames: Number.POSITIVE_INFINITY });
  private readonly errors = new ErrorTable();

  /**
   * Records only these names from now on, the rest as `OTHER_NAMES`: the run's table is full,
   * and these are the names it records, so a name is never split between its row and the
   * overflow.
   */
  restrict(names: ReadonlyArray<readonly [string, string]>): void {
    this.table.restrict(names);
  }

  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
    wireBytes = bytes,
  ): void {
    const stats = this.table.get(method, name);
    stats.count(micros, bytes, failure !== undefined, phases, wireBytes);
    if (failure) this.errors.add(method, stats.name, failure);
  }

  error(method: string, name: string, failure: Failure): void {
    this.errors.add(method, name, failure);
  }

  /**
   * The delta since the last call; resets the recorder. Before `restrict` every name is then
   * forgotten; after it, a name that was quiet gives its histogram back. Either way a worker holds
   * only the names in use.
   */
  take(): StatsDelta {
    const endpoints: StatsDelta['endpoints'][number][] = [];
    for (const s of this.table.values()) {
      if (s.requests === 0) {
        s.latency.clear(true);
        s.phases = undefined;
        continue;
      }
      const samples = s.latency.samples;
      endpoints.push({
        method: s.method,
        name: s.name,
        requests: s.requests,
        failures: s.failures,
        bytes: s.bytes,
        wireBytes: s.wireBytes,
        ...(samples ? { samples } : { histogram: encodeHistogram(s.latency.histogram) }),
        ...(s.phases && s.phases.count > 0 ? { phases: s.phases.toWire() } : {}),
      });
      s.requests = 0;
      s.failures = 0;
      s.bytes = 0;
      s.wireBytes = 0;
      s.latency.clear(false);
      s.phases?.clear(false);
    }
    this.table.prune();
    const errors = this.errors.list();
    this.errors.clear();
    const overflowNames = this.table.overflowNames.takeChange();
    return overflowNames ? { endpoints, errors, overflowNames } : { endpoints, errors };
  }
}
