import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { expectUserError, runCli, spawnCli } from '../helpers/cli.js';
import { call, startFiml } from '../helpers/fiml.js';
import { closedPort } from '../helpers/http-server.js';
import { UI_SCENARIO } from './helpers.js';

let fiml: RunningFiml;
beforeAll(async () => {
  fiml = await startFiml();
});
afterAll(async () => {
  await fiml?.close();
});

const scenario = ['-f', UI_SCENARIO, '--no-typecheck'];

describe('fiml-perf ui from the command line', () => {
  it('--autostart --autoquit runs one test unattended, writes its files and exits with its code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-ui-'));
    const run = await runCli([
      'ui',
      ...scenario,
      '--host',
      fiml.url,
      '--web-port',
      '0',
      '--autostart',
      '--autoquit',
      '0',
      '-u',
      '2',
      '-t',
      '2s',
      '--json',
      join(dir, 'result.json'),
      '--html',
      join(dir, 'report.html'),
      '--csv',
      join(dir, 'run'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/fiml-perf UI: http:\/\/127\.0\.0\.1:\d+\//);
    expect(run.stderr).toMatch(/Test 1 started: PriceUser against/);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.executor).toBe('steered');
    expect(result.config.executor).toMatchObject({ users: 2, durationMs: 2000 });
    expect(result.totals.requests).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(existsSync(join(dir, 'run_stats.csv'))).toBe(true);
  }, 60_000);

  it('a target missed in an unattended test: exit 1', async () => {
    const run = await runCli([
      'load',
      '--ui',
      ...scenario,
      '--host',
      fiml.url,
      '--web-port',
      '0',
      '--autostart',
      '--autoquit',
      '0',
      '-u',
      '1',
      '-t',
      '2s',
      '--target',
      'p99 < 0.001ms',
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/targets missed/);
  }, 60_000);

  it('beyond loopback it prints an address with a generated token, and refuses requests without it', async () => {
    const child = spawnCli([
      'ui',
      ...scenario,
      '--host',
      fiml.url,
      '--web-host',
      '0.0.0.0',
      '--web-port',
      '0',
    ]);
    let stderr = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d;
        const match = /fiml-perf UI: (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    try {
      const url = new URL(address);
      const token = url.searchParams.get('token');
      expect(token).toMatch(/^[\w-]{22}$/);
      const base = `http://127.0.0.1:${url.port}`;
      expect((await call(base, '/api/state')).status).toBe(401);
      const ok = await call(base, '/api/state', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 60_000);

  // Each starts its own process; they are independent, so they run side by side.
  it.concurrent.each([
    [['http://127.0.0.1:1/'], /the UI runs scenarios; quick mode/],
    [['--stages', '1s:1'], /--stages and --rate-stages are for fiml-perf load without --ui/],
    [['--only', 'p99'], /--only and --junit are not used by the UI/],
    [['--web-host', '0.0.0.0', '--web-token', 'short'], /--web-token.*16 characters/],
    [
      ['--web-host', '192.0.2.1', '--web-token', 'a-token-of-sixteen-chars'],
      /not an address of this machine/,
    ],
    [['--targets', '/no/such/targets.yaml'], /targets.yaml/],
  ])(
    'ui %j: one line, exit 2',
    async (args, pattern) => {
      expectUserError(
        await runCli(['ui', ...scenario, '--host', fiml.url, '--web-port', '0', ...args]),
        pattern,
      );
    },
    30_000,
  );

  it('a taken port, and an unreachable host with --autostart: one line, exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expectUserError(
        await runCli(['ui', ...scenario, '--host', fiml.url, '--web-port', String(port)]),
        new RegExp(`port ${port} on 127.0.0.1 is in use; pick another with --web-port`),
      );
    } finally {
      taken.close();
    }
    const closed = await closedPort();
    expectUserError(
      await runCli([
        'ui',
        ...scenario,
        '--host',
        `http://127.0.0.1:${closed}`,
        '--web-port',
        '0',
        '--autostart',
      ]),
      new RegExp(`127.0.0.1:${closed}`),
    );
  }, 30_000);
});
