import type { Phases } from '../stats/index.js';
import { type HeaderValue, mergeHeaders, QUICK_HEADERS } from './default-headers.js';

/** The one request quick mode sends over and over. */
export interface QuickRequest {
  readonly url: string;
  /** @default 'GET' */
  readonly method?: string;
  /** Over `QUICK_HEADERS`; `null` sends none of that name. */
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  readonly body?: string;
}

/** The parts of the request both protocols send: method, path, headers (lower case), body. */
export function requestParts(request: QuickRequest) {
  const url = new URL(request.url);
  const method = (request.method ?? 'GET').toUpperCase();
  const path = (url.pathname || '/') + url.search;
  const headers: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries(mergeHeaders(QUICK_HEADERS, request.headers)))
    headers[k.toLowerCase()] = v;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  if (body) {
    headers['content-length'] = String(body.length);
    headers['content-type'] ??=
      body[0] === 0x7b || body[0] === 0x5b ? 'application/json' : 'text/plain';
  }
  return { url, method, path, headers, body };
}

/** When a quick-mode request's moments happened (performance.now() ms). */
export interface RequestTimes {
  /** Measured from here: the intended start (open model) or when it was sent. */
  readonly started: number;
  /** When it was handed to its connection. */
  readonly sentAt: number;
  readonly firstByte: number;
  readonly end: number;
  /** Whether this request opened its connection. */
  readonly opened: boolean;
  /** When its connection's TCP connect and TLS handshake ended (0 for none). */
  readonly connected: number;
  readonly secured: number;
}

/**
 * A request's time split where it went, the parts adding up to `end - started` (microseconds).
 * The request that opened its connection is charged the handshakes; one handed to a connection
 * still opening waited for it (blocked) and went out when it was ready. An open-model iteration
 * that started late against its schedule is the client's time, not a wait for a connection.
 */
export function splitPhases(t: RequestTimes): Phases {
  const ready = t.secured || t.connected || t.sentAt;
  const receive = (t.end - t.firstByte) * 1000;
  const client = (t.sentAt - t.started) * 1000;
  if (!t.opened) {
    const sent = Math.max(t.sentAt, ready);
    return {
      blocked: (sent - t.sentAt) * 1000,
      client,
      connect: 0,
      tls: 0,
      ttfb: (t.firstByte - sent) * 1000,
      receive,
      newConnections: 0,
    };
  }
  return {
    blocked: 0,
    client,
    connect: (t.connected - t.sentAt) * 1000,
    tls: t.secured ? (t.secured - t.connected) * 1000 : 0,
    ttfb: (t.firstByte - ready) * 1000,
    receive,
    newConnections: 1,
  };
}
