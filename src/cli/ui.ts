import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { loadOptions, resolveLoad } from './load-options.js';
import { metricsOptions } from './metrics-options.js';
import {
  addOptions,
  flag,
  type OptionTable,
  type ResolvedOptions,
  resolveOptions,
} from './option-table.js';
import { targetOptions } from './target-options.js';

/** The live UI's own flags (Locust's names). */
export const uiOptions = {
  webHost: {
    flags: '--web-host <address>',
    description: 'address the UI listens on; any but loopback needs a token (default: 127.0.0.1)',
    schema: z.string().min(1).default('127.0.0.1'),
  },
  webPort: {
    flags: '--web-port <port>',
    description: 'port of the UI; 0 picks a free one',
    schema: flag.int(0, 65535, 8089),
  },
  webToken: {
    flags: '--web-token <token>',
    description:
      'every request must carry this token (16 characters or more); generated and printed in the URL when --web-host is not loopback',
    schema: z
      .string()
      .min(16, 'expected a token of 16 characters or more')
      .regex(/^[\w.~-]+$/, 'expected letters, digits and . _ ~ - only')
      .optional(),
  },
  autostart: {
    flags: '--autostart',
    description: "start a test at once with the flags' settings (the form shows them too)",
    schema: flag.bool(false),
  },
  autoquit: {
    flags: '--autoquit <seconds>',
    description:
      "quit this many seconds after a test ends, with the test's exit code (with --autostart: runs unattended)",
    schema: flag.optionalInt(0, 86_400),
  },
} satisfies OptionTable;

const uiTable = { ...loadOptions, ...targetOptions, ...metricsOptions, ...uiOptions };

export type UiFlags = ResolvedOptions<typeof uiTable>;

const EXAMPLES = `
Examples:
  fiml-perf ui                                     the UI on http://127.0.0.1:8089, embedded FIML
  fiml-perf ui -f scenarios/fiml.ts HighLoadUser --host http://127.0.0.1:8000
  fiml-perf ui -u 50 -r 5 -t 5m --target 'p99 < 500ms'    the form filled from the flags
  fiml-perf ui --autostart --autoquit 10 -t 1m     run unattended, then quit with its exit code
  fiml-perf ui --web-host 0.0.0.0                  reachable from the network, with a token
  fiml-perf ui --metrics-port 9464                 every test's figures at :9464/metrics for Prometheus
  fiml-perf load --ui -u 100 --rate 50 --max-users 200    the same UI from load

Docs: docs/ui.md`;

export function registerUi(command: Command): void {
  command
    .argument('[users...]', 'user classes of the scenario picked in the form')
    .addHelpText('after', EXAMPLES);
  addOptions(command, uiTable).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(uiTable, raw);
    process.exitCode = await runUi(flags, args);
  });
}

const fail = (message: string) => new PerfError('FP_ERR_INVALID_FLAG', message);

/**
 * Runs the live UI until Ctrl-C or --autoquit: the scenario loaded once, the embedded FIML (without
 * --host), the server, and a test when the form or --autostart asks. Returns the exit code.
 */
export async function runUi(flags: UiFlags, args: readonly string[]): Promise<number> {
  if (args.some((a) => /^https?:\/\//.test(a)))
    throw fail(
      'the UI runs scenarios; quick mode (a URL) runs with fiml-perf load alone. Drop the URL (and --ui)',
    );
  if (flags.stages || flags.rateStages)
    throw fail(
      'the UI steers users or a rate as the test runs; --stages and --rate-stages are for fiml-perf load without --ui',
    );
  if (flags.only.length > 0 || flags.junit)
    throw fail('--only and --junit are not used by the UI; list the targets to judge in the form');
  if (flags.autoquit !== undefined && !flags.autostart)
    process.stderr.write(
      '--autoquit without --autostart: the UI quits that long after the first test started from the page ends\n',
    );
  const request = resolveLoad(flags, args);
  const { runUiJob } = await import('./ui-job.js');
  return runUiJob(flags, args, request);
}
