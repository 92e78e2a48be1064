/**
 * Quick mode's header counts connections and requests, not users spawned (issue 25, item 13:
 * `-c 5000` printed "closed model: 5000 users, spawning 5000000/s").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
});
afterAll(async () => {
  await server?.close();
});

describe("quick mode's header", () => {
  // Each runs its own process for a second; they are independent, so they run side by side.
  it.concurrent.each([
    [['-c', '50', '-d', '1s'], 'closed model: 50 connections, 1s'],
    [['--rate', '20', '-c', '5', '-d', '1s'], 'open model: 20 requests/s, up to 5 connections, 1s'],
    [['--stages', '1s:5'], 'closed model: connections in stages 1s→5'],
    [
      ['--rate-stages', '1s:20'],
      'open model: request rate in stages 1s→20/s, up to 10 connections',
    ],
  ])(
    'load URL %j: %s',
    async (args, header) => {
      const run = await runCli(['load', `${server.url}/`, '-q', ...args]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr.split('\n')).toContain(
        `Running GET ${server.url}/ against ${server.url}: ${header}`,
      );
      expect(run.stderr).not.toMatch(/users|spawning/);
    },
    60_000,
  );
});
