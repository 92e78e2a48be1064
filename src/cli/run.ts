import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import type { ProfileRequest } from '../jobs/index.js';
import { folderStamp } from '../util/folder-stamp.js';
import { databaseOptions } from './database-options.js';
import { loadOptions, resolveLoad, withStandardLoad } from './load-options.js';
import { metricsOptions, resolveMetrics } from './metrics-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';
import { resolveExitCodeOnError, resolveTargets, targetOptions } from './target-options.js';

const runOptions = {
  out: {
    flags: '-o, --out <dir>',
    description: 'folder that gets one timestamped folder per run, and latest pointing at it',
    schema: z.string().min(1).default('reports'),
  },
  profile: {
    flags: '--profile',
    description:
      "profile the service over the run's window (after 5 s of warm-up) into the run's folder, profile/, and show its hot functions, diagnosis and leak verdict in the report (docs/profile.md)",
    schema: flag.bool(false),
  },
  inspect: {
    flags: '--inspect <url>',
    description:
      'with --profile and --host: the inspector of the service (it runs with node --inspect=127.0.0.1:9229)',
    schema: z.string().min(1).optional(),
  },
} satisfies OptionTable;

/** `run --profile`: profile's defaults; the folder goes inside the run's (the job puts it there). */
async function profileRequest(
  executor: Parameters<typeof import('../load/index.js').createExecutor>[0],
  inspect: string | undefined,
): Promise<ProfileRequest> {
  const [{ createExecutor }, { checkProfileWindow }] = await Promise.all([
    import('../load/index.js'),
    import('../profile/index.js'),
  ]);
  const request = {
    warmupMs: 5000,
    samplingIntervalUs: 1000,
    heap: true,
    heapEveryMs: 5000,
    heapSnapshots: 0,
    top: 10,
    out: '',
    inspect,
    allowRemoteInspector: false,
  };
  checkProfileWindow(
    { ...request, durationMs: createExecutor(executor).durationMs },
    { warmup: '5s', heapEvery: '5s' },
  );
  return request;
}

export function registerRun(command: Command): void {
  command.argument('[users...]', 'user classes of the scenario to run').addHelpText(
    'after',
    `
Starts the embedded FIML (unless --host), runs the standard scenario (100 users, 30 s), judges
the six standard targets, and writes OUT/<timestamp>/ (report.html, result.json, junit.xml,
summary.md) with
OUT/latest pointing at it. Exits 1 when a target failed.

Examples:
  fiml-perf run                       what npm start runs
  fiml-perf run -t 2m --window 30s    longer, each target also judged in every 30 s window
  fiml-perf run --host http://127.0.0.1:8000 --targets my-targets.yaml
  fiml-perf run --profile             and where FIML's time and memory go, in the report

Docs: docs/run.md`,
  );
  const table = {
    ...loadOptions,
    ...targetOptions,
    ...metricsOptions,
    ...databaseOptions,
    ...runOptions,
  };
  addOptions(command, table).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(table, raw);
    if (flags.json || flags.junit || flags.html)
      throw new PerfError(
        'FP_ERR_INVALID_FLAG',
        'run writes result.json, junit.xml and report.html into its report folder; use --out to move it',
      );
    const request = resolveLoad(withStandardLoad(flags), args);
    if (flags.inspect && !flags.profile)
      throw new PerfError(
        'FP_ERR_INVALID_FLAG',
        '--inspect is the inspector --profile uses; add --profile, or drop --inspect',
      );
    const profile = flags.profile
      ? await profileRequest(request.plan.executor, flags.inspect)
      : undefined;
    const targets = await resolveTargets(flags, true);
    const { runRunJob } = await import('../jobs/index.js');
    const { code } = await runRunJob({
      request,
      targets,
      metrics: resolveMetrics(flags),
      profile,
      out: flags.out,
      folder: folderStamp(new Date()),
      exitCodeOnError: resolveExitCodeOnError(flags, targets),
      postgres: flags.postgres,
    });
    process.exitCode = code;
  });
}
