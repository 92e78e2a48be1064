/**
 * What the scenario client makes of compressed bodies beyond the plain case (issue 26, item 7):
 * a big one is decoded and counted whole though only its start is kept, one that does not decode
 * fails the request, and a coding it does not know or a response with no body is left as it came.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UserConnections, UserHttpClient } from '../../src/load/index.js';
import { StatsRecorder } from '../../src/stats/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const BIG = Buffer.alloc(3 << 20, 'z');
const BIG_GZIPPED = gzipSync(BIG);

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/big') res.writeHead(200, { 'content-encoding': 'gzip' }).end(BIG_GZIPPED);
    else if (req.url === '/corrupt')
      res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
    else if (req.url === '/zstd') res.writeHead(200, { 'content-encoding': 'zstd' }).end('as is');
    else if (req.url === '/empty') res.writeHead(204, { 'content-encoding': 'gzip' }).end();
    else res.writeHead(404).end();
  });
});
afterAll(() => server.close());

function client() {
  const recorder = new StatsRecorder();
  return {
    recorder,
    client: new UserHttpClient(new UserConnections(), { host: server.url, sink: recorder }),
  };
}

it('decodes a big body whole, counts it decoded, and keeps only its start', async () => {
  const { client: c, recorder } = client();
  const r = await c.get('/big');
  expect(r.ok).toBe(true);
  expect([r.bytes, r.wireBytes, r.text.length, r.truncated]).toEqual([
    BIG.length,
    BIG_GZIPPED.length,
    1 << 20,
    true,
  ]);
  expect(r.text.startsWith('zzzz')).toBe(true);
  const e = recorder.endpoints.get('GET /big');
  expect([e?.bytes, e?.wireBytes]).toEqual([BIG.length, BIG_GZIPPED.length]);
});

it('fails a body that does not decode, saying why', async () => {
  const { client: c, recorder } = client();
  const r = await c.get('/corrupt');
  expect(r.failure).toMatchObject({ kind: 'other', status: 200 });
  expect(r.failure?.message).toMatch(/^the gzip body could not be decoded: /);
  expect(recorder.failures).toBe(1);
  // The connection is still good for the next request.
  expect((await c.get('/zstd')).ok).toBe(true);
});

it('leaves a coding it does not know, and a response without a body, as they came', async () => {
  const { client: c } = client();
  const zstd = await c.get('/zstd');
  expect([zstd.text, zstd.bytes, zstd.wireBytes]).toEqual(['as is', 5, 5]);
  const empty = await c.get('/empty');
  expect([empty.ok, empty.status, empty.bytes, empty.wireBytes]).toEqual([true, 204, 0, 0]);
  const head = await c.request('HEAD', '/big');
  expect([head.ok, head.bytes, head.wireBytes]).toEqual([true, 0, 0]);
});
