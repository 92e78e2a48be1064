import { performance } from 'node:perf_hooks';
import { CookieJar } from 'tough-cookie';
import type { Dispatcher } from 'undici';
import { classifyError, type Failure, type Phases, type RequestSink } from '../stats/index.js';
import type { Connections, Lease } from './connections.js';
import { templatePath } from './request-name.js';

/** What a check returns: true accepts, false or a string (the reason) fails, nothing keeps the default. */
// biome-ignore lint/suspicious/noConfusingVoidType: a check written as a block that returns nothing is typed void
export type CheckResult = boolean | string | undefined | void;

export interface RequestOptions {
  /**
   * Groups requests in the statistics. @default the path without its query, with ids replaced
   * (`/item/123` is `/item/:id`; see `templatePath`), or as it is with `rawNames`
   */
  readonly name?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON with `content-type: application/json` (also on GET, as the seed does). */
  readonly json?: unknown;
  readonly body?: string | Uint8Array;
  /** Added to the path as a query string. */
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  /** Milliseconds to wait for the headers, and for each gap in the body. @default 30000 */
  readonly timeout?: number;
  /**
   * Follow redirects (301, 302, 303, 307, 308) up to the client's limit (10 unless
   * `--max-redirects`); `false` returns the 3xx as it is. @default true
   */
  readonly redirect?: boolean;
  /**
   * Judges the response, as Locust's `catch_response`: return `true` to accept (even a 404),
   * `false` or a reason to fail it. Without a check, a status >= 400 fails.
   */
  readonly check?: (response: HttpResponse) => CheckResult;
}

export interface HttpResponse {
  /** 0 when no response arrived (refused, reset, timed out). */
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text (its first `maxBodyBytes`). */
  readonly text: string;
  /** True when the body was longer than `maxBodyBytes` and only its start was kept. */
  readonly truncated: boolean;
  readonly bytes: number;
  readonly latencyMs: number;
  /** The URL the response came from: the last one of a redirect chain. */
  readonly url: string;
  /** Redirects followed to get here. */
  readonly redirects: number;
  /** Why the request counted as failed, if it did. */
  readonly failure?: Failure;
  readonly ok: boolean;
  /** The body parsed as JSON. @throws SyntaxError when it is not JSON */
  json<T = unknown>(): T;
}

export interface HttpClient {
  get(path: string, options?: RequestOptions): Promise<HttpResponse>;
  post(path: string, options?: RequestOptions): Promise<HttpResponse>;
  put(path: string, options?: RequestOptions): Promise<HttpResponse>;
  delete(path: string, options?: RequestOptions): Promise<HttpResponse>;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResponse>;
  /** The user's cookies: set by responses, sent with its requests, its own and no one else's. */
  readonly cookies: Cookies;
}

/**
 * A user's cookie jar, kept across its tasks as a browser's is: cookies set by responses are sent
 * back to the domain and path they are for until they expire (RFC 6265).
 */
export interface Cookies {
  /** The cookies a request to `url` (a path, or a full URL; default the host) would send. */
  get(url?: string): Record<string, string>;
  /** Stores a cookie as a response's `Set-Cookie` would (`'session=abc; Path=/'`), for `url`. */
  set(cookie: string, url?: string): void;
  /** Forgets one cookie by name (for `url`), or every cookie. */
  delete(name: string, url?: string): void;
  clear(): void;
}

export interface HttpClientOptions {
  readonly host: string;
  readonly sink: RequestSink;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Body bytes kept for checks; the rest is read and counted but not kept. @default 1 MiB */
  readonly maxBodyBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Name requests without `name` by their exact path rather than its template. @default false */
  readonly rawNames?: boolean;
  /** Redirects followed before a request fails as a `redirect` loop. @default 10 */
  readonly maxRedirects?: number;
}

/** Statuses whose Location is followed. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_MAX_REDIRECTS = 10;

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
 * headers and text are decoded only if a task reads them.
 */
class Exchange implements Dispatcher.DispatchHandler, HttpResponse {
  status = 0;
  bytes = 0;
  latencyMs = 0;
  failure: Failure | undefined;
  #raw: Buffer[] | undefined;
  #headers: Record<string, string | string[] | undefined> | undefined;
  #chunks: Buffer[] = [];
  #kept = 0;
  #text: string | undefined;
  #done: ((exchange: Exchange) => void) | undefined;
  #lease: Lease | undefined;
  url = '';
  redirects = 0;
  /** When the request was written, its first response byte arrived, and its last (ms). */
  sentAt = 0;
  headersAt = 0;
  endedAt = 0;
  connectMs = 0;
  tlsMs = 0;
  newConnection = false;

  constructor(private readonly maxBodyBytes: number) {}

