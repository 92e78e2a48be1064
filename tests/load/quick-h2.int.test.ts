import type http2 from 'node:http2';
import { describe, expect, it } from 'vitest';
import { QuickRunner } from '../../src/load/index.js';
import {
  closedPort,
  startHttp2Server,
  startHttpServer,
  startHttpsServer,
  startTcpServer,
  type TestServer,
  tlsFixture,
} from '../helpers/http-server.js';
import { recordQuick } from '../helpers/quick.js';

const ca = tlsFixture('ca');
type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

/** A server that counts its sessions, the streams open at once, and the HTTP versions asked for. */
async function countingServer(handler: Handler, tls = false) {
  const seen = { sessions: 0, open: 0, mostOpen: 0, versions: new Set<string>() };
  const server = await startHttp2Server(
    (req, res) => {
      seen.versions.add(req.httpVersion);
      seen.open++;
      seen.mostOpen = Math.max(seen.mostOpen, seen.open);
      res.once('close', () => seen.open--);
      handler(req, res);
    },
    { tls },
  );
  server.server.on('session', () => seen.sessions++);
  return { server, seen };
}

const later = (ms: number, body: string | Buffer, status = 200): Handler => {
  return (_req, res) => {
    setTimeout(() => {
      res.statusCode = status;
      res.end(body);
    }, ms);
  };
};

describe('quick mode over HTTP/2', () => {
  it.each([
    ['h2c (prior knowledge) over http', false],
    ['ALPN h2 over https', true],
  ])('speaks HTTP/2: %s', async (_name, tls) => {
    const { server, seen } = await countingServer(later(0, 'ok'), tls);
    const { calls } = await recordQuick(`${server.url}/`, 5, { client: { http2: true, ca } });
    await server.close();
    expect(seen.versions).toEqual(new Set(['2.0']));
    expect(calls.every((c) => c.failure === undefined)).toBe(true);
  });

  it('keeps `streams` requests in flight on each connection (h2load -c 1 -m 4)', async () => {
    const { server, seen } = await countingServer(later(30, 'ok'));
    const { calls } = await recordQuick(`${server.url}/`, 16, {
      client: { http2: true, streams: 4 },
    });
    await server.close();
    expect(calls.every((c) => c.failure === undefined)).toBe(true);
    expect(seen.sessions).toBe(1);
    expect(seen.mostOpen).toBe(4);
  });

  it('-c 2 -p 3: two sessions, six streams in flight', async () => {
    const { server, seen } = await countingServer(later(30, 'ok'));
    await recordQuick(`${server.url}/`, 18, {
      connections: 2,
      client: { http2: true, streams: 3 },
    });
    await server.close();
    expect(seen.sessions).toBe(2);
    expect(seen.mostOpen).toBe(6);
  });

  it('records the same method and name as HTTP/1.1, body bytes, and status >= 400 as http failures', async () => {
    const { server } = await countingServer(later(0, Buffer.alloc(1000, 'x'), 404));
    const { calls } = await recordQuick(`${server.url}/items/list?page=2`, 3, {
      client: { http2: true },
      method: 'POST',
      body: '{"a":1}',
    });
    await server.close();
    for (const call of calls) {
      expect(call).toMatchObject({ method: 'POST', name: '/items/list', bytes: 1000 });
      expect(call.failure).toMatchObject({ kind: 'http', status: 404 });
      expect(call.phases).toBeDefined();
    }
  });

  it('sends the body and headers', async () => {
    let got = { method: '', body: '', type: '', custom: '' };
    const server = await startHttp2Server((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        got = {
          method: req.method,
          body,
          type: String(req.headers['content-type']),
          custom: String(req.headers['x-test']),
        };
        res.end();
      });
    });
    const { calls } = await recordQuick(`${server.url}/`, 1, {
      client: { http2: true },
      method: 'PUT',
      body: '{"n":1}',
      // Connection-specific headers are HTTP/1.1's; HTTP/2 refuses them, so they are left out.
      headers: { 'X-Test': 'yes', Connection: 'keep-alive' },
    });
    await server.close();
    expect(calls[0]!.failure).toBeUndefined();
    expect(got).toEqual({
      method: 'PUT',
      body: '{"n":1}',
      type: 'application/json',
      custom: 'yes',
    });
  });

  it('open model: iterations share a connection up to its streams, then wait for room', async () => {
    const { server, seen } = await countingServer(later(50, 'ok'));
    let recorded = 0;
    let settle: () => void = () => undefined;
    const two = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const runner = new QuickRunner({
      url: `${server.url}/`,
      sink: {
        record: () => {
          if (++recorded === 2) settle();
        },
        error: () => undefined,
      },
      maxConnections: 1,
      client: { http2: true, streams: 2 },
    });
    const now = performance.now();
    const started = [1, 2, 3].map(() => runner.startIteration(now));
    expect(started).toEqual([true, true, false]);
    expect(runner.users).toBe(1);
    await two;
    expect(runner.startIteration(performance.now())).toBe(true);
    await runner.stop(1000);
    await server.close();
    expect(seen.sessions).toBe(1);
  });

  it('a TLS server without HTTP/2 fails each request at once, saying so', async () => {
    const server = await startHttpsServer((_req, res) => res.end('ok'));
    const { calls } = await recordQuick(`${server.url}/`, 2, { client: { http2: true, ca } });
    await server.close();
    for (const call of calls) {
      expect(call.failure?.kind).toBe('tls');
      expect(call.failure?.message).toMatch(/does not speak HTTP\/2.*drop --http2/);
    }
  });

  it('a plain-http server without HTTP/2 fails each request, saying so', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'));
    const { calls } = await recordQuick(`${server.url}/`, 2, { client: { http2: true } });
    await server.close();
    for (const call of calls)
      expect(call.failure?.message).toMatch(/does not speak HTTP\/2 with prior knowledge/);
  });
});

