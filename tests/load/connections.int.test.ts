import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant, task, User, UserConnections, UserHttpClient } from '../../src/load/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { closed, runScenario } from '../helpers/load.js';
import { until } from '../helpers/until.js';

let server: TestServer;
const opened = new Set<Socket>();
const open = new Set<Socket>();
/** Stops the run once the server has answered `count` requests (counted, not timed). */
let stopAt: { count: number; stop: AbortController } | undefined;
let served = 0;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => {
    setTimeout(() => res.end('ok'), 5);
    if (stopAt && ++served >= stopAt.count) stopAt.stop.abort();
  });
  server.server.on('connection', (socket: Socket) => {
    opened.add(socket);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
});
afterAll(() => server.close());

const reset = () => {
  opened.clear();
  stopAt = undefined;
};

/** A run of up to 30 s that ends once the server has answered `count` requests. */
function untilServed(count: number): AbortSignal {
  served = 0;
  stopAt = { count, stop: new AbortController() };
  return stopAt.stop.signal;
}

class Browsing extends User {
  static override waitTime = constant(0.1);
  static override tasks = [task(1, 'go')];
  async go() {
    await this.client.get('/', { name: 'page' });
  }
}

class Parallel extends User {
  static override waitTime = constant(0.1);
  static override tasks = [task(1, 'go')];
  async go() {
    await Promise.all([1, 2, 3].map(() => this.client.get('/', { name: 'part' })));
  }
}

describe('connections', () => {
  it('each user has its own: the server sees as many connections as users, closed when they stop', async () => {
    reset();
    // Counted, not timed: 20 users, more than 100 requests on their 20 connections.
    const enough = untilServed(120);
    const result = await runScenario(server.url, [Browsing], closed(20, 30_000), {}, enough);
    expect(result.totals.failures).toBe(0);
    expect(result.totals.requests).toBeGreaterThan(100);
    expect(opened.size).toBe(20);
    // Stopped users close their connections: waited for (the server's keep-alive timeout is
    // 30 s, past the wait's deadline, so a connection left open fails this).
    await until(() => open.size === 0, 'every connection closed');
  });

  it('a GET with a JSON body (as the seed sends) keeps its connection alive', async () => {
    class JsonGet extends User {
      static override waitTime = constant(0.05);
      static override tasks = [task(1, 'go')];
      async go() {
        await this.client.get('/', { json: { symbol: 'AAPL' }, name: 'json get' });
      }
    }
    reset();
    const enough = untilServed(20);
    const result = await runScenario(server.url, [JsonGet], closed(3, 30_000), {}, enough);
    expect(result.totals.requests).toBeGreaterThan(15);
    expect(opened.size).toBe(3);
    expect(result.totals.phases?.newConnections).toBe(3);
  });

  it('a user with requests in flight at once opens more, up to six', async () => {
    reset();
    await runScenario(server.url, [Parallel], closed(4, 600));
    expect(opened.size).toBe(12);
  });

  it("after a user's connections close, its requests fail at once instead of reconnecting", async () => {
    const connections = new UserConnections();
    const sink = { record() {}, error() {} };
    const client = new UserHttpClient(connections, { host: server.url, sink });
    const response = await client.get('/');
    expect(response.status).toBe(200);
    // A response is plain data to JSON.stringify, its decoded text and headers included.
    expect(JSON.parse(JSON.stringify(response))).toMatchObject({
      status: 200,
      text: 'ok',
      ok: true,
    });
    await connections.close();
    reset();
    const late = await client.get('/');
    expect(late.status).toBe(0);
    expect(late.failure?.message).toMatch(/connections are closed/);
    expect(opened.size).toBe(0);
  });

  it('--shared-pool: users share connections, fewer than users when they think between tasks', async () => {
    class Thinking extends User {
      static override waitTime = constant(1);
      static override tasks = [task(1, 'go')];
      async go() {
        await this.client.get('/', { name: 'page' });
      }
    }
    reset();
    // Users start 50 ms apart and think a second between requests of 5 ms, so few requests are
    // ever in flight at once, even when a busy machine makes each one ten times slower (with
    // 0.1 s of thinking it did, and 19 of 20 users opened a connection). Three rounds of
    // requests, counted, not timed.
    const enough = untilServed(60);
    const ramp = { type: 'constant-users' as const, users: 20, spawnRate: 20, durationMs: 30_000 };
    const result = await runScenario(server.url, [Thinking], ramp, { sharedPool: true }, enough);
    expect(result.totals.failures).toBe(0);
    expect(opened.size).toBeGreaterThan(0);
    expect(opened.size).toBeLessThan(10);
  });
});
