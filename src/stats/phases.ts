import { type LatencyMs, latencyMs } from './histogram.js';
import { LatencyRecord, type LatencyWire } from './latency-record.js';

/**
 * Where a request's time went, in microseconds; the parts add up to its latency. `connect` and
 * `tls` are 0 when the request went out on a connection that was already open.
 */
export interface Phases {
  /** Waiting for a connection: behind the user's other requests, or for one to open. Measured,
   * so 0 for a request that went out at once (#26). */
  readonly blocked: number;
  /** The client's own time: building and handing over the request, in the open model how late
   * the iteration started, between a redirect's hops, handing the response back. */
  readonly client: number;
  /** Opening the TCP connections, when the request opened any. */
  readonly connect: number;
  /** The TLS handshakes, when the request opened connections over TLS. */
  readonly tls: number;
  /** Sending the request and waiting for the first byte of the response (k6's sending + waiting). */
  readonly ttfb: number;
  /** From the first byte of the response to its last. */
  readonly receive: number;
  /** Connections the request opened: each hop of a redirect may open one (#26). */
  readonly newConnections: number;
}

/** Where an endpoint's time went, in a result: percentiles per phase (ms). */
export interface PhaseResult {
  /** Connections its requests opened. */
  readonly newConnections: number;
  /** Requests that waited for a connection (blocked > 0); absent from results before #26. */
  readonly waited?: number;
  /** Waiting for a connection (results before #26: whatever the other phases left). */
  readonly blockedMs: LatencyMs;
  /** The client's own time before each request was written and after its last byte; absent
   * from results before #26. */
  readonly clientMs?: LatencyMs;
  /** TCP connect, per connection opened. */
  readonly connectMs: LatencyMs;
  /** TLS handshake, per connection opened over TLS. */
  readonly tlsMs: LatencyMs;
  /** Sending the request and waiting for the first byte of the response. */
  readonly ttfbMs: LatencyMs;
  /** First byte of the response to the last. */
  readonly receiveMs: LatencyMs;
}

/** A phase record as a worker sends it. */
export interface PhaseWire {
  readonly newConnections: number;
  readonly waited: number;
  readonly blocked: LatencyWire;
  readonly client: LatencyWire;
  readonly connect: LatencyWire;
  readonly tls: LatencyWire;
  readonly ttfb: LatencyWire;
  readonly receive: LatencyWire;
}

const NAMES = ['blocked', 'client', 'connect', 'tls', 'ttfb', 'receive'] as const;

/**
 * One endpoint's phases: a record per phase at 2 significant digits (1% resolution is plenty to
 * tell a slow handshake from a slow server, and the histograms are a fraction of the size).
 */
const NEVER: LatencyMs = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };

export class PhaseRecord {
  newConnections = 0;
  waited = 0;
  readonly blocked = new LatencyRecord(2);
  readonly client = new LatencyRecord(2);
  readonly connect = new LatencyRecord(2);
  readonly tls = new LatencyRecord(2);
  readonly ttfb = new LatencyRecord(2);
  readonly receive = new LatencyRecord(2);

  get count(): number {
    return this.ttfb.count;
  }

  record(phases: Phases): void {
    this.blocked.record(phases.blocked);
    if (phases.blocked > 0) this.waited++;
    this.client.record(phases.client);
    this.ttfb.record(phases.ttfb);
    this.receive.record(phases.receive);
    const opened = phases.newConnections;
    if (opened > 0) {
      this.newConnections += opened;
      // Per connection: a request that opened several (a redirect's hops) counts each at their
      // mean, so connect and TLS stay figures per connection.
      for (let i = 0; i < opened; i++) {
        this.connect.record(phases.connect / opened);
        if (phases.tls > 0) this.tls.record(phases.tls / opened);
      }
    }
  }

  toWire(): PhaseWire {
    return {
      newConnections: this.newConnections,
      waited: this.waited,
      blocked: this.blocked.toWire(),
      client: this.client.toWire(),
      connect: this.connect.toWire(),
      tls: this.tls.toWire(),
      ttfb: this.ttfb.toWire(),
      receive: this.receive.toWire(),
    };
  }

  addWire(wire: PhaseWire): void {
    this.newConnections += wire.newConnections;
    this.waited += wire.waited;
    for (const name of NAMES) this[name].addWire(wire[name]);
  }

  clear(release: boolean): void {
    this.newConnections = 0;
    this.waited = 0;
    for (const name of NAMES) this[name].clear(release);
  }

  result(): PhaseResult {
    return {
      newConnections: this.newConnections,
      waited: this.waited,
      // No request waited: blocked is 0, not the histograms' 1 us floor (a wait that never was).
      blockedMs: this.waited === 0 ? NEVER : latencyMs(this.blocked.histogram),
      clientMs: latencyMs(this.client.histogram),
      connectMs: latencyMs(this.connect.histogram),
      tlsMs: latencyMs(this.tls.histogram),
      ttfbMs: latencyMs(this.ttfb.histogram),
      receiveMs: latencyMs(this.receive.histogram),
    };
  }
}
