import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { classifyError, type Failure, type Phases } from '../stats/index.js';
import type { Lease } from './connections.js';
import { ContentDecoder, codingsOf } from './content-decoder.js';
import type { HttpResponse } from './http-client.js';

/** Raw header lines (name, value, name, value...) as an object; repeated names become lists. */
function parseHeaders(raw: readonly Buffer[]): Record<string, string | string[]> {
  // No prototype: a header named constructor or __proto__ is a header like any other.
  const out: Record<string, string | string[]> = Object.create(null);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}

/**
 * One request and its response, as undici's dispatcher drives it: the body is collected here (its
 * first `maxBodyBytes` kept), without the stream and promise per chunk of `request()`, and the
 * headers and text are decoded only if a task reads them. A compressed body (gzip, deflate, br)
 * is undone as it arrives (issue 26, item 7).
 */
export class HttpExchange implements Dispatcher.DispatchHandler, HttpResponse {
  status = 0;
  /** The body's bytes as the task sees them: decoded. */
  bytes = 0;
  /** The body's bytes as they came over the connection (compressed, if it was). */
  wireBytes = 0;
  /** Time spent decoding after the last byte arrived, which is the client's, not the service's. */
  decodeMs = 0;
  latencyMs = 0;
  failure: Failure | undefined;
  #raw: Buffer[] | undefined;
  #headers: Record<string, string | string[] | undefined> | undefined;
  #chunks: Buffer[] = [];
  #kept = 0;
  #text: string | undefined;
  #done: ((exchange: HttpExchange) => void) | undefined;
  #lease: Lease | undefined;
  /** The codings to undo, from Content-Encoding; the decoder is made at the first byte. */
  #codings: string[] | undefined;
  #decoder: ContentDecoder | undefined;
  /** Set when the decoder is done: undefined while it runs, or the error that stopped it. */
  #decoded: { error: Error | undefined } | undefined;
  url = '';
  redirects = 0;
  /**
   * When the request was handed its connection, written, its first response byte arrived, and
   * its last (performance.now() ms).
   */
  leasedAt = 0;
  sentAt = 0;
  headersAt = 0;
  endedAt = 0;
  /** Waiting for its connection: behind another request, or for it to open (ms). */
  blockedMs = 0;
  connectMs = 0;
  tlsMs = 0;
  /** This request opened its connection (each hop of a redirect may open one). */
  newConnection = false;

  constructor(private readonly maxBodyBytes: number) {}

  /** Resolves when the response has ended or the request failed. */
  start(lease: Lease, options: Dispatcher.DispatchOptions): Promise<HttpExchange> {
    return new Promise((resolve) => {
      this.#done = resolve;
      this.#lease = lease;
      this.leasedAt = performance.now();
      lease.dispatcher.dispatch(options, this);
    });
  }

