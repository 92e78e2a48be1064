import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { runCli } from '../helpers/cli.js';
import { startHttp2Server, type TestServer, tlsFixturePath } from '../helpers/http-server.js';

let server: TestServer;
let dir: string;
const versions = new Set<string>();

beforeAll(async () => {
  server = await startHttp2Server(
    (req, res) => {
      versions.add(req.httpVersion);
      res.end('{"ok":true}');
    },
    { tls: true },
  );
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-h2-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fiml-perf load: quick mode over HTTP/2', () => {
  it('runs against an HTTPS server trusted with --ca, 2 connections of 2 streams', async () => {
    const json = join(dir, 'h2.json');
    const run = await runCli([
      'load',
      `${server.url}/`,
      '--http2',
      '--ca',
      tlsFixturePath('ca'),
      '-c',
      '2',
      '-p',
      '2',
      '-d',
      '1s',
      '--json',
      json,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    expect(result.totals.requests).toBeGreaterThan(10);
    expect(result.totals.failures).toBe(0);
    expect(result.endpoints[0]).toMatchObject({ method: 'GET', name: '/' });
    expect(versions).toEqual(new Set(['2.0']));
  });
});
