import type { Failure } from './errors.js';
import type { Phases } from './phases.js';

/** Where requests are recorded: the run's recorder in one process, a delta in a worker. */
export interface RequestSink {
  /**
   * One finished request: latency in microseconds, the response body's bytes (decoded, of the last
   * response of a redirect chain), its failure if any, where its time went when a response
   * arrived, and the body bytes of every response of the chain as they came over the wire
   * (default `bytes`).
   */
  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
    wireBytes?: number,
  ): void;
  /** An error that is not a request, such as a task that threw. */
  error(method: string, name: string, failure: Failure): void;
}
