import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { task, User } from '../../src/load/index.js';
import { analyse } from '../../src/report/analysis/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { closed, runScenario } from '../helpers/load.js';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url === '/fail') {
      res.statusCode = 503;
      res.end('unavailable');
    } else setTimeout(() => res.end('ok'), req.url === '/slow' ? 20 : 0);
  });
});
afterAll(() => server.close());

class Mixed extends User {
  static override tasks = [task(6, 'fast'), task(2, 'slow'), task(1, 'fail')];
  async fast() {
    await this.client.get('/fast', { name: 'fast' });
  }
  async slow() {
    await this.client.get('/slow', { name: 'slow' });
  }
  async fail() {
    await this.client.get('/fail', { name: 'fail' });
  }
}

describe('the analysis of a real run', () => {
  it('reads a short loopback run without throwing, and its figures agree with the result', async () => {
    const result = await runScenario(server.url, [Mixed], closed(4, 1500));
    const analysis = analyse({ result });
    expect(analysis.summary.sentences.length).toBeGreaterThan(2);
    expect(analysis.summary.figures.requests).toBe(result.totals.requests);
    expect(analysis.summary.figures.valid).toBe(!result.generator.saturated);
    expect(analysis.ranges.total).toBe(result.totals.requests);
    expect(analysis.ranges.ranges.reduce((n, r) => n + r.count, 0)).toBe(result.totals.requests);
    expect(analysis.ranges.failed.count).toBe(result.totals.failures);
    expect(analysis.distribution.reduce((n, b) => n + b.count, 0)).toBe(result.totals.requests);
    expect(analysis.nextSteps.length).toBeGreaterThan(0);
    // One request in nine fails with 503, all on 'fail': the failure rules see it.
    expect(result.totals.failures).toBeGreaterThan(0);
    const ids = analysis.findings.map((f) => f.id);
    expect(ids).toContain('error-rate');
    if (result.totals.failures >= 10) {
      expect(ids).toContain('failures-on-one-endpoint');
      expect(ids).toContain('failures-one-status');
    }
    for (const f of analysis.findings) expect(f.evidence.length).toBeGreaterThan(0);
  });
});
