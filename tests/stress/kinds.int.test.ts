import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { task, User } from '../../src/load/index.js';
import { runBreakpoint, runEndurance, runPeak, runSpike } from '../../src/stress/index.js';
import { targetFromFlag } from '../../src/targets/index.js';
import { startFiml } from '../helpers/fiml.js';
import { stressEnv } from './helpers.js';

class PriceUser extends User {
  static override tasks = [task(1, 'price')];
  async price() {
    await this.client.get('/mcp/tools/get_price', { query: { symbol: 'AAPL' }, name: 'price' });
  }
}

let fiml: RunningFiml;
beforeAll(async () => {
  fiml = await startFiml();
});
afterAll(() => fiml.close());

const env = () => stressEnv(fiml.url, [PriceUser]);

describe('stress kinds on a real FIML (short runs)', () => {
  it('peak runs factor x normal and judges its two criteria', async () => {
    const options = {
      normalRate: 20,
      factor: 2,
      durationMs: 2000,
      maxErrorRate: 0.05,
      maxP95Ms: 60_000,
    };
    const ok = await runPeak(env(), options);
    expect(ok.result.stress).toMatchObject({
      kind: 'peak',
      rate: 40,
      normalRate: 20,
      errorRate: 0,
      verdict: 'pass',
    });
    expect(ok.passed).toBe(true);
    expect(ok.result.totals.requests).toBeGreaterThan(40);
    const strict = await runPeak(env(), { ...options, maxP95Ms: 0.001 });
    expect(strict.passed).toBe(false);
    expect(strict.result.stress.verdict).toBe('fail');
    expect(strict.lines.at(-1)).toBe('Verdict: FAIL');
  });

  it('spike steps to factor x normal and back, and reports the peak and the recovery', async () => {
    const outcome = await runSpike(env(), {
      normalRate: 20,
      factor: 5,
      beforeMs: 2000,
      spikeMs: 2000,
      afterMs: 3000,
      maxRecoveryMs: 60_000,
      settleMs: 1000,
    });
    const s = outcome.result.stress;
    expect(s).toMatchObject({
      kind: 'spike',
      spikeRate: 100,
      phases: { beforeS: 2, spikeS: 2, afterS: 3 },
    });
    expect(s.before.p95Ms).toBeGreaterThan(0);
    expect(s.peak.p95Ms).toBeGreaterThan(0);
    // The spike's second carries about five times the requests of a second before it.
    const rows = outcome.result.timeseries;
    const during = Math.max(...rows.filter((r) => r.t > 2.5 && r.t <= 4).map((r) => r.requests));
    const before = Math.max(...rows.filter((r) => r.t > 1 && r.t <= 2).map((r) => r.requests));
    expect(during).toBeGreaterThan(before * 2.5);
    if (s.recoveryS !== null) expect(s.recoveryS).toBeGreaterThanOrEqual(0);
    expect(outcome.passed).toBe(s.recoveryS !== null);
  });

  it('endurance fits trends over windows, with the service memory from its metrics', async () => {
    const outcome = await runEndurance(env(), {
      normalRate: 30,
      durationMs: 8000,
      windowMs: 2000,
      maxP95Growth: 0.2,
      maxErrorGrowth: 0.01,
      maxMemoryGrowth: 10,
    });
    const s = outcome.result.stress;
    expect(s.windows.length).toBeGreaterThanOrEqual(3);
    for (const w of s.windows) {
      expect(w.rssMb).toBeGreaterThan(10);
      expect(w.errorRate).toBe(0);
    }
    expect(s.rssMb).not.toBeNull();
    expect(s.rssMb!.low).toBeLessThanOrEqual(s.rssMb!.high);
    expect(s.errorRate!.perHour).toBe(0);
    expect(['stable', 'degrading']).toContain(s.verdict);
  });

  it('breakpoint stops at the first step that breaks a target and names it', async () => {
    const broken = await runBreakpoint(env(), {
      startRate: 10,
      stepRate: 10,
      stepMs: 2000,
      maxRate: 40,
      expectRate: 10,
      targets: [targetFromFlag('p50 < 1us')],
    });
    expect(broken.result.stress).toMatchObject({
      sustainableRate: null,
      brokeAt: 10,
      verdict: 'fail',
    });
    expect(broken.result.stress.brokeBy[0]!.target).toBe('p50 < 1us');
    // It stopped early: far fewer than the four steps' iterations.
    expect(broken.result.stress.steps.length).toBeLessThan(4);

    const held = await runBreakpoint(env(), {
      startRate: 10,
      stepRate: 10,
      stepMs: 2000,
      maxRate: 30,
      expectRate: 30,
      targets: [targetFromFlag('error_rate < 50%')],
    });
    expect(held.result.stress.steps.map((s) => [s.rate, s.held])).toEqual([
      [10, true],
      [20, true],
      [30, true],
    ]);
    expect(held.result.stress).toMatchObject({
      sustainableRate: 30,
      brokeAt: null,
      verdict: 'pass',
    });
  });
});
