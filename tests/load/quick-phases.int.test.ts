import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../src/load/index.js';
import {
  startHttp2Server,
  startHttpServer,
  startHttpsServer,
  type TestServer,
  tlsFixture,
} from '../helpers/http-server.js';
import { phaseSum, type Recorded, recordQuick } from '../helpers/quick.js';

const FIRST_BYTE_MS = 40;
const REST_MS = 20;

/** Answers with its head and half the body after FIRST_BYTE_MS, the rest REST_MS later. */
function slowly(_req: unknown, res: http.ServerResponse): void {
  setTimeout(() => {
    res.writeHead(200, { 'content-length': '4' });
    res.write('ab');
    setTimeout(() => res.end('cd'), REST_MS);
  }, FIRST_BYTE_MS);
}

const ca = tlsFixture('ca');
const servers: Record<string, () => Promise<TestServer>> = {
  'HTTP/1.1': () => startHttpServer(slowly),
  'HTTP/1.1 over TLS': () => startHttpsServer(slowly),
  'HTTP/2 (h2c)': () => startHttp2Server(slowly as never),
  'HTTP/2 over TLS': () => startHttp2Server(slowly as never, { tls: true }),
};
const clients: Record<string, ClientConfig> = {
  'HTTP/1.1': {},
  'HTTP/1.1 over TLS': { ca },
  'HTTP/2 (h2c)': { http2: true },
  'HTTP/2 over TLS': { ca, http2: true },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** Parts that must add up to the latency, to within float rounding. */
function expectConsistent(call: Recorded): void {
  expect(call.phases, JSON.stringify(call)).toBeDefined();
  const phases = call.phases!;
  expect(Math.abs(phaseSum(phases) - call.micros)).toBeLessThan(3);
  for (const part of [
    phases.blocked,
    phases.client,
    phases.connect,
    phases.tls,
    phases.ttfb,
    phases.receive,
  ])
    expect(part).toBeGreaterThanOrEqual(0);
}

describe.each(Object.keys(servers))('quick mode phases, %s', (kind) => {
  let server: TestServer;
  const tls = kind.includes('TLS');
  beforeAll(async () => {
    server = await (servers[kind] as () => Promise<TestServer>)();
  });
  afterAll(() => server.close());

  it('add up to the latency; ttfb and receive are where the server spent its time', async () => {
    const { calls } = await recordQuick(`${server.url}/slow`, 5, { client: clients[kind] });
    for (const call of calls) {
      expectConsistent(call);
      const { ttfb, receive, blocked } = call.phases!;
      // Timers may fire a millisecond early. A client busy when the first byte came sees it
      // late, which moves time from receive to ttfb, never the other way.
      expect(ttfb).toBeGreaterThanOrEqual((FIRST_BYTE_MS - 1) * 1000);
      expect(ttfb + receive).toBeGreaterThanOrEqual((FIRST_BYTE_MS + REST_MS - 2) * 1000);
      // Closed model: a request goes out the moment it is due.
      expect(blocked).toBe(0);
    }
    // The medians leave room for a busy machine, which may hold up any one request.
    expect(median(calls.map((c) => c.phases!.ttfb))).toBeLessThan(FIRST_BYTE_MS * 3 * 1000);
    const receive = median(calls.map((c) => c.phases!.receive));
    expect(receive).toBeGreaterThan((REST_MS / 2) * 1000);
    expect(receive).toBeLessThan(REST_MS * 5 * 1000);
  });

  it('connect and tls only on the request that opened the connection', async () => {
    const { calls } = await recordQuick(`${server.url}/slow`, 3, { client: clients[kind] });
    const [first, ...rest] = calls.map((c) => c.phases!);
    expect(first!.newConnections).toBe(1);
    expect(first!.connect).toBeGreaterThan(0);
    if (tls) expect(first!.tls).toBeGreaterThan(0);
    else expect(first!.tls).toBe(0);
    for (const phases of rest) {
      expect(phases).toMatchObject({ newConnections: 0, connect: 0, tls: 0 });
    }
  });

  it("open model: how late a request went out is the client's time, not blocked, and the parts still add up", async () => {
    const { calls } = await recordQuick(`${server.url}/slow`, 4, {
      client: clients[kind],
      open: { intervalMs: 5, maxConnections: 2, lateMs: 10 },
    });
    for (const call of calls) {
      expectConsistent(call);
      expect(call.phases!.client).toBeGreaterThanOrEqual(10_000);
      expect(call.phases!.blocked).toBe(0);
    }
    expect(calls.filter((c) => c.phases!.newConnections)).toHaveLength(2);
  });
});

describe('quick mode phases, HTTP/2 with 4 streams on a connection', () => {
  it('the first request on a new connection is charged its connect, the others waited for it', async () => {
    const server = await startHttp2Server(slowly as never, { tls: true });
    const { calls } = await recordQuick(`${server.url}/slow`, 8, {
      client: { ca, http2: true, streams: 4 },
    });
    await server.close();
    for (const call of calls) expectConsistent(call);
    const first = calls.slice(0, 4).map((c) => c.phases!);
    const opener = first.filter((p) => p.newConnections === 1);
    expect(opener).toHaveLength(1);
    expect(opener[0]!.connect).toBeGreaterThan(0);
    expect(opener[0]!.tls).toBeGreaterThan(0);
    // Sent while the handshakes ran: they went out when the connection was ready.
    for (const p of first.filter((p) => p.newConnections === 0)) {
      expect(p).toMatchObject({ connect: 0, tls: 0 });
      expect(p.blocked).toBeGreaterThan(0);
    }
    for (const call of calls.slice(4))
      expect(call.phases).toMatchObject({ newConnections: 0, blocked: 0, connect: 0, tls: 0 });
  });
});
