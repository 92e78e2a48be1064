import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import type { TargetedResult } from '../../src/targets/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { startHttpServer } from '../helpers/http-server.js';
import { until } from '../helpers/until.js';
import { startUi } from './helpers.js';

let fiml: RunningFiml;
beforeAll(async () => {
  fiml = await startFiml();
});
afterAll(async () => {
  await fiml?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a UI test through its life', () => {
  it('a reset with --window: windows start at the reset, none mixes before and after', async () => {
    const ui = await startUi(fiml.url, {
      targetSettings: {
        windowMs: 1000,
        abortOnFail: false,
        abortDelayMs: 10_000,
        allowUnknown: false,
        healthPath: '/health',
        metricsPath: '/metrics',
      },
    });
    try {
      await ui.session.start({
        host: '',
        classes: [],
        model: 'closed',
        users: 3,
        spawnRate: 100,
        rate: 1,
        maxUsers: 10,
        runTime: '',
        targetsFile: '',
        targets: ['rps > 1', 'error_rate < 1%'],
      });
      await sleep(1600);
      ui.session.reset();
      await sleep(2200);
      ui.session.stop();
      await ui.session.settled();
      const result = ui.session.result as TargetedResult;
      const rps = result.targets.outcomes.find((o) => o.name === 'rps > 1');
      expect(rps?.verdict).toBe('pass');
      expect(rps?.windows?.judged).toBeGreaterThanOrEqual(2);
      expect(rps?.windows?.failed).toEqual([]);
    } finally {
      await ui.server.close();
    }
  }, 30_000);

  it("a test that fails: no files, and not the last test's either; the page says why", async () => {
    const ui = await startUi(fiml.url, { scenarioFile: '/no/such/scenario.ts', workers: 2 });
    try {
      const started = await call(ui.base, '/api/start', { method: 'POST', body: { users: 2 } });
      expect(started.status).toBe(202);
      await ui.session.settled();
      const state = await call(ui.base, '/api/state');
      expect(state.body.state).toBe('stopped');
      expect(state.body.run.error).toMatch(/scenario/);
      expect(state.body.run.ended.code).toBe(2);
      const download = await call(ui.base, '/api/download/result.json');
      expect(download.status).toBe(409);
      expect(download.body.error).toMatch(/^test 1 failed \(.*\): it has no files$/);
      const history = await call(ui.base, '/api/history');
      expect(history.body.rows).toEqual([]);
    } finally {
      await ui.server.close();
    }
  }, 30_000);

  it('stop while a test is starting: it does not start, and the UI is ready again', async () => {
    // A service whose metrics take a while: the test is 'starting' during the first scrape.
    const slow = await startHttpServer((req, res) => {
      if (req.url === '/metrics') setTimeout(() => res.end('# nothing\n'), 1500);
      else res.end('ok');
    });
    const ui = await startUi(slow.url);
    try {
      const start = ui.session.start({
        host: '',
        classes: [],
        model: 'closed',
        users: 1,
        spawnRate: 1,
        rate: 1,
        maxUsers: 1,
        runTime: '',
        targetsFile: '',
        targets: [],
      });
      const settled = start.then(
        () => 'started',
        (error: Error) => error.message,
      );
      // Waited for: the first scrape takes 1.5 s, so it is 'starting' for that long.
      await until(() => ui.session.state === 'starting', "the test 'starting'");
      const stop = await call(ui.base, '/api/stop', { method: 'POST', body: {} });
      expect(stop.status).toBe(202);
      expect(await settled).toBe('the test was stopped before it started');
      expect(ui.session.state).toBe('ready');
      expect(ui.session.current).toBeNull();
    } finally {
      await ui.server.close();
      await slow.close();
    }
  }, 30_000);
});
