import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { call } from '../helpers/fiml.js';

describe('fiml-perf CLI', () => {
  it('prints help for the program and for serve', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('serve');
    const serve = await runCli(['serve', '--help']);
    expect(serve.code).toBe(0);
    for (const flag of ['--port', '--host', '--redis', '--seed', '--enable-fault-injection']) {
      expect(serve.stdout).toContain(flag);
    }
  });

  it('refuses unknown commands and flags with one line and exit 2', async () => {
    expectUserError(await runCli(['serve', '--bogus']), /unknown option '--bogus'.*--help/);
    expectUserError(await runCli(['launch']), /unknown command 'launch'/);
  });

  it('refuses bad values, naming each flag at fault', async () => {
    const result = await runCli([
      'serve',
      '--port',
      '70000',
      '--seed',
      '-1',
      '--redis',
      'localhost',
    ]);
    expectUserError(result, /--port "70000".*--redis "localhost".*--seed "-1"/);
  });

  it('says so when Redis does not answer', async () => {
    expectUserError(
      await runCli(['serve', '--port', '0', '--redis', 'redis://127.0.0.1:1']),
      /cannot reach Redis.*ECONNREFUSED/,
    );
  });

  describe('with the port taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer().listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('says the port is in use and how to pick another', async () => {
      expectUserError(
        await runCli(['serve', '--port', String(port)]),
        `port ${port} on 127.0.0.1 is already in use`,
      );
    });
  });

  it('serves FIML, prints where the endpoints are, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['serve', '--port', '0', '--latency-scale', '0']);
    const [, url] = await waitForOutput(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = await call(url!, '/health');
    expect(health.body.status).toBe('healthy');
    const price = await call(url!, '/mcp/tools/get_price', { query: { symbol: 'AAPL' } });
    expect(price.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
