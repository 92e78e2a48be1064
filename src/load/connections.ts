import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildConnector, Client, type Dispatcher } from 'undici';
import { type ClientConfig, tlsTrust } from '../util/client-config.js';

/** Keep-alive connections stay open this long without a request. */
const KEEP_ALIVE_MS = 30_000;

/**
 * The most connections one user opens to one origin, as browsers do: a user normally has one,
 * and opens more only while it has requests in flight at once (`Promise.all` in a task).
 */
export const MAX_CONNECTIONS_PER_USER = 6;

/** Streams one HTTP/2 connection carries at once (Node's servers allow 100 by default). */
const MAX_STREAMS = 100;

/** How long the connection a request opened took: TCP connect, then the TLS handshake (ms). */
export interface ConnectTimes {
  readonly connectMs: number;
  readonly tlsMs: number;
}

/** A connection (or a pool) a request goes out on; `release()` when its response has ended. */
export interface Lease {
  readonly dispatcher: Dispatcher;
  /**
   * When the request is about to be written: how long its connection took to open, if this
   * request is the one that opened it; undefined on a connection that was already open.
   */
  takeConnectTimes(): ConnectTimes | undefined;
  /**
   * When the request is about to be written: how long (ms) a request handed this connection at
   * `leasedAt` waited for it, behind another request (HTTP/1.1) or for it to open (a request that
   * did not open it itself); 0 for one that went out at once. Measured, never a remainder (#26).
   */
  waitedSince(leasedAt: number, opened: boolean): number;
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
  takeConnectTimes: () => undefined,
  waitedSince: () => 0,
  release() {},
};

type Connector = buildConnector.connector;

/**
 * One socket maker per client configuration, shared by every user of a thread (a connector per
 * user would cost each one a session cache). TLS sessions are not cached, so every new connection
 * is a full handshake, as it is for as many distinct clients.
 */
const connectors = new WeakMap<object, Connector>();
const DEFAULT_CONFIG: ClientConfig = {};

function connectorFor(config: ClientConfig): Connector {
  let connector = connectors.get(config);
  if (!connector) {
    connector = buildConnector({
      ...tlsTrust(config),
      maxCachedSessions: 0,
      ...(config.http2 ? { allowH2: true, useH2c: true } : {}),
    } as buildConnector.BuildOptions);
    connectors.set(config, connector);
  }
  return connector;
}

/** One connection (an undici Client) with the requests it has in flight. */
class Slot implements Lease {
  busy = 0;
  /** The connection speaks HTTP/2: every request can share it. */
  multiplexed = false;
  /** Its protocol is known: it has connected once. */
  negotiated = false;
  readonly dispatcher: Client;
  #times: ConnectTimes | undefined;
  /** When a request on it last ended, and when it last finished opening (performance.now()). */
  #freedAt = 0;
  #connectedAt = 0;

