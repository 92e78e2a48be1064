import type { Failure } from './errors.js';
import type { Phases } from './phases.js';

/** Where requests are recorded: the run's recorder in one process, a delta in a worker. */
export interface RequestSink {
  /**
   * One finished request: latency in microseconds, response bytes, its failure if any, and where
   * its time went when a response arrived.
   */
  record(
    method: string,
    name: string,
    micros: number,
    bytes: number,
    failure?: Failure,
    phases?: Phases,
  ): void;
  /** An error that is not a request, such as a task that threw. */
  error(method: string, name: string, failure: Failure): void;
}
