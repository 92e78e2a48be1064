import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../src/report/html/build.js';
import { makeResult, second } from './fixtures.js';

/**
 * Issue 25, item 2: a distributed run whose coordinator lost Redis drew the seconds it could not
 * see as a drop to zero. Its report draws them as a gap (a shaded span, no line) and says why.
 */
const failure = 'Redis at 127.0.0.1:6379 did not answer for 3s';
const result = {
  ...makeResult({
    endpoints: [{ name: '/ok', samples: [[1, 150]] }],
    durationS: 6.4,
    model: 'open',
    interrupted: true,
    timeseries: [1.3, 2.3, 3.3].map((t) => second(t, { requests: 50, p99: 2 })),
  }),
  unknownAfterS: 3,
  distributed: {
    run: 'r1',
    redis: 'redis://127.0.0.1:6379',
    instances: 2,
    lost: [],
    failure,
    problems: [],
  },
};

/** The data the page's charts are drawn from. */
function chartData(html: string) {
  const json = /<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  return JSON.parse(json as string);
}

describe('a report of a run not seen to its end', () => {
  it('shades the span not seen on its time charts, from the last second drawn to the end', () => {
    const { html } = buildRunReport(result);
    expect(chartData(html).runs[0].unknown).toEqual({
      fromS: 3.3,
      toS: 6.4,
      label: `unknown after 3s: ${failure}`,
    });
    expect(html).toContain('seen for its first 3s only</strong>, unknown after');
  });

  it('says so in its summary, with its rate over the seconds seen', () => {
    const { markdown } = buildRunReport(result);
    expect(markdown).toContain(
      `The run was seen for its first 3 s only (${failure}): what it did after is unknown, not zero`,
    );
    expect(markdown).toMatch(/It sent 150 requests in the 3 s seen/);
  });

  it('a run seen whole has no span', () => {
    const { html } = buildRunReport({ ...result, unknownAfterS: undefined });
    expect(chartData(html).runs[0]).not.toHaveProperty('unknown');
  });
});
