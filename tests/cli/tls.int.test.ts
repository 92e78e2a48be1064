import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { expectUserError, runCli } from '../helpers/cli.js';
import { startHttpsServer, type TestServer, tlsFixturePath } from '../helpers/http-server.js';

let selfSigned: TestServer;
let mutual: TestServer;
let dir: string;
let scenario: string;
beforeAll(async () => {
  const handler = (
    _req: unknown,
    res: { setHeader(k: string, v: string): void; end(b: string): void },
  ) => {
    res.setHeader('set-cookie', 'seen=1; Path=/');
    res.end('ok');
  };
  selfSigned = await startHttpsServer(handler, { certificate: 'self-signed' });
  mutual = await startHttpsServer(handler, { requireClientCert: true });
  dir = mkdtempSync(join(tmpdir(), 'fiml-perf-tls-'));
  scenario = join(dir, 'home.ts');
  writeFileSync(
    scenario,
    "import { constant, task, User } from 'fiml-perf';\nexport default class Home extends User {\n  static override waitTime = constant(0.05);\n  static override tasks = [task(1, 'home')];\n  async home() {\n    await this.client.get('/');\n  }\n}\n",
  );
});
afterAll(async () => {
  await Promise.all([selfSigned.close(), mutual.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const run = (host: string, ...flags: string[]) =>
  runCli([
    'load',
    '-f',
    scenario,
    '--no-typecheck',
    '--host',
    host,
    '-u',
    '2',
    '-t',
    '1s',
    '-q',
    ...flags,
  ]);

describe('fiml-perf load over TLS', () => {
  it('a self-signed server: one line naming --ca and --insecure, exit 2', async () => {
    expectUserError(
      await run(selfSigned.url),
      /TLS with https:.*certificate is not trusted.*--ca FILE.*--insecure/,
    );
  });

  it('--insecure runs against it, and --phases prints where the time went', async () => {
    const json = join(dir, 'insecure.json');
    const result = await run(selfSigned.url, '--insecure', '--phases', '--json', json);
    expect(result.code, result.stderr).toBe(0);
    const written = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    expect(written.totals.requests).toBeGreaterThan(5);
    expect(written.totals.failures).toBe(0);
    expect(written.totals.phases?.newConnections).toBe(2);
    expect(result.stdout).toMatch(/TLS/);
    expect(result.stdout).toMatch(/TTFB/);
  });

  it("targets' health probes use the run's TLS settings too", async () => {
    const json = join(dir, 'uptime.json');
    const result = await run(
      selfSigned.url,
      '--insecure',
      '--target',
      'uptime > 99%',
      '--json',
      json,
    );
    expect(result.code, result.stderr).toBe(0);
    const written = JSON.parse(readFileSync(json, 'utf8')) as RunResult & {
      service: { uptime: { ok: number; total: number } | null };
    };
    expect(written.service.uptime?.total).toBeGreaterThan(0);
    expect(written.service.uptime?.ok).toBe(written.service.uptime?.total);
  });

  it('with workers, phases and new connections merge exactly', async () => {
    const json = join(dir, 'workers.json');
    const result = await run(selfSigned.url, '--insecure', '-u', '4', '-w', '2', '--json', json);
    expect(result.code, result.stderr).toBe(0);
    const written = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    expect(written.generator.workers).toBe(2);
    expect(written.totals.phases?.newConnections).toBe(4);
    expect(written.endpoints[0]?.phases?.newConnections).toBe(4);
    expect(written.timeseries.reduce((n, row) => n + row.newConnections, 0)).toBe(4);
    expect(written.totals.phases?.tlsMs.p50).toBeGreaterThan(0);
  });

  it('mutual TLS: without a client certificate the probe says which flags to add', async () => {
    const ca = tlsFixturePath('ca');
    expectUserError(
      await run(mutual.url, '--ca', ca),
      /client certificate.*--cert FILE and --key FILE/,
    );
    const ok = await run(
      mutual.url,
      '--ca',
      ca,
      '--cert',
      tlsFixturePath('client'),
      '--key',
      tlsFixturePath('client-key'),
    );
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('bad TLS flags are one-line errors', async () => {
    expectUserError(
      await run(mutual.url, '--cert', tlsFixturePath('client')),
      /--cert and --key go together/,
    );
    expectUserError(
      await run(mutual.url, '--ca', join(dir, 'none.pem')),
      /--ca .*none\.pem: no such file/,
    );
    expectUserError(await run(mutual.url, '--ca', scenario), /--ca .*home\.ts is not PEM/);
    expectUserError(
      await run(mutual.url, '-p', '4'),
      /-p\/--streams is for quick mode over HTTP\/2/,
    );
    // The server's key with the client's certificate.
    expectUserError(
      await run(
        mutual.url,
        '--cert',
        tlsFixturePath('client'),
        '--key',
        tlsFixturePath('server-key'),
      ),
      /--cert .*client\.pem and --key .*server-key\.pem cannot be used .*give the key that belongs to the certificate/,
    );
  });
});