describe('quick mode over HTTP/2 survives', () => {
  it('a target refusing connections, backing off between attempts', async () => {
    const port = await closedPort();
    const started = performance.now();
    const { calls } = await recordQuick(`http://127.0.0.1:${port}/`, 4, {
      client: { http2: true, streams: 2 },
    });
    expect(calls.map((c) => c.failure?.kind)).toEqual(['refused', 'refused', 'refused', 'refused']);
    // Two failures per attempt, 50 ms apart.
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('a server that never answers: timeouts, then a new connection', async () => {
    let connections = 0;
    const server: TestServer = await startTcpServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
    });
    const { calls } = await recordQuick(`${server.url}/`, 4, {
      client: { http2: true, streams: 2 },
      timeoutMs: 200,
    });
    await server.close();
    expect(calls.map((c) => c.failure?.kind)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    expect(Math.min(...calls.map((c) => c.micros))).toBeGreaterThanOrEqual(190_000);
    expect(connections).toBeGreaterThanOrEqual(2);
  });

  it('connections reset under its requests', async () => {
    const server = await startTcpServer((socket) => {
      socket.once('data', () => setTimeout(() => socket.resetAndDestroy(), 5));
    });
    const { calls } = await recordQuick(`${server.url}/`, 4, { client: { http2: true } });
    await server.close();
    expect(calls.map((c) => c.failure?.kind)).toEqual(['reset', 'reset', 'reset', 'reset']);
  });
});

describe('quick mode over HTTP/2 and GOAWAY', () => {
  it('moves to a new connection when the server ends one gracefully (nginx keepalive_requests)', async () => {
    let sessions = 0;
    const server = await startHttp2Server((_req, res) => res.end('ok'));
    server.server.on('session', (session: http2.ServerHttp2Session) => {
      sessions++;
      let streams = 0;
      session.on('stream', () => {
        if (++streams === 3) session.close();
      });
    });
    const { calls } = await recordQuick(`${server.url}/`, 30, {
      client: { http2: true, streams: 2 },
    });
    await server.close();
    const failed = calls.filter((c) => c.failure);
    // A request sent as the GOAWAY crossed it is refused by the server: counted as a reset.
    expect(failed.every((c) => c.failure!.kind === 'reset')).toBe(true);
    expect(failed.length).toBeLessThan(5);
    expect(sessions).toBeGreaterThanOrEqual(9);
  });
});
