import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { classifyError, type Failure, type Phases, type RequestSink } from '../stats/index.js';
import { type ClientConfig, tlsOptions } from '../util/client-config.js';
import type { LoadTarget } from './load-target.js';
import type { ExchangeOwner, QuickExchange } from './quick-exchange.js';
import { H2Connections } from './quick-h2.js';
import { type QuickRequest, requestParts, splitPhases } from './quick-request.js';

export type { QuickRequest };

export interface QuickRunnerOptions extends QuickRequest {
  readonly sink: RequestSink;
  /** Open model: the most connections at once. */
  readonly maxConnections?: number;
  /** Milliseconds without a byte before a request times out. @default 30000 */
  readonly timeoutMs?: number;
  /** TLS trust, client certificate and protocol. */
  readonly client?: ClientConfig;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Whether the line at `at` starts with `name` (lower case), ignoring case. */
function startsWith(buf: Buffer, at: number, eol: number, name: string): boolean {
  if (eol - at < name.length) return false;
  for (let k = 0; k < name.length; k++) {
    if (((buf[at + k] as number) | 0x20) !== name.charCodeAt(k)) return false;
  }
  return true;
}
const RETRY_MS = 50;

/** The request's bytes, built once and written as they are for every request. */
export function encodeRequest(request: QuickRequest): { bytes: Buffer; url: URL; name: string } {
  const { url, method, path, headers, body } = requestParts(request);
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  const bytes = body
    ? Buffer.concat([Buffer.from(head, 'latin1'), body])
    : Buffer.from(head, 'latin1');
  return { bytes, url, name: url.pathname || '/' };
}

enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

/**
 * One keep-alive connection sending one request at a time and reading the reply with a small
 * HTTP/1.1 parser that counts body bytes without keeping them: quick mode's hot loop.
 */
class Connection implements QuickExchange {
  socket: net.Socket | undefined;
  busy = false;
  looping = false;
  /** When the request was due (its latency counts from here) and when it was written. */
  private started = 0;
  private sentAt = 0;
  /** Whether this request opened the connection, and when the TCP and TLS handshakes ended. */
  private opened = false;
  private connected = 0;
  private secured = 0;
  private firstByte = 0;
  private head: Buffer | undefined;
  private status = 0;
  private bodyKind = Body.None;
  private remaining = 0;
  private bytes = 0;
  private closeAfter = false;
  private chunkState = 0; // 0 size line, 1 data, 2 data CRLF, 3 trailer
  private line = '';
  private inHead = true;

  constructor(private readonly runner: QuickRunner) {}

