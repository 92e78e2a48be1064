/**
 * `fiml-perf trend` reads a history that `bench --save` appends to line by line (issue 25, item 9):
 * a save interrupted while it was written leaves its last line cut short, which is skipped with a
 * warning rather than refusing every save before it; a bad line is refused naming its line as
 * written (blank lines counted); a median that is not a number of nanoseconds above 0 is refused,
 * never printed as +Infinity%, NaN% or "0 saves".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-trend-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const save = (day: number, medians: Record<string, unknown>) =>
  JSON.stringify({
    savedAt: `2026-11-${String(day).padStart(2, '0')}T00:00:00.000Z`,
    name: 'main',
    commit: `c${day}`.padEnd(40, '0'),
    medians,
  });
/** Six saves of one benchmark, each line ended as `bench --save` ends it. */
const six = Array.from({ length: 6 }, (_, i) => `${save(i + 1, { 'dsl > parse': 1000 + i })}\n`);

const trend = async (text: string) => {
  const path = join(dir, 'history.jsonl');
  writeFileSync(path, text);
  return runCli(['trend', '--history', path]);
};

describe('trend: the history as written', () => {
  it('skips a last line cut short by an interrupted save, with a warning naming it', async () => {
    const run = await trend(`${six.join('')}{"savedAt":"2026-11-07T00:00:00.0`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/history\.jsonl:7 is cut short .*skipped/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/dsl > parse\s+6\s/);
  });

  it('refuses a line cut short that is not the last, naming it', async () => {
    const text = `${six.slice(0, 3).join('')}{"savedAt":"2026-11-04T0\n${six.slice(3).join('')}`;
    expectUserError(await trend(text), /history\.jsonl:4 is not a history entry \(not JSON: /);
  });

  it('numbers lines as written, blank lines counted', async () => {
    const text = `${six[0]}\n\n${six[1]}garbage\n${six[2]}`;
    expectUserError(await trend(text), /history\.jsonl:5 is not a history entry \(not JSON: /);
  });

  it.each([
    ['0', 0],
    ['a negative median', -5],
    ['a string', '1000'],
    ['null', null],
    ['a number past the largest double', '1e999'],
  ])('refuses a median of %s, naming the line and the benchmark', async (_what, median) => {
    const line =
      median === '1e999'
        ? save(3, { 'dsl > parse': 0 }).replace('"dsl > parse":0', '"dsl > parse":1e999')
        : save(3, { 'dsl > parse': median });
    const run = await trend(`${six[0]}${six[1]}\n${line}\n${six.slice(3).join('')}`);
    expectUserError(
      run,
      /history\.jsonl:4 is not a history entry: medians\.dsl > parse: expected a median in ns above 0, got /,
    );
    expect(run.stdout).not.toMatch(/Infinity|NaN|0 saves/);
  });

  it('refuses a line of JSON that is not a save, naming what is missing', async () => {
    expectUserError(
      await trend(`${six[0]}{"savedAt":"x"}\n`),
      /history\.jsonl:2 is not a history entry: name: /,
    );
  });
});