  constructor(
    origin: string,
    config: ClientConfig,
    private readonly onIdle: (slot: Slot) => void,
  ) {
    const base = connectorFor(config);
    this.dispatcher = new Client(origin, {
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      ...(config.http2 ? { allowH2: true, maxConcurrentStreams: MAX_STREAMS } : {}),
      // Times the connection it opens; the request that opened it takes the times when written.
      connect: (options, callback) => {
        const started = performance.now();
        let tcp = 0;
        // undici sends the host name as SNI (never an address), as tlsOptions does.
        const socket = (base as (...args: Parameters<Connector>) => unknown)(
          options,
          (error, opened) => {
            if (!error) {
              const now = performance.now();
              this.#connectedAt = now;
              this.#times = {
                connectMs: (tcp || now) - started,
                tlsMs: tcp ? now - tcp : 0,
              };
              this.multiplexed =
                (opened as Socket & { alpnProtocol?: string }).alpnProtocol === 'h2';
              this.negotiated = true;
              // HTTP/1.1 one request at a time (no pipelining), HTTP/2 as many streams as allowed.
              this.dispatcher.pipelining = this.multiplexed ? MAX_STREAMS : 1;
            }
            (callback as (error: Error | null, socket: Socket | null) => void)(error, opened);
          },
        );
        if (options.protocol === 'https:')
          (socket as Socket).once('connect', () => {
            tcp = performance.now();
          });
      },
    });
  }

  takeConnectTimes(): ConnectTimes | undefined {
    const times = this.#times;
    this.#times = undefined;
    return times;
  }

  waitedSince(leasedAt: number, opened: boolean): number {
    let ready = leasedAt;
    // HTTP/1.1 carries one request at a time: one that went out after another ended waited for
    // it. HTTP/2 streams do not wait for each other.
    if (!this.multiplexed && this.#freedAt > ready) ready = this.#freedAt;
    // The request that opened the connection spent that time connecting (its own phases).
    if (!opened && this.#connectedAt > ready) ready = this.#connectedAt;
    return ready - leasedAt;
  }

  release(): void {
    this.#freedAt = performance.now();
    if (--this.busy === 0) this.onIdle(this);
  }
}

/** The connections to one origin: idle ones first, a new one while under `max`, else queue. */
class OriginSlots {
  readonly all: Slot[] = [];
  readonly #idle: Slot[] = [];
  // An HTTP/2 connection is never parked: every request takes it anyway.
  readonly #release = (slot: Slot) => {
    if (!slot.multiplexed) this.#idle.push(slot);
  };

  constructor(
    private readonly origin: string,
    private readonly config: ClientConfig,
    private readonly max: number,
  ) {}

  lease(): Slot {
    let slot: Slot | undefined;
    const first = this.all[0];
    // HTTP/2: one connection carries every request, as a browser's does; until the first one
    // has connected, requests wait for it rather than open connections HTTP/2 would not need.
    if (first && (first.multiplexed || (this.config.http2 && !first.negotiated))) slot = first;
    while (!slot && this.#idle.length > 0) {
      const idle = this.#idle.pop() as Slot;
      if (idle.busy === 0) slot = idle;
    }
    if (!slot && this.all.length < this.max) {
      slot = new Slot(this.origin, this.config, this.#release);
      this.all.push(slot);
    }
    // Every connection busy: queue on the least busy one.
    slot ??= this.all.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    return slot;
  }
}

/**
 * Connections by origin, each origin's capped at `max`; once closed or destroyed, leases fail at
 * once (and destroy() after close() still reaches every connection).
 */
abstract class ConnectionSet implements Connections {
  #closed = false;
  readonly #byOrigin = new Map<string, OriginSlots>();

  constructor(
    private readonly config: ClientConfig,
    private readonly max: number,
  ) {}

  lease(origin: string): Lease {
    if (this.#closed) return CLOSED;
    let slots = this.#byOrigin.get(origin);
    if (!slots) {
      slots = new OriginSlots(origin, this.config, this.max);
      this.#byOrigin.set(origin, slots);
    }
    return slots.lease();
  }

  async close(): Promise<void> {
    await this.#each((d) => d.close());
  }

  async destroy(): Promise<void> {
    await this.#each((d) => d.destroy());
  }

  async #each(action: (dispatcher: Dispatcher) => Promise<void>): Promise<void> {
    this.#closed = true;
    const slots = [...this.#byOrigin.values()].flatMap((s) => s.all);
    await Promise.all(slots.map((s) => action(s.dispatcher).catch(() => {})));
  }
}

/**
 * A user's own connections, kept across its tasks as Locust's and k6's are: a user is one client
 * to the service, so a run opens as many connections as it has users (and a load balancer that
 * spreads connections sees them all). Over HTTP/2 a user has one connection per origin.
 */
export class UserConnections extends ConnectionSet {
  constructor(config: ClientConfig = DEFAULT_CONFIG) {
    super(config, MAX_CONNECTIONS_PER_USER);
  }
}

/**
 * Connections every user of a thread shares (`--shared-pool`): a request takes an idle one, or
 * opens one, so there are as many as requests were ever in flight at once.
 */
export class SharedPool extends ConnectionSet {
  constructor(config: ClientConfig = DEFAULT_CONFIG) {
    super(config, Number.POSITIVE_INFINITY);
  }
}
