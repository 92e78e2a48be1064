/**
 * Issue 26, item 2: every connection a request opens counts, one per hop of a redirect, so the
 * result and the report agree with the connections a TCP proxy in front of the server accepted.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { startHttpServer, startTcpServer, type TestServer } from '../helpers/http-server.js';
import { until } from '../helpers/until.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-redirect-connections-'));
let server: TestServer;
let proxy: TestServer;
/** Requests the server answered. */
let served = 0;
/** Connections the proxy accepted, and those a request came on (the probe's carries none). */
let accepted = 0;
let carried = 0;

beforeAll(async () => {
  // Every answer closes its connection, so every request on the wire opens one.
  server = await startHttpServer((req, res) => {
    served++;
    res.setHeader('connection', 'close');
    const hop = /^\/redirect\/(\d+)$/.exec(req.url ?? '');
    if (hop) {
      const left = Number(hop[1]) - 1;
      res.statusCode = 302;
      res.setHeader('location', left > 0 ? `/redirect/${left}` : '/get');
      res.end();
    } else res.end('ok');
  });
  // A counting TCP proxy: what reached the wire, whatever the client believes it opened.
  proxy = await startTcpServer((downstream) => {
    accepted++;
    downstream.once('data', () => carried++);
    const upstream = net.connect(server.port, '127.0.0.1');
    downstream.pipe(upstream).pipe(downstream);
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
    downstream.on('close', () => upstream.destroy());
  });
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  child.stdout?.resume();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('connections across redirects (issue 26)', () => {
  it('a 3-hop redirect over Connection: close counts the four connections each request opened', async () => {
    const json = join(dir, 'result.json');
    const html = join(dir, 'report.html');
    const child = spawnCli([
      'load',
      '-f',
      'tests/fixtures/scenarios/phases/redirect-chain.ts',
      '--host',
      proxy.url,
      '-u',
      '2',
      '-t',
      '60s',
      '--no-typecheck',
      '--json',
      json,
      '--html',
      html,
      '-q',
    ]);
    const done = finished(child);
    // Counted, not timed: past the report's 100 requests (four on the wire each), then Ctrl-C.
    await until(() => served >= 4 * 120, 'the server answered 120 redirect chains', {
      timeoutMs: 50_000,
    });
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    const requests: number = result.totals.requests;
    const opened: number = result.totals.phases.newConnections;
    expect(result.totals.failures).toBe(0);
    // Every connection a request came on, and the probe's before the run, which is not the run's.
    expect(opened).toBe(carried);
    expect(accepted - carried).toBe(1);
    // Each request is one chain: four answers, each on its own connection.
    expect(opened).toBe(4 * requests);
    expect(served).toBe(opened);
    // The time series counts the same connections.
    const perSecond = (result.timeseries as Array<{ newConnections?: number }>).reduce(
      (n, s) => n + (s.newConnections ?? 0),
      0,
    );
    expect(perSecond).toBe(opened);
    const count = (n: number) => n.toLocaleString('en-US');
    expect(readFileSync(html, 'utf8')).toContain(
      `${count(opened)} connections were opened for ${count(requests)} requests`,
    );
  }, 90_000);
});