  connect(): void {
    const { url } = this.runner;
    this.connected = 0;
    this.secured = 0;
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket =
      url.protocol === 'https:'
        ? tls.connect({ host, port, ...tlsOptions(this.runner.client, host) })
        : net.connect({
            host,
            port,
            // Every read lands in one shared buffer and is parsed before the next read, so a
            // request allocates no read buffer of its own: fewer garbage collections, which
            // are what makes an open-model schedule late.
            onread: { buffer: READ_BUFFER, callback: (n: number) => this.onRead(n) },
          });
    socket.setNoDelay(true);
    socket.setTimeout(this.runner.timeoutMs);
    socket.once('connect', () => {
      this.connected = performance.now();
    });
    if (url.protocol === 'https:') {
      socket.once('secureConnect', () => {
        this.secured = performance.now();
      });
      socket.on('data', (data: Buffer) => this.onData(data));
    }
    socket.on('timeout', () =>
      this.fail({ kind: 'timeout', message: `no byte for ${this.runner.timeoutMs} ms` }),
    );
    socket.on('error', (error) => this.fail(classifyError(error)));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.busy && this.bodyKind === Body.UntilClose && !this.inHead) this.finish();
      else if (this.busy)
        this.fail({ kind: 'reset', message: 'ECONNRESET: the server closed the connection' });
    });
    this.socket = socket;
  }

  send(started: number, now: number): void {
    this.opened = !this.socket;
    if (this.opened) this.connect();
    this.busy = true;
    this.started = started;
    this.sentAt = now;
    this.inHead = true;
    this.head = undefined;
    this.bytes = 0;
    this.socket!.write(this.runner.request);
  }

  private fail(failure: Failure): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    if (this.busy) {
      this.busy = false;
      const end = performance.now();
      // A reply cut off after its head still says where the time went until then.
      const phases = this.inHead ? undefined : this.phases(end);
      this.runner.done(this, end - this.started, this.bytes, failure, phases);
    }
  }

  private finish(): void {
    this.busy = false;
    const failure: Failure | undefined =
      this.status >= 400
        ? { kind: 'http', status: this.status, message: `HTTP ${this.status}` }
        : undefined;
    if (this.closeAfter) {
      const socket = this.socket;
      this.socket = undefined;
      socket?.destroy();
    }
    const end = performance.now();
    this.runner.done(this, end - this.started, this.bytes, failure, this.phases(end));
  }

  /** The request's time from `started` to `end`, split where it went (`splitPhases`). */
  private phases(end: number): Phases {
    const { started, sentAt, firstByte, opened, connected, secured } = this;
    return splitPhases({ started, sentAt, firstByte, end, opened, connected, secured });
  }

  private onRead(bytes: number): boolean {
    this.onData(READ_BUFFER.subarray(0, bytes));
    return true;
  }

  private onData(data: Buffer): void {
    if (!this.busy) return; // bytes nobody asked for; ignore
    if (this.inHead && !this.head) this.firstByte = performance.now();
    if (!this.inHead) {
      this.bytes += data.length;
      this.readBody(data, 0);
      return;
    }
    const buffer = this.head ? Buffer.concat([this.head, data]) : data;
    const end = buffer.indexOf(CRLF2);
    if (end === -1) {
      if (buffer.length > 65536) this.fail({ kind: 'other', message: 'response head over 64 KiB' });
      // A copy: the shared read buffer is overwritten by the next read.
      else this.head = Buffer.from(buffer);
      return;
    }
    this.parseHead(buffer, end);
    this.inHead = false;
    this.head = undefined;
    this.bytes = buffer.length;
    this.readBody(buffer, end + 4);
  }

  /** Reads the status and the three headers that frame the body, byte by byte (no strings). */
  private parseHead(buf: Buffer, end: number): void {
    const d = (i: number) => (buf[i] as number) - 48;
    this.status = d(9) * 100 + d(10) * 10 + d(11);
    if (!(this.status >= 100 && this.status <= 999)) this.status = 0;
    let length = -1;
    let chunked = false;
    let close = false;
    let at = buf.indexOf(CRLF, 0) + 2;
    while (at > 1 && at < end) {
      let eol = buf.indexOf(CRLF, at);
      if (eol === -1 || eol > end) eol = end;
      const first = (buf[at] as number) | 0x20;
      if (first === 0x63 && startsWith(buf, at, eol, 'content-length:')) {
        length = 0;
        for (let i = at + 15; i < eol; i++) {
          const c = buf[i] as number;
          if (c >= 48 && c <= 57) length = length * 10 + c - 48;
        }
      } else if (first === 0x63 && startsWith(buf, at, eol, 'connection:')) {
        close = buf
          .toString('latin1', at + 11, eol)
          .toLowerCase()
          .includes('close');
      } else if (first === 0x74 && startsWith(buf, at, eol, 'transfer-encoding:')) {
        chunked = buf
          .toString('latin1', at + 18, eol)
          .toLowerCase()
          .includes('chunked');
      }
      at = eol + 2;
    }
    this.closeAfter = close;
    if (
      this.runner.isHead ||
      this.status === 204 ||
      this.status === 304 ||
      (this.status >= 100 && this.status < 200)
    ) {
      this.bodyKind = Body.None;
    } else if (chunked) {
      this.bodyKind = Body.Chunked;
      this.chunkState = 0;
      this.line = '';
    } else if (length >= 0) {
      this.bodyKind = Body.Length;
      this.remaining = length;
    } else {
      this.bodyKind = Body.UntilClose;
      this.closeAfter = true;
    }
  }

  private readBody(data: Buffer, offset: number): void {
    switch (this.bodyKind) {
      case Body.None:
        this.finish();
        return;
      case Body.UntilClose:
        return;
      case Body.Length:
        this.remaining -= data.length - offset;
        if (this.remaining <= 0) this.finish();
        return;
      case Body.Chunked:
        this.readChunked(data, offset);
    }
  }

  private readChunked(data: Buffer, offset: number): void {
    let i = offset;
    while (i < data.length) {
      if (this.chunkState === 1) {
        const take = Math.min(this.remaining, data.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) {
          this.chunkState = 2;
          this.remaining = 2;
        }
      } else if (this.chunkState === 2) {
        const take = Math.min(this.remaining, data.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.chunkState = 0;
      } else {
        const nl = data.indexOf(10, i);
        if (nl === -1) {
          this.line += data.toString('latin1', i, data.length);
          return;
        }
        const line = (this.line + data.toString('latin1', i, nl)).trim();
        this.line = '';
        i = nl + 1;
        if (this.chunkState === 3) {
          if (line === '') {
            this.finish();
            return;
          }
        } else {
          const size = Number.parseInt(line, 16);
          if (!Number.isFinite(size)) {
            this.fail({ kind: 'other', message: `bad chunk size '${line.slice(0, 20)}'` });
            return;
          }
          if (size === 0) this.chunkState = 3;
          else {
            this.chunkState = 1;
            this.remaining = size;
          }
        }
      }
    }
  }

  destroy(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.busy = false;
    socket?.destroy();
  }
}

