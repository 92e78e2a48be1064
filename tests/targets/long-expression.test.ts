/**
 * An error quotes a bounded part of a long target: the stretch around the column it points at,
 * and how long the whole is (issue 25, item 13: a 260 KB expression was echoed whole, twice).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-long-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KB260 = 260 * 1024;

/** Runs `fiml-perf targets` on a file of these targets: the one line it prints. */
async function refused(targets: unknown[]): Promise<string> {
  const file = join(dir, 'long.json');
  writeFileSync(file, JSON.stringify({ targets }));
  const run = await runCli(['targets', '--targets', file]);
  expectUserError(run, /long\.json/);
  expect(run.stderr.length).toBeLessThan(600);
  return run.stderr;
}

describe('an error about a long target quotes a part of it', () => {
  it('a long tail after a target: the part at the column, and the length', async () => {
    const line = await refused([`p99 < 500ms ${'x'.repeat(KB260)}`]);
    expect(line).toMatch(
      /target 1: 'p99 < 500ms x{10,}…' \(266252 characters\) at column 13: expected the end of the target, found 'x{10,}…'/,
    );
  });

  it('a long run of spaces before the error: the column still points at it', async () => {
    const line = await refused([`p99 <${' '.repeat(KB260)}5`]);
    expect(line).toMatch(/'… +5' \(266246 characters\) at column 266246: p99 is a latency/);
  });

  it('a long unknown figure, and a long endpoint name that is not quoted right', async () => {
    expect(await refused([`${'a'.repeat(KB260)} < 5ms`])).toMatch(/unknown figure 'a+…'/);
    expect(await refused([`endpoint["${'n'.repeat(KB260)}"] < 5ms`])).toMatch(
      /expected '\.' and a figure/,
    );
  });

  it('a long name given twice', async () => {
    const name = 'n'.repeat(KB260);
    expect(
      await refused([
        { name, expr: 'p99 < 1s' },
        { name, expr: 'p95 < 1s' },
      ]),
    ).toMatch(/names 'n+…' \(266240 characters\) twice/);
  });

  it('a short target is quoted whole, as before', async () => {
    const line = await refused(['p99 < 500']);
    expect(line).toMatch(/'p99 < 500' at column 7: p99 is a latency/);
  });
});
