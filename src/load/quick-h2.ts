import http2, {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type ClientSessionRequestOptions,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { classifyError, type Failure, type Phases } from '../stats/index.js';
import { tlsOptions } from '../util/client-config.js';
import type { ExchangeOwner, QuickExchange } from './quick-exchange.js';
import { type QuickRequest, requestParts, splitPhases } from './quick-request.js';

const { NGHTTP2_CANCEL } = http2.constants;

/** Headers HTTP/2 forbids (RFC 9113, 8.2.2); `host` travels as `:authority`. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** The request as HTTP/2 sends it, built once: the same method, path and headers as HTTP/1.1. */
export function encodeH2Request(request: QuickRequest): {
  headers: OutgoingHttpHeaders;
  body: Buffer | undefined;
} {
  const { url, method, path, headers, body } = requestParts(request);
  const h2: OutgoingHttpHeaders = {
    ':method': method,
    ':path': path,
    ':scheme': url.protocol.slice(0, -1),
    ':authority': headers.host,
  };
  for (const [name, value] of Object.entries(headers)) {
    if (CONNECTION_HEADERS.has(name) || (name === 'te' && value !== 'trailers')) continue;
    h2[name] = value;
  }
  return { headers: h2, body };
}

/** A TLS server that will not speak HTTP/2: said plainly, rather than as a protocol error. */
const noH2 = (answer: string): Failure => ({
  kind: 'tls',
  message: `the server does not speak HTTP/2 over TLS (asked for ALPN h2, it ${answer}); drop --http2`,
});

/** The error behind a request cancelled because its session died (its cause), else the error. */
function rootError(error: unknown): NodeJS.ErrnoException {
  const err = error as NodeJS.ErrnoException & { cause?: unknown };
  return err?.code === 'ERR_HTTP2_STREAM_CANCEL' && err.cause ? rootError(err.cause) : err;
}

/** What an error of a session, or of a request on it, counts as. */
function h2Failure(error: unknown): Failure {
  const err = rootError(error);
  if (err?.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') return noH2('refused it');
  // A stream or session the server reset (RST_STREAM, GOAWAY with an error): HTTP/2's reset.
  if (err?.code === 'ERR_HTTP2_STREAM_ERROR' || err?.code === 'ERR_HTTP2_SESSION_ERROR')
    return { kind: 'reset', message: `${err.code}: ${err.message}` };
  return classifyError(err);
}

/** One TCP (and TLS) connection and the session on it, with when its handshakes ended. */
class Dial {
  readonly session: ClientHttp2Session;
  connected = 0;
  secured = 0;
  /** Whether a request went out on it: the first one is charged the connect and handshake. */
  used = false;
  /** What ended the session, for every request it takes down with it. */
  failure: Failure | undefined;
  /** Whether the server's SETTINGS came: it speaks HTTP/2. */
  private spoken = false;

  constructor(owner: H2Connection) {
    const { url, client } = owner.pool.runner;
    const https = url.protocol === 'https:';
    const port = Number(url.port) || (https ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let socket: net.Socket | undefined;
    // Our own socket, so the TCP and TLS handshakes can be timed apart.
    const createConnection = () => {
      socket = https
        ? tls.connect({ host, port, ...tlsOptions(client, host), ALPNProtocols: ['h2'] })
        : net.connect({ host, port });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        this.connected = performance.now();
      });
      if (https)
        socket.once('secureConnect', () => {
          this.secured = performance.now();
        });
      return socket;
    };
    const session = http2.connect(url.origin, { createConnection });
    this.session = session;
    session.once('connect', () => {
      // A server that offers no ALPN at all would otherwise answer the preface with HTTP/1.1.
      const alpn = https ? (socket as tls.TLSSocket).alpnProtocol : 'h2';
      if (alpn !== 'h2') this.end(noH2(alpn ? `chose ${alpn}` : 'offered none'));
    });
    session.once('remoteSettings', () => {
      this.spoken = true;
    });
    session.on('error', (error) => {
      this.failure ??= this.failureOf(error);
    });
    // After a GOAWAY the session finishes the requests it has; new ones go to a new connection.
    session.once('goaway', () => owner.retire(this));
    session.once('close', () => owner.retire(this));
  }

  /** What an error on this session, or on a request on it, counts as. */
  failureOf(error: unknown): Failure {
    const err = rootError(error);
    // An HTTP/1.1 server answers the HTTP/2 preface with a 400, which reads as a protocol error.
    if (!this.spoken && err?.code === 'ERR_HTTP2_ERROR')
      return {
        kind: 'other',
        message: `the server does not speak HTTP/2 with prior knowledge (h2c): ${err.message}; drop --http2`,
      };
    return h2Failure(err);
  }

  /** Ends the session; its requests fail with `failure`. */
  end(failure: Failure): void {
    this.failure ??= failure;
    this.session.destroy();
  }
}

/** One HTTP/2 connection (a user, `-c`): the places for its streams share its session. */
class H2Connection {
  private current: Dial | undefined;
  /** Places sending on it; the session closes when the last one goes. */
  places = 0;

  constructor(readonly pool: H2Connections) {}

  /** The session to send on: the open one, else a new one. */
  dial(): Dial {
    const current = this.current;
    if (current && !current.session.closed && !current.session.destroyed) return current;
    this.current = new Dial(this);
    return this.current;
  }

  retire(dial: Dial): void {
    if (this.current === dial) this.current = undefined;
  }

  release(): void {
    if (--this.places > 0) return;
    const dial = this.current;
    this.current = undefined;
    dial?.session.destroy();
  }
}

type StreamListener<A extends unknown[] = []> = (this: ClientHttp2Stream, ...args: A) => void;

/**
 * The place of one stream on a connection: one request at a time, as an HTTP/1.1 connection
 * has, so QuickRunner drives both alike; `streams` places share a connection.
 */
class H2Stream implements QuickExchange {
  busy = false;
  looping = false;
  private attached = false;
  private stream: ClientHttp2Stream | undefined;
  private dial: Dial | undefined;
  /** When the request was due (its latency counts from here) and when it was sent. */
  private started = 0;
  private sentAt = 0;
  private opened = false;
  private firstByte = 0;
  private status = 0;
  private bytes = 0;
  // Made once per place, not per request; each ignores a late event of an earlier stream.
  private readonly onResponse: StreamListener<[IncomingHttpHeaders]>;
  private readonly onData: StreamListener<[Buffer]>;
  private readonly onEnd: StreamListener;
  private readonly onError: StreamListener<[Error]>;
  private readonly onClose: StreamListener;
  private readonly onTimeout: StreamListener;

  constructor(private readonly connection: H2Connection) {
    const place = this;
    this.onResponse = function (headers) {
      if (this !== place.stream) return;
      place.firstByte = performance.now();
      place.status = Number(headers[':status']);
    };
    this.onData = function (chunk) {
      if (this === place.stream) place.bytes += chunk.length;
    };
    this.onEnd = function () {
      if (this === place.stream) place.finish();
    };
    this.onError = function (error) {
      const dial = place.dial as Dial;
      if (this === place.stream) place.fail(dial.failure ?? dial.failureOf(error));
    };
    this.onClose = function () {
      if (this !== place.stream) return;
      const code = this.rstCode;
      place.fail(
        place.dial?.failure ??
          (code
            ? { kind: 'reset', message: `the server reset the stream (HTTP/2 error ${code})` }
            : { kind: 'reset', message: 'ECONNRESET: the server closed the connection' }),
      );
    };
    // As over HTTP/1.1, a silent request ends its connection: a hung server is dialled afresh.
    this.onTimeout = function () {
      if (this !== place.stream) return;
      const ms = place.connection.pool.runner.timeoutMs;
      const failure: Failure = { kind: 'timeout', message: `no byte for ${ms} ms` };
      const dial = place.dial;
      place.fail(failure);
      dial?.end(failure);
    };
  }

  send(started: number, now: number): void {
    const { connection } = this;
    if (!this.attached) {
      this.attached = true;
      connection.places++;
    }
    this.busy = true;
    this.started = started;
    this.sentAt = now;
    this.firstByte = 0;
    this.status = 0;
    this.bytes = 0;
    const stream = this.request(connection.dial());
    if (!stream) return;
    this.stream = stream;
    stream.on('response', this.onResponse);
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
    stream.setTimeout(connection.pool.runner.timeoutMs, this.onTimeout);
    const { body } = connection.pool;
    if (body) stream.end(body);
  }

  /**
   * A stream on `dial`, or on a new connection when that session refuses new streams (it is
   * closing, or has used up its stream ids); undefined, and the request failed soon, if both do.
   */
  private request(dial: Dial): ClientHttp2Stream | undefined {
    const { pool } = this.connection;
    for (let attempt = 0; ; attempt++) {
      this.opened = !dial.used;
      dial.used = true;
      this.dial = dial;
      try {
        return dial.session.request(pool.headers, pool.requestOptions);
      } catch (error) {
        this.connection.retire(dial);
        dial.session.close();
        if (attempt === 1) {
          // Failed on the next turn, as a socket error would be, not inside the caller's loop.
          process.nextTick(() => {
            if (this.dial === dial && !this.stream) this.fail(h2Failure(error));
          });
          return undefined;
        }
        dial = this.connection.dial();
      }
    }
  }

  private finish(): void {
    if (!this.firstByte) {
      // Its session went down (the stream ends as it is destroyed), or the server ended it.
      this.fail(
        this.dial?.failure ?? { kind: 'reset', message: 'the stream ended without a response' },
      );
      return;
    }
    const end = performance.now();
    this.stream = undefined;
    this.busy = false;
    const { status } = this;
    const failure: Failure | undefined =
      status >= 400 ? { kind: 'http', status, message: `HTTP ${status}` } : undefined;
    this.connection.pool.runner.done(
      this,
      end - this.started,
      this.bytes,
      failure,
      this.phases(end),
    );
  }

  private fail(failure: Failure): void {
    if (!this.busy) return;
    this.stream = undefined;
    this.busy = false;
    const end = performance.now();
    // A response cut off after its headers still says where the time went until then.
    const phases = this.firstByte ? this.phases(end) : undefined;
    this.connection.pool.runner.done(this, end - this.started, this.bytes, failure, phases);
  }

  /** The request's time from `started` to `end`, split where it went (`splitPhases`). */
  private phases(end: number): Phases {
    const { started, sentAt, firstByte, opened } = this;
    const dial = this.dial as Dial;
    return splitPhases({
      started,
      sentAt,
      firstByte,
      end,
      opened,
      connected: dial.connected,
      secured: dial.secured,
    });
  }

  destroy(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.busy = false;
    if (stream && !stream.destroyed) stream.close(NGHTTP2_CANCEL);
    if (this.attached) {
      this.attached = false;
      this.connection.release();
    }
  }
}

/**
 * Quick mode over HTTP/2 (h2load's -c and -m): hands QuickRunner one place per stream, `streams`
 * to a connection, each connection one session: ALPN h2 over TLS, prior knowledge (h2c) over
 * plain text.
 */
export class H2Connections {
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
  readonly requestOptions: ClientSessionRequestOptions;
  private filling: H2Connection | undefined;
  private placed = 0;

  constructor(
    readonly runner: ExchangeOwner,
    request: QuickRequest,
    private readonly streams: number,
  ) {
    const { headers, body } = encodeH2Request(request);
    this.headers = headers;
    this.body = body;
    this.requestOptions = { endStream: body === undefined };
  }

  /** A place for one more stream: on the newest connection while it has room, else a new one. */
  stream(): QuickExchange {
    if (!this.filling || this.placed === this.streams) {
      this.filling = new H2Connection(this);
      this.placed = 0;
    }
    this.placed++;
    return new H2Stream(this.filling);
  }
}
