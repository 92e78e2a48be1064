/**
 * Every reader of a stored load result (compare, report, report --baseline) validates it with one
 * schema, so a file one of them refuses is refused by all, with one line naming the file and the
 * field, exit 2 (issue 25, items 8 and 10).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const V1 = fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url));
const good = JSON.parse(readFileSync(V1, 'utf8')) as {
  totals: Record<string, unknown>;
  histograms: { total: string; endpoints: Record<string, string> };
};
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-result-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = join(dir, 'report.html');

const write = (name: string, data: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(data));
  return path;
};

/** Each reader, given the bad file where it reads one. */
const readers: Array<[string, (bad: string) => string[]]> = [
  ['compare (baseline)', (bad) => ['compare', bad, V1]],
  ['compare (current)', (bad) => ['compare', V1, bad]],
  ['report', (bad) => ['report', bad, '-o', out]],
  ['report --baseline', (bad) => ['report', V1, '--baseline', bad, '-o', out]],
];

const [firstKey] = Object.keys(good.histograms.endpoints) as [string];
const cases: Array<[string, unknown, string]> = [
  ['negative requests', { ...good, totals: { ...good.totals, requests: -5 } }, 'totals.requests'],
  [
    'a total histogram that is not base64',
    { ...good, histograms: { ...good.histograms, total: 'not base64!' } },
    'histograms.total',
  ],
  [
    'a total histogram cut short',
    { ...good, histograms: { ...good.histograms, total: good.histograms.total.slice(0, 40) } },
    'histograms.total',
  ],
  [
    "an endpoint's histogram of another encoding",
    {
      ...good,
      histograms: {
        ...good.histograms,
        endpoints: { ...good.histograms.endpoints, [firstKey]: 'AAAA' },
      },
    },
    `histograms.endpoints.${firstKey}`,
  ],
];

describe('a load result every reader refuses alike', () => {
  for (const [what, data, field] of cases)
    for (const [reader, args] of readers)
      it(`${reader}: ${what} is exit 2 naming the file and ${field}`, async () => {
        const bad = write('bad-result.json', data);
        const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expectUserError(
          await runCli(args(bad)),
          new RegExp(`bad-result\\.json is not a fiml-perf load-test result: ${escaped}: `),
        );
      });
});
