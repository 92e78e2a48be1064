/** The one request quick mode sends over and over. */
export interface QuickRequest {
  readonly url: string;
  /** @default 'GET' */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The parts of the request both protocols send: method, path, headers (lower case), body. */
export function requestParts(request: QuickRequest) {
  const url = new URL(request.url);
  const method = (request.method ?? 'GET').toUpperCase();
  const path = (url.pathname || '/') + url.search;
  const headers: Record<string, string> = { host: url.host, 'user-agent': 'fiml-perf' };
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  if (body) {
    headers['content-length'] = String(body.length);
    headers['content-type'] ??=
      body[0] === 0x7b || body[0] === 0x5b ? 'application/json' : 'text/plain';
  }
  return { url, method, path, headers, body };
}
