import type { Failure, Phases } from '../stats/index.js';
import type { ClientConfig } from '../util/client-config.js';

/**
 * What QuickRunner drives: one request at a time, sent again at once in the closed model. An
 * HTTP/1.1 connection, or one stream's place on an HTTP/2 connection (quick-h2.ts).
 */
export interface QuickExchange {
  busy: boolean;
  /** Closed model: sends again as soon as a reply ends. */
  looping: boolean;
  /** Sends the request due at `started`, at `now` (both `performance.now()` times). */
  send(started: number, now: number): void;
  /** Cuts off its request, unrecorded, and lets its connection go. */
  destroy(): void;
}

/**
 * What an exchange needs of the runner that drives it: where to connect and how, how long to wait
 * for a byte, and whom to tell when its request ends.
 */
export interface ExchangeOwner {
  readonly url: URL;
  readonly client: ClientConfig | undefined;
  readonly timeoutMs: number;
  /** A request ended: record it, then send the next (closed) or park the exchange (open). */
  done(
    exchange: QuickExchange,
    ms: number,
    bytes: number,
    failure: Failure | undefined,
    phases: Phases | undefined,
  ): void;
}
