import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

// What targets, load and run refuse before they start anything, in process (the runs are in
// tests/cli/targets.int.test.ts).
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-targets-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('targets: bad input exits 2 with one line', () => {
  it.each([
    [
      ['targets', '--target', 'p99 < 500'],
      /'p99 < 500' at column 7: p99 is a latency: give its unit/,
    ],
    [['targets', '--target', 'p99 > > 5ms'], /at column 7: expected a number, found '>'/],
    [['targets', '--targets', 'nope.yaml'], /targets file nope\.yaml not found/],
    [
      ['targets', '--only', 'zzz'],
      /--only zzz matches no target; the targets are: average response time, P99 latency/,
    ],
    [['load', '--window', '30s'], /--window need targets; add --targets FILE or --target EXPR/],
    [
      ['load', '--target', 'p99 < 1s', '--window', '0s'],
      /--window "0s": expected a duration of 1s or more/,
    ],
  ])('%j', async (args, pattern) => {
    expectUserError(await runCli(args), pattern);
  });

  it('names the target of a file that does not parse', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'targets:\n  - name: fast\n    expr: p99 <\n');
    expectUserError(
      await runCli(['targets', '--targets', file]),
      /bad\.yaml, target 1: 'p99 <' at column 6: expected a number, found the end/,
    );
    writeFileSync(file, 'targets: [unclosed\n');
    expectUserError(await runCli(['targets', '--targets', file]), /bad\.yaml does not parse/);
    writeFileSync(file, 'goals:\n  - p99 < 1s\n');
    expectUserError(
      await runCli(['targets', '--targets', file]),
      /bad\.yaml: .*expected 'targets:'/,
    );
  });
});
