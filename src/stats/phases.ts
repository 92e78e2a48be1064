import { type LatencyMs, latencyMs } from './histogram.js';
import { LatencyRecord, type LatencyWire } from './latency-record.js';

/**
 * Where a request's time went, in microseconds; the parts add up to its latency. `connect` and
 * `tls` are 0 when the request went out on a connection that was already open.
 */
export interface Phases {
  /** Before the request went out: waiting for a free connection and, in the open model, how
   * late the iteration started against its schedule. */
  readonly blocked: number;
  /** Opening the TCP connection, when the request opened one. */
  readonly connect: number;
  /** The TLS handshake, when the request opened a connection over TLS. */
  readonly tls: number;
  /** Sending the request and waiting for the first byte of the response (k6's sending + waiting). */
  readonly ttfb: number;
  /** From the first byte of the response to its last. */
  readonly receive: number;
  /** Whether the request opened a new connection (counted in the time series). */
  readonly newConnection: boolean;
}

/** Where an endpoint's time went, in a result: percentiles per phase (ms). */
export interface PhaseResult {
  /** Connections its requests opened. */
  readonly newConnections: number;
  /** Waiting before the request went out (a free connection; the open model's lateness). */
  readonly blockedMs: LatencyMs;
  /** TCP connect, over the requests that opened a connection only. */
  readonly connectMs: LatencyMs;
  /** TLS handshake, over the requests that opened a connection over TLS only. */
  readonly tlsMs: LatencyMs;
  /** Sending the request and waiting for the first byte of the response. */
  readonly ttfbMs: LatencyMs;
  /** First byte of the response to the last. */
  readonly receiveMs: LatencyMs;
}

/** A phase record as a worker sends it. */
export interface PhaseWire {
  readonly newConnections: number;
  readonly blocked: LatencyWire;
  readonly connect: LatencyWire;
  readonly tls: LatencyWire;
  readonly ttfb: LatencyWire;
  readonly receive: LatencyWire;
}

const NAMES = ['blocked', 'connect', 'tls', 'ttfb', 'receive'] as const;

/**
 * One endpoint's phases: a record per phase at 2 significant digits (1% resolution is plenty to
 * tell a slow handshake from a slow server, and the histograms are a fraction of the size).
 */
export class PhaseRecord {
  newConnections = 0;
  readonly blocked = new LatencyRecord(2);
  readonly connect = new LatencyRecord(2);
  readonly tls = new LatencyRecord(2);
  readonly ttfb = new LatencyRecord(2);
  readonly receive = new LatencyRecord(2);

  get count(): number {
    return this.ttfb.count;
  }

  record(phases: Phases): void {
    this.blocked.record(phases.blocked);
    this.ttfb.record(phases.ttfb);
    this.receive.record(phases.receive);
    if (phases.newConnection) {
      this.newConnections++;
      this.connect.record(phases.connect);
      if (phases.tls > 0) this.tls.record(phases.tls);
    }
  }

  toWire(): PhaseWire {
    return {
      newConnections: this.newConnections,
      blocked: this.blocked.toWire(),
      connect: this.connect.toWire(),
      tls: this.tls.toWire(),
      ttfb: this.ttfb.toWire(),
      receive: this.receive.toWire(),
    };
  }

  addWire(wire: PhaseWire): void {
    this.newConnections += wire.newConnections;
    for (const name of NAMES) this[name].addWire(wire[name]);
  }

  clear(release: boolean): void {
    this.newConnections = 0;
    for (const name of NAMES) this[name].clear(release);
  }

  result(): PhaseResult {
    return {
      newConnections: this.newConnections,
      blockedMs: latencyMs(this.blocked.histogram),
      connectMs: latencyMs(this.connect.histogram),
      tlsMs: latencyMs(this.tls.histogram),
      ttfbMs: latencyMs(this.ttfb.histogram),
      receiveMs: latencyMs(this.receive.histogram),
    };
  }
}
