/**
 * A scenario's requests carry a user agent, `Accept` and `Accept-Encoding` as real clients do, a
 * compressed answer is decoded, and both sizes are recorded; each default can be changed or
 * removed per user and per request (issue 26, item 7: httpbin saw only Host and Connection).
 * Counted on the server's side, through the CLI with the type check on (the overrides are typed).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const BODY = 'fiml-perf '.repeat(2000);
const GZIPPED = gzipSync(BODY);
/** The body of each redirect of /hop/N. */
const MOVED = 'moved';

interface Seen {
  readonly url: string;
  /** Every value of these headers as the request carried them (repeated names included). */
  readonly agent: string[];
  readonly accept: string[];
  readonly encoding: string[];
  readonly gzipped: boolean;
}
const seen: Seen[] = [];

function values(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]?.toLowerCase() === name) out.push(req.rawHeaders[i + 1] as string);
  return out;
}

let server: TestServer;
let dir: string;
beforeAll(async () => {
  // Compresses only for a client that asks, as most servers and CDNs do.
  server = await startHttpServer((req, res) => {
    const url = req.url ?? '/';
    const encoding = values(req, 'accept-encoding');
    const hop = /^\/hop\/(\d+)/.exec(url);
    const gzipped = !(hop && hop[1] !== '0') && /\bgzip\b/.test(encoding.join(','));
    seen.push({
      url,
      agent: values(req, 'user-agent'),
      accept: values(req, 'accept'),
      encoding,
      gzipped,
    });
    if (hop && hop[1] !== '0')
      res.writeHead(302, { location: `/hop/${Number(hop[1]) - 1}` }).end(MOVED);
    else if (gzipped) res.writeHead(200, { 'content-encoding': 'gzip' }).end(GZIPPED);
    else res.end(BODY);
  });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-headers-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const SCENARIO = `import { constant, task, User, type HttpResponse } from 'fiml-perf';

const whole = (r: HttpResponse) =>
  r.text === 'fiml-perf '.repeat(2000) || \`got \${r.bytes} bytes: \${r.text.slice(0, 30)}\`;

export default class Reader extends User {
  static override waitTime = constant(0.02);
  static override tasks = [task(1, 'read')];

  override async onStart() {
    // This user's own agent, for all its requests.
    if (this.id % 2 === 1) this.client.headers['user-agent'] = 'odd-user';
  }

  async read() {
    await this.client.get('/page?as=default', { check: whole });
    await this.client.get('/page?as=plain', {
      name: 'plain',
      headers: { 'Accept-Encoding': null },
      check: whole,
    });
    await this.client.get('/page?as=agent', {
      name: 'agent',
      headers: { 'User-Agent': 'per-request' },
      check: whole,
    });
    await this.client.get('/hop/3', { name: 'chain', check: whole });
  }
}
`;

it('sends a user agent, Accept and Accept-Encoding, decodes gzip, and lets a user or a request change them', async () => {
  const file = join(dir, 'reader.ts');
  writeFileSync(file, SCENARIO);
  const prefix = join(dir, 'run');
  const run = await runCli([
    'load',
    '-f',
    file,
    '--host',
    server.url,
    '-u',
    '2',
    '-t',
    '2s',
    '-q',
    '--json',
    `${prefix}.json`,
    '--csv',
    prefix,
  ]);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as RunResult;
  expect(result.errors).toEqual([]);

  // The server's side: one of each header a request, never two (a request's `User-Agent` replaces
  // the default `user-agent`, whatever the case).
  const of = (as: string) => seen.filter((s) => s.url === `/page?as=${as}`);
  const agents = new Set(seen.map((s) => s.agent.join(' | ')));
  expect(agents).toEqual(new Set([`fiml-perf/${VERSION}`, 'odd-user', 'per-request']));
  expect(new Set(of('agent').map((s) => s.agent.join(' | ')))).toEqual(new Set(['per-request']));
  for (const s of seen) {
    expect(s.accept, s.url).toEqual(['*/*']);
    expect(s.encoding, s.url).toEqual(s.url === '/page?as=plain' ? [] : ['gzip, deflate, br']);
  }
  const gzipped = of('default').filter((s) => s.gzipped).length;
  expect(gzipped).toBe(of('default').length);
  expect(of('plain').every((s) => !s.gzipped)).toBe(true);

  // Both sizes: the body as decoded (Locust's "Average Content Size") and as it came.
  const endpoint = (name: string) => result.endpoints.find((e) => e.name === name);
  const page = endpoint('/page');
  expect(page?.requests).toBeGreaterThan(0);
  // Requests cut off by the stop are not counted; the server saw them.
  expect(page?.requests).toBeLessThanOrEqual(gzipped);
  expect([page?.avgBytes, page?.avgWireBytes]).toEqual([BODY.length, GZIPPED.length]);
  expect([endpoint('plain')?.avgBytes, endpoint('plain')?.avgWireBytes]).toEqual([
    BODY.length,
    BODY.length,
  ]);
  const rows = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
  const header = (rows[0] as string).split(',');
  const row = (rows.find((r) => r.split(',')[1] === '/page') as string).split(',');
  expect(row[header.indexOf('Average Content Size')]).toBe(String(BODY.length));
  expect(row[header.indexOf('Average Wire Size')]).toBe(String(GZIPPED.length));
}, 180_000);
