/**
 * `_stats_history.csv` has Locust 2.x's columns and writes what Locust writes where there is no
 * figure: N/A in the percentile columns of a second without requests, 0 in the Total columns
 * before the first request (issue 26, item 5). The header itself is checked against a real
 * Locust's in csv-like-locust.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { historyCsv } from '../../src/report/index.js';
import { StatsRecorder } from '../../src/stats/index.js';
import { parseCsv } from '../helpers/csv.js';
import { makeResult } from './fixtures.js';

function history(recorder: StatsRecorder): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(
    historyCsv({
      ...makeResult({ endpoints: [] }),
      timeseries: recorder.series,
    }),
  );
  return rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i] as string])));
}

describe('_stats_history.csv', () => {
  it("writes Locust's N/A and 0 before the first request, and the run's totals after it", () => {
    const recorder = new StatsRecorder(0);
    recorder.tick(1000, 1); // a second before any request
    recorder.record('GET', '/a', 10_000, 100);
    recorder.record('GET', '/a', 30_000, 300, { kind: 'http', message: '500', status: 500 });
    recorder.tick(2000, 1);
    recorder.tick(3000, 1); // a quiet second
    recorder.record('GET', '/b', 20_000, 200);
    recorder.tick(4000, 1);
    const [before, first, quiet, last] = history(recorder);
    const percentiles = [
      '50%',
      '66%',
      '75%',
      '80%',
      '90%',
      '95%',
      '98%',
      '99%',
      '99.9%',
      '99.99%',
      '100%',
    ];
    for (const p of percentiles) {
      expect(before![p], p).toBe('N/A');
      expect(quiet![p], p).toBe('N/A');
    }
    expect(before).toMatchObject({
      Name: 'Aggregated',
      'Total Request Count': '0',
      'Total Median Response Time': '0',
      'Total Average Response Time': '0',
      'Total Min Response Time': '0',
      'Total Max Response Time': '0',
      'Total Average Content Size': '0',
    });
    expect(first).toMatchObject({ 'Total Request Count': '2', 'Total Failure Count': '1' });
    expect(Number(first!['50%'])).toBeCloseTo(10, 1);
    expect(Number(first!['100%'])).toBeCloseTo(30, 1);
    // The Total columns are the run's so far, through the quiet second and after it.
    expect(Number(quiet!['Total Average Response Time'])).toBeCloseTo(20, 1);
    expect(quiet).toMatchObject({
      'Total Request Count': '2',
      'Total Average Content Size': '200',
    });
    expect(Number(last!['Total Median Response Time'])).toBeCloseTo(20, 1);
    expect(Number(last!['Total Min Response Time'])).toBeCloseTo(10, 1);
    expect(Number(last!['Total Max Response Time'])).toBeCloseTo(30, 1);
    expect(last).toMatchObject({ 'Total Request Count': '3', 'Total Average Content Size': '200' });
  });
});