  #end(): void {
    this.#lease?.release();
    this.#lease = undefined;
    this.#done?.(this);
  }

  onConnect(): void {
    this.sentAt = performance.now();
    const lease = this.#lease;
    if (!lease) return;
    const times = lease.takeConnectTimes();
    if (times) {
      this.newConnection = true;
      this.connectMs = times.connectMs;
      this.tlsMs = times.tlsMs;
    }
    this.blockedMs = lease.waitedSince(this.leasedAt, times !== undefined);
  }

  onHeaders(statusCode: number, headers: Buffer[]): boolean {
    // 1xx (100 Continue, 103 Early Hints) is not the response: its headers are skipped.
    if (statusCode < 200) return true;
    this.headersAt = performance.now();
    this.status = statusCode;
    this.#raw = headers;
    const encoding = this.headerValues('content-encoding');
    this.#codings = encoding && codingsOf(encoding.join(','));
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.wireBytes += chunk.length;
    if (this.#codings) {
      this.#decoder ??= new ContentDecoder(
        this.#codings,
        (decoded) => this.#keep(decoded),
        (error) => this.#onDecoded(error),
      );
      this.#decoder.write(chunk);
    } else this.#keep(chunk);
    return true;
  }

  /** Counts body bytes as the task sees them and keeps the first `maxBodyBytes`. */
  #keep(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.#kept < this.maxBodyBytes) {
      const part =
        this.#kept + chunk.length > this.maxBodyBytes
          ? chunk.subarray(0, this.maxBodyBytes - this.#kept)
          : chunk;
      this.#chunks.push(part);
      this.#kept += part.length;
    }
  }

  onComplete(): void {
    this.endedAt = performance.now();
    if (this.status >= 400)
      this.failure = { kind: 'http', status: this.status, message: `HTTP ${this.status}` };
    if (this.#decoder && !this.#decoded) this.#decoder.end();
    else this.#finish();
  }

  #onDecoded(error: Error | undefined): void {
    this.#decoded = { error };
    // The decoder may stop on a bad byte before the body has all arrived: the end waits for both.
    if (this.endedAt !== 0) this.#finish();
  }

  /** The response has arrived and, if compressed, been decoded. */
  #finish(): void {
    if (this.#decoded) {
      this.decodeMs = Math.max(performance.now() - this.endedAt, 0);
      const error = this.#decoded.error;
      if (error && !this.failure)
        this.failure = {
          kind: 'other',
          status: this.status,
          message: `the ${this.#codings?.join(', ')} body could not be decoded: ${error.message}`,
        };
    }
    this.#end();
  }

  onError(error: Error): void {
    this.#decoder?.cancel();
    this.#decoder = undefined;
    this.status = 0;
    this.#raw = undefined;
    this.#chunks = [];
    this.#kept = 0;
    this.bytes = 0;
    this.wireBytes = 0;
    this.failure = classifyError(error);
    this.#end();
  }

  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    this.#headers ??= this.#raw ? parseHeaders(this.#raw) : NO_HEADERS;
    return this.#headers;
  }

  get text(): string {
    if (this.#text === undefined) {
      const chunks = this.#chunks;
      this.#text =
        chunks.length === 0
          ? ''
          : chunks.length === 1
            ? (chunks[0] as Buffer).toString()
            : Buffer.concat(chunks).toString();
    }
    return this.#text;
  }

  get truncated(): boolean {
    return this.bytes > this.#kept;
  }

  get ok(): boolean {
    return this.failure === undefined;
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }

  /** The response as plain data (JSON.stringify, logging), its getters included. */
  toJSON(): Omit<HttpResponse, 'json'> {
    const { status, headers, text, truncated, bytes, wireBytes, latencyMs, url, redirects } = this;
    const { failure, ok } = this;
    return {
      status,
      headers,
      text,
      truncated,
      bytes,
      wireBytes,
      latencyMs,
      url,
      redirects,
      failure,
      ok,
    };
  }

  /**
   * Every value of one header (lower-case name), read from the raw lines without decoding the
   * rest: the client looks for Set-Cookie in every response.
   */
  headerValues(name: string): string[] | undefined {
    const raw = this.#raw;
    if (!raw) return undefined;
    let out: string[] | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i] as Buffer;
      if (key.length === name.length && key.toString('latin1').toLowerCase() === name)
        out = [...(out ?? []), (raw[i + 1] as Buffer).toString('latin1')];
    }
    return out;
  }
}

const NO_HEADERS = Object.freeze({});

/**
 * A request's time split into phases (microseconds) that add up to its latency, each measured
 * (#26): per hop, waiting for a connection, opening one, the server's first byte and the body; the
 * client's own time is the rest of each hop before it was written (building it, cookies, the
 * open model's late start, the way from the previous hop) and handing the response back. Every
 * connection a hop opened counts, so a redirect chain over `Connection: close` counts each one.
 */
export function phasesOf(
  hops: readonly HttpExchange[],
  startedAt: number,
  latencyMs: number,
): Phases {
  let blocked = 0;
  let client = 0;
  let connect = 0;
  let tls = 0;
  let ttfb = 0;
  let receive = 0;
  let newConnections = 0;
  let before = startedAt;
  for (const hop of hops) {
    blocked += hop.blockedMs;
    connect += hop.connectMs;
    tls += hop.tlsMs;
    client += Math.max(hop.sentAt - before - hop.blockedMs - hop.connectMs - hop.tlsMs, 0);
    ttfb += hop.headersAt - hop.sentAt;
    receive += hop.endedAt - hop.headersAt;
    if (hop.newConnection) newConnections++;
    before = hop.endedAt;
  }
  client += Math.max(startedAt + latencyMs - before, 0);
  return {
    blocked: blocked * 1000,
    client: client * 1000,
    connect: connect * 1000,
    tls: tls * 1000,
    ttfb: ttfb * 1000,
    receive: receive * 1000,
    newConnections,
  };
}
