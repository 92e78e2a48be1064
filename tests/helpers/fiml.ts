import { request } from 'undici';
import {
  type FimlOptions,
  type ListenOptions,
  type RunningFiml,
  startServer,
} from '../../fiml/index.js';

/** FIML on 127.0.0.1:0 with instant providers unless told otherwise. */
export function startFiml(options: FimlOptions & ListenOptions = {}): Promise<RunningFiml> {
  return startServer({ port: 0, host: '127.0.0.1', latencyScale: 0, ...options });
}

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  readonly body: any;
  readonly text: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  readonly query?: Record<string, string>;
  /** Sent as JSON unless it is already a string. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** One real HTTP request over loopback; the body is parsed as JSON when it is JSON. */
export async function call(base: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const hasBody = options.body !== undefined;
  const res = await request(url, {
    method: options.method ?? 'GET',
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: hasBody
      ? typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body)
      : undefined,
  });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, body, text, headers: res.headers };
}