/**
 * Quick mode: hammers one URL over raw keep-alive sockets, one request in flight per connection,
 * as autocannon and wrk do; or over HTTP/2, `streams` in flight per connection, as h2load does.
 * Users are connections.
 */
export class QuickRunner implements LoadTarget, ExchangeOwner {
  readonly url: URL;
  readonly request: Buffer;
  readonly name: string;
  readonly method: string;
  readonly isHead: boolean;
  readonly timeoutMs: number;
  readonly client: ClientConfig | undefined;
  /** Exchanges per connection: HTTP/2's streams, else 1. */
  private readonly perConnection: number;
  private readonly h2: H2Connections | undefined;
  private readonly active: QuickExchange[] = [];
  private readonly idle: QuickExchange[] = [];
  /** Open model: every exchange made, busy or idle, so that stop reaches the busy ones too. */
  private readonly allocated: QuickExchange[] = [];
  private stopping = false;
  private recording = true;
  private drained: (() => void) | undefined;
  private busyCount = 0;
  private readonly retrying = new Set<NodeJS.Timeout>();
  private settled: (() => void) | undefined;

  constructor(private readonly options: QuickRunnerOptions) {
    const { bytes, url, name } = encodeRequest(options);
    this.url = url;
    this.request = bytes;
    this.name = name;
    this.method = (options.method ?? 'GET').toUpperCase();
    this.isHead = this.method === 'HEAD';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.client = options.client;
    this.perConnection = options.client?.http2 ? (options.client.streams ?? 1) : 1;
    this.h2 = options.client?.http2
      ? new H2Connections(this, options, this.perConnection)
      : undefined;
  }

  get users(): number {
    return Math.ceil((this.active.length + this.allocated.length) / this.perConnection);
  }

  private exchange(): QuickExchange {
    return this.h2 ? this.h2.stream() : new Connection(this);
  }

  setUsers(count: number): void {
    if (this.stopping) return;
    while (this.active.length < count * this.perConnection) {
      const connection = this.exchange();
      connection.looping = true;
      this.active.push(connection);
      this.start(connection, performance.now());
    }
    while (this.active.length > count * this.perConnection) {
      const connection = this.active.pop() as QuickExchange;
      connection.looping = false;
      if (connection.busy) this.busyCount--;
      connection.destroy();
    }
  }

  private start(connection: QuickExchange, started: number, now = started): void {
    this.busyCount++;
    connection.send(started, now);
  }

  startIteration(intended: number, now = performance.now()): boolean {
    if (this.stopping) return false;
    let connection = this.idle.pop();
    if (!connection) {
      const most = (this.options.maxConnections ?? Number.POSITIVE_INFINITY) * this.perConnection;
      if (this.allocated.length >= most) return false;
      connection = this.exchange();
      this.allocated.push(connection);
    }
    this.start(connection, intended, now);
    return true;
  }

  onSettled(callback: (() => void) | undefined): void {
    this.settled = callback;
  }

  /** A request ended: record it, then send the next (closed) or park the connection (open). */
  done(
    connection: QuickExchange,
    ms: number,
    bytes: number,
    failure: Failure | undefined,
    phases: Phases | undefined,
  ): void {
    this.busyCount--;
    if (this.recording)
      this.options.sink.record(this.method, this.name, ms * 1000, bytes, failure, phases);
    if (this.stopping) {
      connection.destroy();
      if (this.busyCount === 0) this.drained?.();
      return;
    }
    if (!connection.looping) {
      this.idle.push(connection);
      this.settled?.();
      return;
    }
    // Back off after a connection-level failure so a dead server is not hammered in a hot loop.
    if (failure && failure.kind !== 'http') {
      const timer = setTimeout(() => {
        this.retrying.delete(timer);
        if (!this.stopping && connection.looping) this.start(connection, performance.now());
      }, RETRY_MS);
      this.retrying.add(timer);
    } else this.start(connection, performance.now());
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.retrying) clearTimeout(timer);
    if (this.busyCount > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.recording = false;
    for (const connection of [...this.active, ...this.allocated]) connection.destroy();
    this.active.length = 0;
    this.idle.length = 0;
    this.allocated.length = 0;
  }
}
