import { performance } from 'node:perf_hooks';
import { CookieJar } from 'tough-cookie';
import type { NameFolds, RequestSink } from '../stats/index.js';
import type { Connections } from './connections.js';
import { DEFAULT_HEADERS, type HeaderValue, mergeHeaders } from './default-headers.js';
import type {
  CheckResult,
  Cookies,
  HttpClient,
  HttpResponse,
  RequestOptions,
} from './http-client.js';
import { HttpExchange, phasesOf } from './http-exchange.js';
import { templatePath } from './request-name.js';

export interface HttpClientOptions {
  readonly host: string;
  readonly sink: RequestSink;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Body bytes kept for checks; the rest is read and counted but not kept. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** Headers of every request (`-H`), over the defaults; `null` removes a default. */
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  /** Name requests without `name` by their exact path rather than its template. @default false */
  readonly rawNames?: boolean;
  /**
   * Decides which integers of a templated name stay as they are (`/status/404`) and which are
   * `:id`; shared by the users of a run (or of a share, following the run's). @default every
   * integer is `:id`
   */
  readonly names?: NameFolds;
  /** Redirects followed before a request fails as a `redirect` loop. @default 10 */
  readonly maxRedirects?: number;
}

/** Statuses whose Location is followed. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_MAX_REDIRECTS = 10;
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

/** Under the request's own headers, so a `content-type` it gives wins. */
const JSON_TYPE = Object.freeze({ 'content-type': 'application/json' });

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
  /** Requests sent and not yet answered: a task that returns with some did not await them. */
  inFlight = 0;
  /** This user's headers, for every request it sends (see `HttpClient.headers`). */
  readonly headers: Record<string, string>;
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
    this.headers = Object.fromEntries(
      Object.entries(mergeHeaders(DEFAULT_HEADERS, options.headers)).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
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
    this.inFlight++;
    try {
      return await this.#request(method, path, options);
    } finally {
      this.inFlight--;
    }
  }

  async #request(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    let url = this.#resolve(path);
    if (options.query) {
      const qs = new URLSearchParams(
        Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    }
    // Named by the URL asked for, not where redirects led.
    const requested = url;
    const json = options.json !== undefined;
    let headers = mergeHeaders(json ? JSON_TYPE : undefined, this.headers, options.headers);
    const body = json ? JSON.stringify(options.json) : options.body;
    const timeout = options.timeout ?? this.timeoutMs;
    // `--max-redirects 0` keeps every 3xx as it is, as `redirect: false` does.
    const follow = options.redirect !== false && this.maxRedirects > 0;
    const started = this.intendedStart ?? performance.now();
    this.intendedStart = undefined;
    this.requests++;
    const hops: HttpExchange[] = [];
    let sentMethod = method;
    let sentBody = body;
    let wireBytes = 0;
    let response: HttpExchange;
    for (;;) {
      response = await this.#send(url, sentMethod, headers, sentBody, timeout);
      hops.push(response);
      wireBytes += response.wireBytes;
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
      if (!hop.keepBody && sentBody !== undefined) {
        sentBody = undefined;
        headers = dropBodyHeaders(headers);
      }
      // Credentials stay with the origin they were given for, whatever their case; the jar
      // still sends the next origin its own cookies.
      if (next.origin !== new URL(url).origin)
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIALS.test(k)));
      url = next.href;
    }
    response.url = url;
    response.redirects = hops.length - 1;
    // `bytes` stays the last response's, as Locust's content size is; the chain's are on the wire
    // (issue 26, item 8).
    response.wireBytes = wireBytes;
    // Decoding after the last byte is in the latency, as in Locust's response time (requests
    // decodes inside the call); the phases show it as the client's own time.
    response.latencyMs = performance.now() - started;
    if (options.check && response.status !== 0) applyCheck(response, options.check);
    if (this.recording)
      this.options.sink.record(
        method,
        // Named when recorded: a share's provisional names are those of the delta they are in.
        options.name ?? this.#nameOf(method, requested),
        response.latencyMs * 1000,
        response.bytes,
        response.failure,
        response.status === 0 ? undefined : phasesOf(hops, started, response.latencyMs),
        response.wireBytes,
      );
    return response;
  }

  /** The name of a request without `name`: its path, templated unless `rawNames`. */
  #nameOf(method: string, url: string): string {
    const path = pathOf(url);
    if (this.options.rawNames) return path.split(/[?#]/)[0] as string;
    const names = this.options.names;
    return names ? names.resolve(method, templatePath(path, true)) : templatePath(path);
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
  ): Promise<HttpExchange> {
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
    const exchange = await new HttpExchange(this.maxBodyBytes).start(
      this.connections.lease(origin),
      {
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
      },
    );
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

function applyCheck(response: HttpExchange, check: (r: HttpResponse) => CheckResult): void {
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
