import { describe, expect, it } from 'vitest';
import { task, User } from '../../src/load/index.js';
import type { RunResult } from '../../src/stats/index.js';
import {
  closedPort,
  startHttpServer,
  startTcpServer,
  type TestServer,
} from '../helpers/http-server.js';
import { closed, runQuick, runScenario } from '../helpers/load.js';

class Getter extends User {
  static override tasks = [task(1, 'get')];
  async get() {
    await this.client.get('/', { name: 'root', timeout: 300 });
  }
}

const kinds = (result: RunResult) => new Set(result.errors.map((e) => e.kind));

/** Each fault runs through both HTTP paths: the scenario client (undici) and quick mode. */
const paths = {
  scenario: (url: string, ms: number, timeoutMs = 300) =>
    runScenario(url, [Getter], closed(3, ms), { timeoutMs }),
  quick: (url: string, ms: number, timeoutMs = 300) =>
    runQuick(`${url}/`, closed(3, ms), { timeoutMs }),
};

describe.each(Object.entries(paths))('the %s client survives', (_path, run) => {
  it('a target refusing connections: every failure counted as refused', async () => {
    const port = await closedPort();
    const result = await run(`http://127.0.0.1:${port}`, 500);
    expect(result.totals.requests).toBeGreaterThan(0);
    expect(result.totals.failures).toBe(result.totals.requests);
    expect([...kinds(result)]).toEqual(['refused']);
  });

  it('connections reset in the middle of a response', async () => {
    const server = await startTcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nhalf a bo');
        setTimeout(() => socket.resetAndDestroy(), 5);
      });
    });
    const result = await run(server.url, 500);
    await server.close();
    expect(result.totals.failures).toBe(result.totals.requests);
    expect(result.totals.requests).toBeGreaterThan(3);
    expect([...kinds(result)]).toEqual(['reset']);
  });

  it('a server that never answers: timeouts', async () => {
    const server = await startTcpServer(() => undefined);
    const result = await run(server.url, 700);
    await server.close();
    expect(result.totals.requests).toBeGreaterThanOrEqual(3);
    expect([...kinds(result)]).toEqual(['timeout']);
    // Timers fire to within a millisecond or so.
    expect(result.totals.latencyMs.min).toBeGreaterThanOrEqual(290);
  });

  it('a reply sent slowly, byte by byte', async () => {
    const reply = `HTTP/1.1 200 OK\r\ncontent-length: 40\r\n\r\n${'x'.repeat(40)}`;
    const server = await startTcpServer((socket) => {
      socket.on('data', () => {
        let i = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || i >= reply.length) return clearInterval(timer);
          socket.write(reply[i++]!);
        }, 2);
      });
      socket.on('error', () => undefined);
    });
    const result = await run(server.url, 600);
    await server.close();
    expect(result.totals.failures).toBe(0);
    expect(result.totals.requests).toBeGreaterThanOrEqual(3);
    // About 80 bytes at 2 ms each.
    expect(result.totals.latencyMs.min).toBeGreaterThan(100);
  });

  it('huge bodies: counted, not kept', async () => {
    const chunk = Buffer.alloc(1 << 20, 'a');
    const server = await startHttpServer((_req, res) => {
      res.setHeader('content-length', String(chunk.length * 32));
      let sent = 0;
      const pump = () => {
        while (sent < 32) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    // 32 MB a response: on a loaded machine one takes longer than the 300 ms the other faults
    // time out at (3 of them did in npm test, load average 10); this one is about bytes.
    const result = await run(server.url, 800, 10_000);
    await server.close();
    expect(result.totals.failures).toBe(0);
    expect(result.totals.requests).toBeGreaterThan(0);
    expect(result.totals.avgBytes).toBeGreaterThanOrEqual(32 << 20);
  });

  it('a server that dies and comes back mid-run', async () => {
    const handler = (_req: unknown, res: { end: (s: string) => void }) => res.end('ok');
    let server: TestServer = await startHttpServer(handler as never);
    const port = server.port;
    const run$ = run(server.url, 1500);
    await new Promise((r) => setTimeout(r, 300));
    await server.close();
    await new Promise((r) => setTimeout(r, 400));
    server = await startHttpServer(handler as never, port);
    const result = await run$;
    await server.close();
    const ok = result.totals.requests - result.totals.failures;
    expect(result.totals.failures).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(10);
    expect(kinds(result).has('refused') || kinds(result).has('reset')).toBe(true);
    // Successes after the restart: the last seconds of the series have requests without failures.
    expect(result.timeseries.at(-2)!.requests).toBeGreaterThan(result.timeseries.at(-2)!.failures);
  });
});

describe('the scenario client keeps only the start of a huge body', () => {
  it('marks the response truncated and keeps maxBodyBytes of it', async () => {
    const server = await startHttpServer((_req, res) => res.end(Buffer.alloc(5 << 20, 'b')));
    const seen: Array<{ truncated: boolean; kept: number; bytes: number }> = [];
    class Big extends User {
      static override tasks = [task(1, 'get')];
      async get() {
        const res = await this.client.get('/');
        seen.push({ truncated: res.truncated, kept: res.text.length, bytes: res.bytes });
      }
    }
    await runScenario(server.url, [Big], closed(1, 300));
    await server.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toEqual({ truncated: true, kept: 1 << 20, bytes: 5 << 20 });
  });
});
