/**
 * Issue 26, item 3: `blocked` is the time a request waited for one of its user's connections,
 * measured, not what the other phases left of its latency; the report's "requests queued"
 * diagnosis fires only when requests really waited.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-blocked-'));
let server: TestServer;
/** The connections the users' requests came on (the probe's HEAD has its own). */
const connections = new Set<Socket>();

beforeAll(async () => {
  // Keep-alive (the helper's server keeps connections 30 s); /slow answers after 20 ms.
  server = await startHttpServer((req, res) => {
    if (req.method !== 'HEAD') connections.add(req.socket);
    // A session cookie, as after a login: the user's jar reads and stores it on every request.
    res.setHeader('set-cookie', 'session=abc123; Path=/; HttpOnly');
    if (req.url === '/slow') setTimeout(() => res.end('ok'), 20);
    else res.end('ok');
  });
});
afterAll(() => server?.close());

/** A short run of one user through the CLI: its result and its HTML report. */
async function run(scenario: string, name: string) {
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  const cli = await runCli([
    'load',
    '-f',
    `tests/fixtures/scenarios/phases/${scenario}.ts`,
    '--host',
    server.url,
    '-u',
    '1',
    '-t',
    '2s',
    '--no-typecheck',
    '--json',
    json,
    '--html',
    html,
    '-q',
  ]);
  expect(cli.code, cli.stderr).toBe(0);
  return { result: JSON.parse(readFileSync(json, 'utf8')), report: readFileSync(html, 'utf8') };
}

const QUEUED = /Requests waited .* before they went out|Promise\.all/;

describe('blocked is the wait for a connection (issue 26)', () => {
  it('one user, one request at a time on a kept-alive connection: never blocked, no queue diagnosis', async () => {
    connections.clear();
    const { result, report } = await run('one-at-a-time', 'one');
    const phases = result.totals.phases;
    expect(result.totals.failures).toBe(0);
    expect(result.totals.requests).toBeGreaterThan(10);
    expect(connections.size).toBe(1);
    // Nothing waited: not one request, and blocked says 0 (not the histograms' 1 us floor).
    expect(phases.blockedMs).toEqual({
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      p999: 0,
      max: 0,
    });
    expect(report).not.toMatch(QUEUED);
    expect(phases.waited).toBe(0);
    // The client's own time (building the request, handing the response back) is its own phase.
    expect(phases.clientMs.p50).toBeGreaterThan(0);
  }, 60_000);

  it('one user with 20 requests in flight over its six connections: they queue, and the report says so', async () => {
    connections.clear();
    const { result, report } = await run('burst', 'burst');
    const phases = result.totals.phases;
    expect(result.totals.failures).toBe(0);
    expect(connections.size).toBe(6);
    // Each burst of 20 sends 6 at once; the other 14 wait for one of those to end.
    const bursts = result.totals.requests / 20;
    expect(phases.waited).toBeGreaterThanOrEqual(14 * Math.floor(bursts));
    // Waiting behind a 20 ms answer, at least once: the wait is at least that answer's time.
    expect(phases.blockedMs.p90).toBeGreaterThanOrEqual(19);
    expect(report).toMatch(/Requests waited .* before they went out/);
    expect(report).toMatch(/[\d,]+ requests \([\d.]+%\) waited for a connection/);
  }, 60_000);
});
