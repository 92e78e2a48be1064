/**
 * Quick mode sends the scenario client's `User-Agent` and `Accept` but asks for no compression
 * unless `-H` does, so its figures compare with wrk's and autocannon's; `-H 'Name:'` removes a
 * default (issue 26, item 7). Counted on the server's side.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const BODY = 'quick '.repeat(500);
const GZIPPED = gzipSync(BODY);

/** Each request's headers, as `name: value` lines in the order sent, by the path it asked for. */
const seen = new Map<string, string[][]>();
const lines = (req: IncomingMessage) => {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    out.push(`${req.rawHeaders[i]?.toLowerCase()}: ${req.rawHeaders[i + 1]}`);
  return out;
};

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const url = req.url ?? '/';
    seen.set(url, [...(seen.get(url) ?? []), lines(req)]);
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? ''))
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(GZIPPED);
    else res.end(BODY);
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-quick-headers-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const quick = (path: string, extra: string[]) => {
  const json = join(dir, `${path}.json`);
  return runCli([
    'load',
    `${server.url}/${path}`,
    '-c',
    '1',
    '-d',
    '1s',
    '-q',
    '--json',
    json,
    ...extra,
  ]).then((run) => ({
    run,
    result: run.code === 0 ? (JSON.parse(readFileSync(json, 'utf8')) as RunResult) : undefined,
  }));
};

it("quick mode sends fiml-perf's User-Agent and Accept, no Accept-Encoding unless -H asks, and -H 'Name:' removes one", async () => {
  const [plain, asked] = await Promise.all([
    quick('plain', []),
    quick('asked', ['-H', 'Accept-Encoding: gzip', '-H', 'User-Agent:']),
  ]);
  expect(plain.run.code, plain.run.stderr).toBe(0);
  expect(asked.run.code, asked.run.stderr).toBe(0);

  const plainSeen = seen.get('/plain') ?? [];
  expect(plainSeen.length).toBeGreaterThanOrEqual(plain.result?.totals.requests ?? 1);
  for (const headers of plainSeen) {
    expect(headers.filter((h) => /^(user-agent|accept|accept-encoding):/.test(h))).toEqual([
      `user-agent: fiml-perf/${VERSION}`,
      'accept: */*',
    ]);
  }
  const askedSeen = seen.get('/asked') ?? [];
  expect(askedSeen.length).toBeGreaterThanOrEqual(asked.result?.totals.requests ?? 1);
  for (const headers of askedSeen) {
    expect(headers.filter((h) => /^(user-agent|accept|accept-encoding):/.test(h))).toEqual([
      'accept: */*',
      'accept-encoding: gzip',
    ]);
  }
  // Quick mode does not decode: it counts the response as it came (its head too, as wrk does),
  // the same in both columns.
  const sizes = (r: RunResult | undefined) => [r?.totals.avgBytes, r?.totals.avgWireBytes];
  const [plainBytes] = sizes(plain.result);
  const [askedBytes, askedWire] = sizes(asked.result);
  expect(plainBytes).toBeGreaterThan(BODY.length);
  expect(askedBytes).toBeGreaterThan(GZIPPED.length);
  expect(askedBytes).toBeLessThan(GZIPPED.length + 200);
  expect(askedWire).toBe(askedBytes);
}, 120_000);
