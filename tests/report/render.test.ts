import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../src/report/html/build.js';
import type { ReportResult } from '../../src/report/html/report-run.js';
import { MAX_POINTS, seriesFromEndpoint, seriesFromRows } from '../../src/report/html/series.js';
import type { SecondRow } from '../../src/stats/index.js';

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url)), 'utf8'),
) as ReportResult;

describe('report figures', () => {
  it("a target's margin is in the figure's own unit: p99 < 0.5s against milliseconds", () => {
    const p99 = fixture.totals.latencyMs.p99;
    const result = {
      ...fixture,
      targets: {
        outcomes: [
          {
            name: 'p99',
            expression: 'p99 < 0.5s',
            threshold: '< 0.5s',
            actual: `${p99}ms`,
            value: p99,
            verdict: 'pass' as const,
            detail: '',
          },
          {
            name: 'cache',
            expression: 'cache_hit_rate > 80%',
            threshold: '> 80%',
            actual: '90%',
            value: 0.9,
            verdict: 'pass' as const,
            detail: '',
          },
        ],
        summary: { pass: 2, fail: 0, unknown: 0 },
        windowSeconds: null,
        abortedBy: null,
      },
    } as ReportResult;
    const { html } = buildRunReport(result);
    const margin = (500 - p99) / 500;
    expect(html).toContain(`data-v="${margin}">+${(margin * 100).toFixed(1)}%`);
    expect(html).toContain('>+12.5%</td>');
  });

  it("a stress run's verdict is its kind's, not a count of targets it had none of", () => {
    const result = {
      ...fixture,
      generator: { ...fixture.generator, saturated: false },
      targets: {
        outcomes: [],
        summary: { pass: 0, fail: 0, unknown: 0 },
        windowSeconds: null,
        abortedBy: null,
      },
      stress: {
        kind: 'spike',
        normalRate: 10,
        spikeRate: 100,
        phases: { beforeS: 2, spikeS: 2, afterS: 3 },
        before: { p95Ms: 5, errorRate: 0 },
        peak: { p95Ms: 900, atS: 3, errorRate: 0.2, failures: 40 },
        recoveryS: null,
        maxRecoveryS: 3,
        verdict: 'fail',
      },
    } as unknown as ReportResult;
    const { html, markdown } = buildRunReport(result);
    expect(html).toMatch(/FAIL<\/strong><span>The spike test's verdict is fail/);
    expect(html).not.toMatch(/0 targets/);
    expect(markdown).not.toMatch(/All 0 targets|All targets met/);
  });

  it('long series are bucketed to at most 1,000 points, keeping the worst second', () => {
    const rows = Array.from(
      { length: 3600 },
      (_, i): SecondRow => ({
        t: i + 1,
        timestamp: i,
        users: 10,
        requests: 100,
        failures: 0,
        rps: 100,
        p50: 1,
        p66: 1,
        p75: 1,
        p80: 1,
        p90: 2,
        p95: 3,
        p98: 3,
        p99: i === 1234 ? 900 : 4,
        p999: 5,
        p9999: 5,
        max: 6,
        newConnections: 0,
        totalRequests: 0,
        totalFailures: 0,
      }),
    );
    const s = seriesFromRows(rows);
    expect(s.t.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(Math.max(...s.p99)).toBe(900);
    expect(s.rps.every((v) => v === 100)).toBe(true);
    const endpoint = seriesFromEndpoint({
      stepS: 1,
      t: rows.map((r) => r.t),
      requests: rows.map(() => 20),
      failures: rows.map((_, i) => (i % 10 === 0 ? 1 : 0)),
      p50: rows.map(() => 1),
      p90: rows.map(() => 2),
      p95: rows.map(() => 3),
      p99: rows.map((r) => r.p99),
      max: rows.map(() => 6),
    });
    expect(endpoint.t.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(endpoint.rps.every((v) => v === 20)).toBe(true);
    expect(Math.max(...endpoint.p99)).toBe(900);
    // The bucketed failure rate keeps the total: 360 failures over 3,600 s.
    const seconds = 3600 / endpoint.t.length;
    expect(endpoint.failures.reduce((a, b) => a + b, 0) * seconds).toBeCloseTo(360, 0);
  });
});
