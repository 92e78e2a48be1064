import type { Failure } from '../stats/index.js';

/** What a check returns: true accepts, false or a string (the reason) fails, nothing keeps the default. */
// biome-ignore lint/suspicious/noConfusingVoidType: a check written as a block that returns nothing is typed void
export type CheckResult = boolean | string | undefined | void;

export interface RequestOptions {
  /**
   * Groups requests in the statistics. @default the path without its query, with ids replaced
   * (`/item/123` is `/item/:id`; see `templatePath`), or as it is with `rawNames`
   */
  readonly name?: string;
  /**
   * Headers of this request, over the user's (`client.headers`), names in any case; `null`
   * sends none of that name (`{ 'accept-encoding': null }` asks for an uncompressed body).
   */
  readonly headers?: Readonly<Record<string, string | null>>;
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
  /** The body's size as the task sees it (decoded): of the last response of a redirect chain. */
  readonly bytes: number;
  /** Body bytes as they came over the wire (compressed, if they were), every hop of a redirect chain. */
  readonly wireBytes: number;
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
  /**
   * The headers every request of this user sends, names in lower case: `user-agent`
   * (`fiml-perf/VERSION`), `accept` (any type), `accept-encoding` (`gzip, deflate, br`), and
   * `-H`'s. Change or `delete` one (in `onStart()`, say) for this user's requests from then on.
   */
  readonly headers: Record<string, string>;
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
