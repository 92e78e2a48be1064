import { existsSync, lstatSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import type { ProfileJob } from './load-job.js';
import { loadOptions, resolveLoad } from './load-options.js';
import { metricsOptions, resolveMetrics } from './metrics-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';
import { resolveTargets, targetOptions } from './target-options.js';
import { withStandardLoad } from './targets.js';

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

/** 2026-11-27T14-05-09Z: a timestamp that is a portable folder name and sorts in time order. */
export function folderStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/** Points `out/latest` at the run's folder, replacing any earlier link at once (rename). */
function pointLatest(out: string, folder: string): void {
  const link = join(out, 'latest');
  const temporary = join(out, `.latest.${process.pid}`);
  rmSync(temporary, { force: true });
  symlinkSync(folder, temporary, 'dir');
  if (existsSync(link) && !lstatSync(link).isSymbolicLink())
    throw new PerfError('FP_ERR_WRITE', `${link} exists and is not a link; move it away`);
  renameSync(temporary, link);
}

/** `run --profile`: profile's defaults, the folder inside the run's. */
async function profileJob(
  executor: Parameters<typeof import('../load/index.js').createExecutor>[0],
  out: string,
  inspect: string | undefined,
): Promise<ProfileJob> {
  const [{ createExecutor }, { checkProfileWindow }] = await Promise.all([
    import('../load/index.js'),
    import('./service-profiler.js'),
  ]);
  const options = {
    warmupMs: 5000,
    samplingIntervalUs: 1000,
    heap: true,
    heapEveryMs: 5000,
    heapSnapshots: 0,
    out,
    top: 10,
  };
  checkProfileWindow(
    { ...options, durationMs: createExecutor(executor).durationMs },
    { warmup: '5s', heapEvery: '5s' },
  );
  return { options, inspect };
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
  const table = { ...loadOptions, ...targetOptions, ...metricsOptions, ...runOptions };
  addOptions(command, table).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(table, raw);
    if (flags.json || flags.junit || flags.html)
      throw new PerfError(
        'FP_ERR_INVALID_FLAG',
        'run writes result.json, junit.xml and report.html into its report folder; use --out to move it',
      );
    const folder = folderStamp(new Date());
    const dir = join(flags.out, folder);
    const request = {
      ...resolveLoad(withStandardLoad(flags), args),
      json: join(dir, 'result.json'),
      html: join(dir, 'report.html'),
    };
    if (flags.inspect && !flags.profile)
      throw new PerfError(
        'FP_ERR_INVALID_FLAG',
        '--inspect is the inspector --profile uses; add --profile, or drop --inspect',
      );
    const profile = flags.profile
      ? await profileJob(request.plan.executor, join(dir, 'profile'), flags.inspect)
      : undefined;
    const targets = await resolveTargets({ ...flags, junit: join(dir, 'junit.xml') }, true);
    const classNames =
      request.plan.workload.kind === 'scenario' ? request.plan.workload.classNames : [];
    const [{ runLoadJob }, { writeFileAtomic }, { buildRunReport }] = await Promise.all([
      import('./load-job.js'),
      import('../report/index.js'),
      import('../report/html/build.js'),
    ]);
    const { result, code } = await runLoadJob({
      request,
      classNames,
      targets,
      metrics: resolveMetrics(flags),
      ...(profile ? { profile } : {}),
    });
    try {
      writeFileAtomic(join(dir, 'summary.md'), buildRunReport(result).markdown);
      pointLatest(flags.out, folder);
    } catch (error) {
      if (error instanceof PerfError) throw error;
      throw new PerfError(
        'FP_ERR_WRITE',
        `cannot write the report in ${dir}: ${(error as Error).message}; pick a writable --out`,
      );
    }
    process.stderr.write(
      `Report: ${dir}/report.html (and summary.md, result.json, junit.xml${profile && existsSync(join(dir, 'profile')) ? ', profile/' : ''}); ${join(flags.out, 'latest')} -> ${folder}\n`,
    );
    process.exitCode = code;
  });
}
