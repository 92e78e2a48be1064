import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { task, User } from '../../src/load/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { closed, runScenario } from '../helpers/load.js';

const SLOW_MS = 60;

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    setTimeout(() => res.end('{}'), req.url === '/slow' ? SLOW_MS : 0);
  });
});
afterAll(() => server.close());

class FastAndSlow extends User {
  static override tasks = [task(1, 'both')];
  async both() {
    await this.client.get('/fast', { name: 'fast' });
    await this.client.get('/slow', { name: 'slow' });
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('per-endpoint series of a run', () => {
  it('a series per endpoint, whose rows add up to its requests, each drawn from its own latencies', async () => {
    const result = await runScenario(server.url, [FastAndSlow], closed(4, 2500));
    expect(result.schemaVersion).toBe(2);
    const series = result.endpointSeries!;
    expect(Object.keys(series).sort()).toEqual(['GET fast', 'GET slow']);
    for (const endpoint of result.endpoints) {
      const s = series[`${endpoint.method} ${endpoint.name}`]!;
      expect(s.stepS).toBe(1);
      expect(sum(s.requests)).toBe(endpoint.requests);
      expect(sum(s.failures)).toBe(0);
      for (const column of [s.requests, s.p50, s.p90, s.p95, s.p99, s.max])
        expect(column).toHaveLength(s.t.length);
      // Every row is a second of the run's own series.
      for (const t of s.t) expect(result.timeseries.map((row) => row.t)).toContain(t);
    }
    const fast = series['GET fast']!;
    const slow = series['GET slow']!;
    expect(slow.t.length).toBeGreaterThanOrEqual(2);
    for (const [i, t] of slow.t.entries()) {
      expect(slow.p50[i]).toBeGreaterThanOrEqual(SLOW_MS);
      const j = fast.t.indexOf(t);
      // Medians, not p99s: on a loaded machine a few fast requests wait behind the event loop
      // as long as a slow one (a loaded run's p99s crossed); series drawn from every latency
      // would have the same median.
      if (j >= 0) expect(slow.p50[i]).toBeGreaterThan(fast.p50[j]!);
    }
  });
});
