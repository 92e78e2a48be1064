import { describe, expect, it } from 'vitest';
import { parseShare } from '../../src/cli/option-table.js';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

describe('share flags: one parser for percentages and fractions', () => {
  it.each([
    ['5%', 0.05],
    ['0.05', 0.05],
    [' 12.5 % ', 0.125],
    ['.5', 0.5],
    ['150%', 1.5],
    ['0', 0],
    ['1e-3', 0.001],
  ])('%j is %f', (text, value) => {
    expect(parseShare(text)).toBeCloseTo(value, 12);
  });

  it.each(['', '%', 'five', '5%%', '5 percent', '0.05.1'])('%j is not a share', (text) => {
    expect(parseShare(text)).toBeUndefined();
  });

  // Each command's share flag: a wrong value is refused with the same words everywhere, and a
  // percentage or a fraction gets past the flags to the command's own work (which then stops on
  // the file, ref or host given here).
  it.each([
    ['compare', ['compare', 'none-a.json', 'b.json'], '--threshold', /none-a\.json does not exist/],
    ['compare', ['compare', 'none-a.json', 'b.json'], '--error-threshold', /none-a\.json does not/],
    ['compare', ['compare', 'none-a.json', 'b.json'], '--alpha', /none-a\.json does not exist/],
    ['trend', ['trend', '--history', 'none.jsonl'], '--threshold', /none\.jsonl does not exist/],
    ['ab', ['ab', '--base', 'no-such-ref'], '--threshold', /git ref no-such-ref does not exist/],
    [
      'stress peak',
      ['stress', 'peak', '--host', 'http://127.0.0.1:1'],
      '--max-error-rate',
      /cannot reach/,
    ],
    [
      'stress endurance',
      ['stress', 'endurance', '--host', 'http://127.0.0.1:1'],
      '--max-p95-growth',
      /cannot reach/,
    ],
  ])('%s %s takes 5%% or 0.05 alike', async (_, args, flag, after) => {
    expectUserError(
      await runCli([...args, flag, 'lots']),
      new RegExp(`${flag} "lots": expected a share such as 5% or 0\\.05`),
    );
    for (const value of ['5%', '0.05'])
      expectUserError(await runCli([...args, flag, value]), after);
  });

  it('says so in --help, with defaults as percentages', async () => {
    const help = (await runCli(['compare', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      '--threshold <share> change past which a slowdown is a regression, as 10% or 0.1',
    );
    expect(help).toContain('as 5% or 0.05 (default: 5%)');
    expect((await runCli(['stress', 'peak', '--help'])).stdout.replace(/\s+/g, ' ')).toContain(
      'pass only below this error rate, as 5% or 0.05 (default: 5%)',
    );
  });
});
