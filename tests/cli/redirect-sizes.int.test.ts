/**
 * A redirect chain's size under Locust's "Average Content Size" is the final response's, as
 * Locust's (python-requests' `len(response.content)`) is; the bytes of every hop, as they came,
 * are in our own column (issue 26, item 8: a 3-hop redirect added every hop's body).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const FINAL = 'x'.repeat(1000);
const GZIPPED = gzipSync(FINAL);
/** Each redirect's own body, as httpbin's and most servers' redirects have one. */
const MOVED = 'Redirecting to the next hop...';
const HOPS = 3;

let server: TestServer;
let dir: string;
let served = 0;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const hop = Number(/^\/hop\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    if (hop > 0) res.writeHead(302, { location: `/hop/${hop - 1}` }).end(MOVED);
    else {
      served++;
      // The final response compressed, as the client asks by default.
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(GZIPPED);
    }
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-redirect-sizes-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it("reports a redirect chain's last response under Average Content Size and the chain's bytes under Average Wire Size", async () => {
  const file = join(dir, 'chain.mjs');
  writeFileSync(
    file,
    `import { constant, task, User } from 'fiml-perf';
export default class Chain extends User {
  static waitTime = constant(0.02);
  static tasks = [task(1, 'go')];
  async go() {
    await this.client.get('/hop/${HOPS}', { name: 'chain' });
  }
}
`,
  );
  const prefix = join(dir, 'run');
  const run = await runCli([
    'load',
    '-f',
    file,
    '--no-typecheck',
    '--host',
    server.url,
    '-u',
    '2',
    // On worker threads: the sizes cross from each worker's delta to the run's figures.
    '-w',
    '2',
    '-t',
    '1s',
    '-q',
    '--json',
    `${prefix}.json`,
    '--csv',
    prefix,
  ]);
  expect(run.code, run.stderr).toBe(0);
  const chain = (JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as RunResult).endpoints.find(
    (e) => e.name === 'chain',
  );
  expect(chain?.requests).toBeGreaterThan(0);
  expect(chain?.requests).toBeLessThanOrEqual(served);
  const wire = GZIPPED.length + HOPS * MOVED.length;
  expect([chain?.avgBytes, chain?.avgWireBytes]).toEqual([FINAL.length, wire]);

  const [header, ...rows] = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
  const columns = (header as string).split(',');
  const row = (rows.find((r) => r.split(',')[1] === 'chain') as string).split(',');
  expect(row[columns.indexOf('Average Content Size')]).toBe(String(FINAL.length));
  expect(row[columns.indexOf('Average Wire Size')]).toBe(String(wire));
}, 120_000);
