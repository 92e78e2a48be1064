import { statSync } from 'node:fs';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { databaseOptions } from './database-options.js';
import { loadOptions, resolveLoad } from './load-options.js';
import { metricsOptions, resolveMetrics } from './metrics-options.js';
import { flag, type OptionTable, type ResolvedOptions } from './option-table.js';
import { resolveTargets, targetOptions } from './target-options.js';

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
  targetsDir: {
    flags: '--targets-dir <folder>',
    description:
      "the folder whose files the form's targets file may name; no other file is read (default: the folder the UI starts in)",
    schema: z
      .string()
      .min(1)
      .refine((path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true, {
        message: 'expected a folder that exists',
      })
      .optional(),
  },
  autoquit: {
    flags: '--autoquit <seconds>',
    description:
      "quit this many seconds after a test ends, with the test's exit code (with --autostart: runs unattended)",
    schema: flag.optionalInt(0, 86_400),
  },
} satisfies OptionTable;

export const uiTable = {
  ...loadOptions,
  ...targetOptions,
  ...metricsOptions,
  ...databaseOptions,
  ...uiOptions,
};

export type UiFlags = ResolvedOptions<typeof uiTable>;

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
  // Bad targets are found now, not at the first start.
  const targets = await resolveTargets(flags, false);
  const [{ runUiJob }, { startSchema }] = await Promise.all([
    import('../jobs/index.js'),
    import('../ui/index.js'),
  ]);
  const executor = request.plan.executor;
  const open = executor.type === 'constant-arrival-rate';
  return runUiJob({
    request,
    classNames: args,
    defaults: (classes) =>
      startSchema.parse({
        host: flags.host ?? '',
        classes: [...classes],
        model: open ? 'open' : 'closed',
        ...(executor.type === 'constant-users'
          ? { users: executor.users, spawnRate: executor.spawnRate }
          : {}),
        ...(open ? { rate: executor.rate, maxUsers: executor.maxUsers } : {}),
        runTime: flags.runTime ?? flags.duration ?? '',
        targetsFile: flags.targets ?? '',
        targets: flags.target,
      }),
    targets,
    targetsFiles: { folder: flags.targetsDir ?? process.cwd(), named: flags.targets },
    targetSettings: {
      abortOnFail: flags.abortOnFail,
      allowUnknown: flags.allowUnknown,
      healthPath: flags.healthPath,
      metricsPath: flags.metricsPath,
      exitCodeOnError: flags.exitCodeOnError,
    },
    web: {
      host: flags.webHost,
      port: flags.webPort,
      token: flags.webToken,
      autostart: flags.autostart,
      autoquit: flags.autoquit,
    },
    metrics: resolveMetrics(flags),
    postgres: flags.postgres,
  });
}
