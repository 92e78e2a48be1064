import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ZodType } from 'zod';
import { PerfError } from '../errors.js';
import { downloads } from './downloads.js';
import type { UiEvent } from './events.js';
import { editSchema, emptySchema, firstProblem, startSchema } from './form.js';
import { CONTENT_SECURITY_POLICY, uiPage } from './page.js';
import type { UiSession } from './session.js';
import { UiError } from './ui-error.js';

export interface UiServerOptions {
  readonly session: UiSession;
  /** Address to bind: 127.0.0.1 by default; any other needs a token. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required on every request when set: a cookie set from `/?token=`, or `Authorization: Bearer`. */
  readonly token?: string;
  readonly log?: (line: string) => void;
}

export interface UiServer {
  /** The address to open, with the token when there is one. */
  readonly url: string;
  readonly port: number;
  /** Ends every event stream and closes the server: no open tab keeps the process alive. */
  close(): Promise<void>;
}

/** The largest request body accepted: the start form is well under 1 KB. */
const MAX_BODY = 64 * 1024;
/** A tab that falls this far behind the event stream is dropped (it reconnects and catches up). */
const MAX_BUFFERED = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/** Whether an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A token for a UI bound beyond loopback: 128 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(16).toString('base64url');
}

/** The page's files, read once: uPlot, the chart module and styles the report shares, and ours. */
function loadFiles(): Record<string, { type: string; body: string }> {
  const require = createRequire(import.meta.url);
  const report = (name: string) =>
    readFileSync(fileURLToPath(new URL(`../report/html/assets/${name}`, import.meta.url)), 'utf8');
  const own = (name: string) =>
    readFileSync(fileURLToPath(new URL(`./assets/${name}`, import.meta.url)), 'utf8');
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return {
    '/assets/uplot.js': {
      type: js,
      body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    },
    '/assets/uplot.css': {
      type: css,
      body: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    },
    '/assets/charts.js': { type: js, body: report('charts.js') },
    '/assets/report.css': { type: css, body: report('report.css') },
    '/assets/ui.js': { type: js, body: own('ui.js') },
    '/assets/ui.css': { type: css, body: own('ui.css') },
  };
}

/** The names a request may use for this server in its Host header (against DNS rebinding). */
function allowedHosts(bind: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', hostLiteral(bind).toLowerCase()]);
  if (!isLoopback(bind)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces()))
      for (const address of list ?? [])
        names.add(address.family === 'IPv6' ? `[${address.address}]` : address.address);
  }
  return names;
}

/** An address as a URL's or a Host header's host: IPv6 in brackets. */
function hostLiteral(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '');
  return bare.includes(':') ? `[${bare}]` : bare;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: unknown) => void | Promise<void>;

