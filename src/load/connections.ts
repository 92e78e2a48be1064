import { Client, type Dispatcher, Pool } from 'undici';
import type { ClientConfig } from './client-config.js';

/** Keep-alive connections stay open this long without a request. */
const KEEP_ALIVE_MS = 30_000;

/**
 * The most connections one user opens to one origin, as browsers do: a user normally has one,
 * and opens more only while it has requests in flight at once (`Promise.all` in a task).
 */
export const MAX_CONNECTIONS_PER_USER = 6;

/** A connection (or a pool) a request goes out on; `release()` when its response has ended. */
export interface Lease {
  readonly dispatcher: Dispatcher;
  release(): void;
}

/** Where a user's requests go out: its own connections, or a pool every user shares. */
export interface Connections {
  /** A connection to `origin` for one request. */
  lease(origin: string): Lease;
  /** Closes every connection once its requests have ended. */
  close(): Promise<void>;
  /** Drops every connection at once, failing what is in flight. */
  destroy(): Promise<void>;
}

/**
 * What a request gets once its connections are closed (a task still running after the run's
 * grace period): it fails at once instead of opening a connection nobody will close.
 */
const CLOSED: Lease = {
  dispatcher: {
    dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      handler.onError?.(new Error('the run has stopped: its connections are closed'));
      return false;
    },
  } as unknown as Dispatcher,
  release() {},
};

/** Close and destroy over a set of connections; once either is called, leases fail at once. */
abstract class ConnectionSet implements Connections {
  protected closed = false;

  abstract lease(origin: string): Lease;

  /** Every connection (or pool) opened so far. */
  protected abstract dispatchers(): Dispatcher[];

  async close(): Promise<void> {
    await this.#each((d) => d.close());
  }

  async destroy(): Promise<void> {
    await this.#each((d) => d.destroy());
  }

  // The connections stay listed, so that destroy() after close() still reaches every one.
  async #each(action: (dispatcher: Dispatcher) => Promise<void>): Promise<void> {
    this.closed = true;
    await Promise.all(this.dispatchers().map((d) => action(d).catch(() => {})));
  }
}

/** One connection of a user, with the requests it has in flight. */
class Slot implements Lease {
  busy = 0;

  constructor(readonly dispatcher: Client) {}

  release(): void {
    this.busy--;
  }
}

/**
 * A user's own connections, kept across its tasks as Locust's and k6's are: a user is one client
 * to the service, so a run opens as many connections as it has users (and a load balancer that
 * spreads connections sees them all).
 */
export class UserConnections extends ConnectionSet {
  readonly #byOrigin = new Map<string, Slot[]>();

  constructor(readonly config?: ClientConfig) {
    super();
  }

  lease(origin: string): Lease {
    if (this.closed) return CLOSED;
    let slots = this.#byOrigin.get(origin);
    if (!slots) {
      slots = [];
      this.#byOrigin.set(origin, slots);
    }
    let slot: Slot | undefined;
    for (const s of slots)
      if (s.busy === 0) {
        slot = s;
        break;
      }
    if (!slot && slots.length < MAX_CONNECTIONS_PER_USER) {
      slot = new Slot(new Client(origin, { pipelining: 1, keepAliveTimeout: KEEP_ALIVE_MS }));
      slots.push(slot);
    }
    // Every connection busy: queue on the least busy one.
    slot ??= slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    return slot;
  }

  protected dispatchers(): Dispatcher[] {
    return [...this.#byOrigin.values()].flat().map((s) => s.dispatcher);
  }
}

/** One pool per origin that every user of a thread shares (`--shared-pool`). */
export class SharedPool extends ConnectionSet {
  readonly #pools = new Map<string, Lease>();

  constructor(readonly config?: ClientConfig) {
    super();
  }

  lease(origin: string): Lease {
    if (this.closed) return CLOSED;
    let lease = this.#pools.get(origin);
    if (!lease) {
      const pool = new Pool(origin, {
        connections: null,
        pipelining: 1,
        keepAliveTimeout: KEEP_ALIVE_MS,
      });
      lease = { dispatcher: pool, release: () => {} };
      this.#pools.set(origin, lease);
    }
    return lease;
  }

  protected dispatchers(): Dispatcher[] {
    return [...this.#pools.values()].map((l) => l.dispatcher);
  }
}
