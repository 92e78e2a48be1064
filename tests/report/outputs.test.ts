/** The run's outputs in one place: the JSON first, each write on its own, nothing lost. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lostLine, plannedOutputs, writeOutputs } from '../../src/report/index.js';
import { makeResult } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-outputs-'));
const result = makeResult({ endpoints: [{ name: '/a', samples: [[5, 100]] }], durationS: 10 });

describe('writeOutputs', () => {
  it('writes each output asked for, the JSON first, and logs each', async () => {
    const log: string[] = [];
    const paths = {
      json: join(dir, 'ok', 'result.json'),
      csv: join(dir, 'ok', 'run'),
      html: join(dir, 'ok', 'report.html'),
      markdown: join(dir, 'ok', 'summary.md'),
    };
    const out = await writeOutputs(result, paths, {}, (l) => log.push(l));
    expect(out.lost).toEqual([]);
    expect(out.written.map((w) => w.what)).toEqual(['json', 'csv', 'markdown', 'html']);
    expect(log[0]).toBe(`Result: ${paths.json}`);
    expect(JSON.parse(readFileSync(paths.json, 'utf8')).totals.requests).toBe(100);
    expect(readFileSync(paths.html, 'utf8')).toMatch(/<\/html>\s*$/);
    expect(existsSync(`${paths.csv}_stats.csv`)).toBe(true);
  });

  it('one that fails does not stop the others, and is named with its reason', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    const paths = { json: join(dir, 'kept.json'), html: join(dir, 'plain', 'report.html') };
    const out = await writeOutputs(result, paths, {}, () => undefined);
    expect(out.written.map((w) => w.what)).toEqual(['json']);
    // mkdir through a file: EEXIST or ENOTDIR, as the platform says.
    expect(out.lost).toEqual([{ path: paths.html, reason: expect.stringMatching(/^E[A-Z]+$/) }]);
    expect(lostLine(out)).toMatch(
      /^could not write .*plain\/report\.html \(E[A-Z]+\); written: .*kept\.json; /,
    );
  });

  it('a result JSON that cannot go where asked is saved to the temporary folder, and says where', async () => {
    writeFileSync(join(dir, 'blocker'), 'x');
    const out = await writeOutputs(result, { json: join(dir, 'blocker', 'r.json') }, {}, () => {});
    expect(out.rescued).toMatch(new RegExp(`^${tmpdir()}/fiml-perf-result-`));
    expect(JSON.parse(readFileSync(out.rescued as string, 'utf8')).totals.requests).toBe(100);
    expect(lostLine(out)).toContain(`the result JSON was saved to ${out.rescued} instead`);
  });

  it('JUnit is written only for a result with targets', async () => {
    const out = await writeOutputs(result, { junit: join(dir, 'junit.xml') }, {}, () => {});
    expect(out.written).toEqual([]);
    expect(existsSync(join(dir, 'junit.xml'))).toBe(false);
  });
});

describe('plannedOutputs', () => {
  it('names each output with its flag, a CSV prefix by its first file', () => {
    expect(plannedOutputs({ json: 'r.json', csv: 'run', html: undefined })).toEqual([
      { flag: '--json', path: 'r.json', kind: 'file' },
      { flag: '--csv', path: 'run_stats.csv', kind: 'file' },
    ]);
  });
});