/**
 * Serves the live UI and its JSON API. Safe by default: loopback only unless a token guards it,
 * Host checked on every request, changes only by POST with a JSON body from the same origin, no
 * CORS headers at all. @throws PerfError FP_ERR_INVALID_FLAG for a bind beyond loopback without a
 * token, FP_ERR_PORT_IN_USE or FP_ERR_BAD_HOST when it cannot listen
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const { session } = options;
  if (!isLoopback(options.host) && !options.token)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `the UI bound to ${options.host} would let anyone on the network run load tests; give --web-token, or bind 127.0.0.1`,
    );
  const files = loadFiles();
  const hosts = allowedHosts(options.host);
  const token = options.token ? Buffer.from(options.token) : undefined;
  const streams = new Set<ServerResponse>();
  let port = 0;
  const cookieName = () => `fiml_perf_token_${port}`;

  const json = (res: ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const mutations: Record<string, { schema: ZodType; handle: Handler }> = {
    '/api/start': {
      schema: startSchema,
      handle: async (_req, res, body) =>
        json(res, 202, { run: await session.start(body as never) }),
    },
    '/api/edit': {
      schema: editSchema,
      handle: (_req, res, body) => json(res, 200, { run: session.edit(body as never) }),
    },
    '/api/stop': {
      schema: emptySchema,
      handle: (_req, res) => json(res, 202, { run: session.stop() }),
    },
    '/api/reset': {
      schema: emptySchema,
      handle: (_req, res) => {
        session.reset();
        json(res, 200, { reset: true });
      },
    },
  };

  const reads: Record<string, Handler> = {
    '/': (_req, res) => {
      const body = uiPage();
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    },
    '/api/state': (_req, res) => {
      const { rows, endpointSeries, ...state } = session.snapshot();
      json(res, 200, { ...state, seconds: rows.length, endpoints: Object.keys(endpointSeries) });
    },
    '/api/stats': (_req, res) => {
      const snapshot = session.snapshot();
      json(res, 200, { state: snapshot.state, run: snapshot.run, stats: snapshot.latest });
    },
    '/api/history': (_req, res) => {
      const { rows, endpointSeries, run } = session.snapshot();
      json(res, 200, { run, rows, endpointSeries });
    },
    '/api/events': (req, res) => openStream(req, res),
  };

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no',
    });
    const send = (event: UiEvent) => {
      if (res.writableLength > MAX_BUFFERED) {
        res.destroy();
        return;
      }
      try {
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      } catch {
        res.destroy();
      }
    };
    res.write('retry: 2000\n\n');
    send({ type: 'snapshot', data: session.snapshot() });
    const unsubscribe = session.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    const done = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  }

  /** Refuses what is not for this UI: a foreign Host, a missing token. Returns the path. */
  function guard(req: IncomingMessage, res: ServerResponse): string | undefined {
    const host = (req.headers.host ?? '').toLowerCase();
    const at = host.lastIndexOf(':');
    const name = at > host.lastIndexOf(']') ? host.slice(0, at) : host;
    // No port in Host is the scheme's default: 80.
    const hostPort = at > host.lastIndexOf(']') ? host.slice(at + 1) : '80';
    if (!hosts.has(name) || hostPort !== String(port))
      throw new HttpProblem(
        403,
        `Host '${req.headers.host ?? ''}' is not this UI's address; open http://127.0.0.1:${port}/ (requests under another name are refused against DNS rebinding)`,
      );
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (token) {
      const given = url.searchParams.get('token');
      if (req.method === 'GET' && url.pathname === '/' && given !== null) {
        if (!same(Buffer.from(given), token)) throw new HttpProblem(401, 'wrong token');
        // The token moves into a cookie only this origin sends, and out of the address bar.
        res.writeHead(303, {
          location: '/',
          'set-cookie': `${cookieName()}=${options.token}; Path=/; HttpOnly; SameSite=Strict`,
        });
        res.end();
        return undefined;
      }
      const cookie = (req.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim())
        .find((c) => c.startsWith(`${cookieName()}=`))
        ?.slice(cookieName().length + 1);
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const offered = cookie ?? bearer;
      if (offered === undefined || !same(Buffer.from(offered), token))
        throw new HttpProblem(
          401,
          'this UI needs its token: open the address it printed (with ?token=), or send Authorization: Bearer TOKEN',
        );
    }
    return url.pathname;
  }

  /** Refuses a change that is not a same-origin POST with a JSON body. */
  function sameOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`)
      throw new HttpProblem(403, `cross-origin request from ${origin} refused`);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      throw new HttpProblem(403, `${site} request refused; use the UI's own page or a script`);
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type))
      throw new HttpProblem(
        415,
        "send a JSON body with 'content-type: application/json' (an empty object for stop and reset)",
      );
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new HttpProblem(413, `body over ${MAX_BODY} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (text === '') return {};
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new HttpProblem(400, `the body is not JSON: ${(error as Error).message}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    const path = guard(req, res);
    if (path === undefined) return;
    const mutation = mutations[path];
    if (mutation) {
      if (req.method !== 'POST')
        throw new HttpProblem(405, `${path} changes the test: use POST with a JSON body`, {
          allow: 'POST',
        });
      sameOrigin(req);
      const parsed = mutation.schema.safeParse(await readBody(req));
      if (!parsed.success) throw new HttpProblem(400, firstProblem(parsed.error));
      await mutation.handle(req, res, parsed.data);
      return;
    }
    const file = files[path];
    const read = reads[path];
    const download = path.startsWith('/api/download/') ? path.slice(14) : undefined;
    if (!file && !read && download === undefined)
      throw new HttpProblem(404, `no such page or API route: ${path}`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpProblem(405, `${path} is read with GET`, { allow: 'GET, HEAD' });
    if (file) {
      res.writeHead(200, {
        'content-type': file.type,
        'content-length': Buffer.byteLength(file.body),
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    } else if (read) await read(req, res, undefined);
    else sendDownload(res, download as string);
  }

  function sendDownload(res: ServerResponse, name: string): void {
    const result = session.result;
    const run = session.current;
    if (!result)
      throw new HttpProblem(
        409,
        run?.error
          ? `test ${run.id} failed (${run.error}): it has no files`
          : run && !run.ended
            ? 'the test is still running: its files can be downloaded once it ends (stop it, or wait)'
            : 'no test has ended yet: start one first',
      );
    const files = downloads(result);
    const file = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!file)
      throw new HttpProblem(
        404,
        `no download ${name}; there are ${Object.keys(downloads(result)).join(', ')}`,
      );
    const stamp = result.startedAt.replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
    const body = file.body();
    res.writeHead(200, {
      'content-type': `${file.type}; charset=utf-8`,
      'content-disposition': `attachment; filename="fiml-perf-${stamp}-${name}"`,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      let status = 500;
      const message = (error as Error).message;
      let headers: Record<string, string> = {};
      if (error instanceof HttpProblem) ({ status, headers } = error);
      else if (error instanceof UiError) status = error.status;
      else if (error instanceof PerfError) status = 422;
      else options.log?.(`UI error on ${req.method} ${req.url}: ${(error as Error).stack}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body the server did not read is discarded, so the connection stays usable.
      req.resume();
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      json(res, status, { error: message });
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PerfError(
              'FP_ERR_PORT_IN_USE',
              `port ${options.port} on ${options.host} is in use; pick another with --web-port (0 for any free one)`,
            )
          : error.code === 'EADDRNOTAVAIL' ||
              error.code === 'ENOTFOUND' ||
              error.code === 'EAI_AGAIN'
            ? new PerfError(
                'FP_ERR_BAD_HOST',
                `${options.host} is not an address of this machine; give one of its addresses to --web-host`,
              )
            : error.code === 'EACCES'
              ? new PerfError(
                  'FP_ERR_PORT_DENIED',
                  `this process may not listen on port ${options.port}; pick one above 1023 with --web-port`,
                )
              : error,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // Any address (0.0.0.0, ::) is reached on this machine at 127.0.0.1; others as they are.
  const shown =
    options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : hostLiteral(options.host);
  return {
    url: `http://${shown}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`,
    port,
    async close() {
      for (const res of streams) res.end();
      streams.clear();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
