/**
 * Quick mode's header counts connections and requests, not users spawned (issue 25, item 13:
 * `-c 5000` printed "closed model: 5000 users, spawning 5000000/s").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer;
let slow: TestServer;
beforeAll(async () => {
  server = await startHttpServer((_req, res) => res.end('ok'));
  slow = await startHttpServer((_req, res) => setTimeout(() => res.end('ok'), 300));
});
afterAll(async () => {
  await server?.close();
  await slow?.close();
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

// A loaded machine drops iterations in quick mode too: the warning names the flag quick mode
// has (-c), not the scenario's --max-users (seen in CI, where it broke the header's promise).
it('quick mode says every connection is busy and names -c when requests are dropped', async () => {
  const run = await runCli(['load', `${slow.url}/`, '-q', '--rate', '50', '-c', '1', '-d', '1s']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toContain(
    'WARNING: requests are being dropped: every connection is busy; raise -c or lower --rate',
  );
  expect(run.stderr).not.toMatch(/users/);
}, 60_000);
