import { describe, it } from 'vitest';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

// What fiml-perf load refuses before it starts anything: in process, as `fiml-perf load` runs it
// (tests/cli/load.int.test.ts has the runs).
describe('fiml-perf load: bad flags', () => {
  it.each([
    [['load', '-u', '0'], /--users "0": expected a whole number from 1/],
    [['load', '-t', 'forever'], /--run-time "forever": expected a duration/],
    [['load', '--stages', '30s'], /--stages "30s": expected stages/],
    [['load', '-u', '5', '--rate', '10'], /-u\/-r and --rate set different load shapes/],
    [['load', 'http://127.0.0.1:1/', '-f', 'x.ts'], /either a URL .* or -f FILE/],
    [['load', '-c', '5'], /-c, -b and -m are for quick mode/],
    [['load', '--bogus'], /unknown option '--bogus'/],
    [
      ['load', '--exit-code-on-error', 'x'],
      /--exit-code-on-error "x": expected a whole number from 0 to 255/,
    ],
    [
      ['run', '--exit-code-on-error', '256'],
      /--exit-code-on-error "256": expected a whole number from 0 to 255/,
    ],
  ])('%j exits 2 with one line', async (args, pattern) => {
    expectUserError(await runCli(args), pattern);
  });

  it('names a missing scenario file', async () => {
    expectUserError(await runCli(['load', '-f', '/no/such/dir/nope.ts']), /nope\.ts not found/);
  });
});