  /** Resolves when the response has ended or the request failed. */
  start(lease: Lease, options: Dispatcher.DispatchOptions): Promise<Exchange> {
    return new Promise((resolve) => {
      this.#done = resolve;
      this.#lease = lease;
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
    const times = this.#lease?.takeConnectTimes();
    if (times) {
      this.newConnection = true;
      this.connectMs = times.connectMs;
      this.tlsMs = times.tlsMs;
    }
  }

  onHeaders(statusCode: number, headers: Buffer[]): boolean {
    // 1xx (100 Continue, 103 Early Hints) is not the response: its headers are skipped.
    if (statusCode < 200) return true;
    this.headersAt = performance.now();
    this.status = statusCode;
    this.#raw = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.#kept < this.maxBodyBytes) {
      const part =
        this.#kept + chunk.length > this.maxBodyBytes
          ? chunk.subarray(0, this.maxBodyBytes - this.#kept)
          : chunk;
      this.#chunks.push(part);
      this.#kept += part.length;
    }
    return true;
  }

  onComplete(): void {
    this.endedAt = performance.now();
    if (this.status >= 400)
      this.failure = { kind: 'http', status: this.status, message: `HTTP ${this.status}` };
    this.#end();
  }

  onError(error: Error): void {
    this.status = 0;
    this.#raw = undefined;
    this.#chunks = [];
    this.#kept = 0;
    this.bytes = 0;
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
    const { status, headers, text, truncated, bytes, latencyMs, url, redirects, failure, ok } =
      this;
    return { status, headers, text, truncated, bytes, latencyMs, url, redirects, failure, ok };
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

/** A request's time split into phases (microseconds) that add up to its latency. */
function phasesOf(hops: readonly Exchange[], latencyMs: number): Phases {
  let connect = 0;
  let tls = 0;
  let ttfb = 0;
  let receive = 0;
  let newConnection = false;
  for (const hop of hops) {
    connect += hop.connectMs;
    tls += hop.tlsMs;
    ttfb += hop.headersAt - hop.sentAt;
    receive += hop.endedAt - hop.headersAt;
    newConnection ||= hop.newConnection;
  }
  const blocked = Math.max(latencyMs - connect - tls - ttfb - receive, 0);
  return {
    blocked: blocked * 1000,
    connect: connect * 1000,
    tls: tls * 1000,
    ttfb: ttfb * 1000,
    receive: receive * 1000,
    newConnection,
  };
}

/** The method and body of the next hop of a redirect, as browsers and fetch do. */
function redirected(status: number, method: string): { method: string; keepBody: boolean } {
  if (status === 303 && method !== 'HEAD') return { method: 'GET', keepBody: false };
  if ((status === 301 || status === 302) && method === 'POST')
    return { method: 'GET', keepBody: false };
  // 307 and 308, and 301/302 of any other method (PUT, DELETE...), repeat the request as it was.
  return { method, keepBody: true };
}

/** Headers that carry credentials: they are not sent on to another origin (as fetch does). */
const CREDENTIALS = /^(authorization|proxy-authorization|cookie)$/i;

/** The header names that describe a body, dropped when a redirect turns a request into a GET. */
const BODY_HEADERS = /^content-(type|length|encoding|language|location)$/i;

/**
 * The client a virtual user's tasks call. Every request is recorded under its name; failures are
 * results, never exceptions, so a task goes on after a refused connection as Locust's does.
 */
export class UserHttpClient implements HttpClient {
  /** Open model: the iteration's scheduled start, which its first request is measured from. */
  intendedStart: number | undefined;
  /** Cleared when the run stops, so requests cut off by the stop are not counted. */
  recording = true;
  /** Requests sent so far: a task that sent one has waited on I/O (see the runner's loop). */
  requests = 0;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly maxRedirects: number;
  /** Made at the first cookie: most users of a load test never get one. */
  #jar: CookieJar | undefined;
  #cookies: Cookies | undefined;

  constructor(
    /** The user's own connections, or the pool users share. */
    readonly connections: Connections,
    private readonly options: HttpClientOptions,
  ) {
    const url = new URL(options.host);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  }

  get cookies(): Cookies {
    this.#cookies ??= this.#cookieAccess();
    return this.#cookies;
  }

  get(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('POST', path, options);
  }

  put(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('PUT', path, options);
  }

  delete(path: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request('DELETE', path, options);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    let url = this.#resolve(path);
    if (options.query) {
      const qs = new URLSearchParams(
        Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    }
    const name =
      options.name ??
      (this.options.rawNames
        ? (pathOf(url).split(/[?#]/)[0] as string)
        : templatePath(pathOf(url)));
    let headers: Record<string, string> | undefined = this.options.headers
      ? { ...this.options.headers, ...options.headers }
      : (options.headers as Record<string, string> | undefined);
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers = { 'content-type': 'application/json', ...headers };
    }
    const timeout = options.timeout ?? this.timeoutMs;
    // `--max-redirects 0` keeps every 3xx as it is, as `redirect: false` does.
    const follow = options.redirect !== false && this.maxRedirects > 0;
    const started = this.intendedStart ?? performance.now();
    this.intendedStart = undefined;
    this.requests++;
    const hops: Exchange[] = [];
    let sentMethod = method;
    let bytes = 0;
    let response: Exchange;
    for (;;) {
      response = await this.#send(url, sentMethod, headers, body, timeout);
      hops.push(response);
      bytes += response.bytes;
      const location =
        follow && REDIRECTS.has(response.status) && response.headerValues('location')?.[0];
      if (!location) break;
      if (hops.length > this.maxRedirects) {
        response.failure = {
          kind: 'redirect',
          status: response.status,
          message: `more than ${this.maxRedirects} redirects (the last to ${location}): a loop? pass redirect: false to see the ${response.status}`,
        };
        break;
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        response.failure = {
          kind: 'redirect',
          status: response.status,
          message: `a ${response.status} to '${location.slice(0, 200)}', which is not a URL`,
        };
        break;
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') break;
      const hop = redirected(response.status, sentMethod);
      sentMethod = hop.method;
      if (!hop.keepBody && body !== undefined) {
        body = undefined;
        headers = headers && dropBodyHeaders(headers);
      }
      // Credentials stay with the origin they were given for, whatever their case; the jar
      // still sends the next origin its own cookies.
      if (headers && next.origin !== new URL(url).origin)
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIALS.test(k)));
      url = next.href;
    }
    response.url = url;
    response.redirects = hops.length - 1;
    response.bytes = bytes;
    response.latencyMs = performance.now() - started;
    if (options.check && response.status !== 0) applyCheck(response, options.check);
    if (this.recording)
      this.options.sink.record(
        method,
        name,
        response.latencyMs * 1000,
        response.bytes,
        response.failure,
        response.status === 0 ? undefined : phasesOf(hops, response.latencyMs),
      );
    return response;
  }

  /** A path (joined to the host's base path) or a full URL, as a full URL. */
  #resolve(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    return this.origin + this.basePath + (path.startsWith('/') ? path : `/${path}`);
  }

  /** One request, cookies sent and stored. */
  async #send(
    url: string,
    method: string,
    headers: Record<string, string> | undefined,
    body: string | Uint8Array | undefined,
    timeout: number,
  ): Promise<Exchange> {
    const origin = originOf(url);
    let sent = headers;
    if (this.#jar) {
      const cookie = this.#jar.getCookieStringSync(url);
      if (cookie) {
        // One Cookie header: the task's own (in any case) first, then the jar's.
        const rest: Record<string, string> = {};
        let own: string | undefined;
        for (const [k, v] of Object.entries(headers ?? {}))
          if (k.toLowerCase() === 'cookie') own = own ? `${own}; ${v}` : v;
          else rest[k] = v;
        sent = { ...rest, cookie: own ? `${own}; ${cookie}` : cookie };
      }
    }
    const exchange = await new Exchange(this.maxBodyBytes).start(this.connections.lease(origin), {
      origin,
      method,
      path: url.slice(origin.length) || '/',
      headers: sent,
      body,
      // undici closes the connection after a body on a method that expects none (the seed's GET
      // with JSON): a real client keeps it alive, so the run would measure a connect per request.
      ...(body !== undefined ? { reset: false } : {}),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    if (exchange.status !== 0) {
      const setCookie = exchange.headerValues('set-cookie');
      if (setCookie) {
        this.#jar ??= new CookieJar();
        // A cookie the jar refuses (wrong domain, malformed) is dropped, as a browser drops it.
        for (const line of setCookie) this.#jar.setCookieSync(line, url, { ignoreError: true });
      }
    }
    return exchange;
  }

  #cookieAccess(): Cookies {
    const at = (url: string | undefined) => this.#resolve(url ?? '/');
    const jar = () => {
      this.#jar ??= new CookieJar();
      return this.#jar;
    };
    return {
      get: (url) => {
        const out: Record<string, string> = {};
        if (this.#jar) for (const c of this.#jar.getCookiesSync(at(url))) out[c.key] = c.value;
        return out;
      },
      set: (cookie, url) => {
        jar().setCookieSync(cookie, at(url));
      },
      delete: (name, url) => {
        if (!this.#jar) return;
        for (const c of this.#jar.getCookiesSync(at(url)))
          if (c.key === name)
            // An expiry in the past removes it, as a server's Max-Age=0 would.
            this.#jar.setCookieSync(
              `${c.key}=; Max-Age=0; Path=${c.path ?? '/'}${c.domain && !c.hostOnly ? `; Domain=${c.domain}` : ''}`,
              at(url),
            );
      },
      clear: () => {
        this.#jar?.removeAllCookiesSync();
      },
    };
  }
}

function originOf(url: string): string {
  const end = url.indexOf('/', url.indexOf('//') + 2);
  return end === -1 ? url : url.slice(0, end);
}

function pathOf(url: string): string {
  return url.slice(originOf(url).length) || '/';
}

function dropBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !BODY_HEADERS.test(k)));
}

function applyCheck(response: Exchange, check: (r: HttpResponse) => CheckResult): void {
  let verdict: CheckResult;
  try {
    verdict = check(response);
  } catch (error) {
    verdict = `check threw: ${(error as Error).message}`;
  }
  if (verdict === true) response.failure = undefined;
  else if (verdict === false)
    response.failure = { kind: 'check', status: response.status, message: 'check failed' };
  else if (typeof verdict === 'string')
    response.failure = { kind: 'check', status: response.status, message: verdict };
}
