import type { Command } from 'commander';
import { z } from 'zod';
import { addOptions, type OptionTable, resolveOptions } from './option-table.js';

export const checkOptions = {
  file: {
    flags: '-f, --file <path>',
    description: 'scenario file to check',
    schema: z.string({ error: 'expected a scenario file: fiml-perf check -f FILE' }).min(1),
  },
} satisfies OptionTable;

export function registerCheck(command: Command): void {
  command.addHelpText('after', '\nExample:\n  fiml-perf check -f scenarios/fiml.ts');
  addOptions(command, checkOptions).action(async (raw: Record<string, unknown>) => {
    const options = resolveOptions(checkOptions, raw);
    const { runCheckJob } = await import('../jobs/index.js');
    process.exitCode = await runCheckJob(options.file, (line) => process.stdout.write(`${line}\n`));
  });
}
