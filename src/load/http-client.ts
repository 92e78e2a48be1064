import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { classifyError, type Failure, type RequestSink } from '../stats/index.js';
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
}

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

  onConnect(): void {}

  onHeaders(statusCode: number, headers: Buffer[]): boolean {
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
    const { status, headers, text, truncated, bytes, latencyMs, failure, ok } = this;
    return { status, headers, text, truncated, bytes, latencyMs, failure, ok };
  }
}

const NO_HEADERS = Object.freeze({});

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
    let origin = this.origin;
    let fullPath = path;
    if (/^https?:\/\//.test(path)) {
      const url = new URL(path);
      origin = url.origin;
      fullPath = url.pathname + url.search;
    } else fullPath = this.basePath + (path.startsWith('/') ? path : `/${path}`);
    if (options.query) {
      const qs = new URLSearchParams(
        Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      if (qs) fullPath += (fullPath.includes('?') ? '&' : '?') + qs;
    }
    const name =
      options.name ??
      (this.options.rawNames ? (fullPath.split(/[?#]/)[0] as string) : templatePath(fullPath));
    let headers: Record<string, string> | undefined = this.options.headers
      ? { ...this.options.headers, ...options.headers }
      : (options.headers as Record<string, string> | undefined);
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers = { 'content-type': 'application/json', ...headers };
    }
    const timeout = options.timeout ?? this.timeoutMs;
    const started = this.intendedStart ?? performance.now();
    this.intendedStart = undefined;
    this.requests++;
    const response = await new Exchange(this.maxBodyBytes).start(this.connections.lease(origin), {
      origin,
      method,
      path: fullPath,
      headers,
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    response.latencyMs = performance.now() - started;
    if (options.check && response.status !== 0) applyCheck(response, options.check);
    if (this.recording)
      this.options.sink.record(
        method,
        name,
        response.latencyMs * 1000,
        response.bytes,
        response.failure,
      );
    return response;
  }
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
