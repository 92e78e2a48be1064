import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { ProfileRequest } from '../jobs/index.js';
import { parseDuration } from '../util/duration.js';
import { folderStamp } from '../util/folder-stamp.js';
import { loadOptions, resolveLoad } from './load-options.js';
import {
  addOptions,
  flag,
  type OptionTable,
  type ResolvedOptions,
  resolveOptions,
} from './option-table.js';

/** `fiml-perf profile`'s own flags; the load flags shape the load it profiles under. */
export const profileOptions = {
  inspect: {
    flags: '--inspect <url>',
    description:
      "the inspector of the service at --host (it runs with node --inspect): http://127.0.0.1:9229 or the ws:// address it printed (default: the embedded FIML's)",
    schema: z.string().min(1).optional(),
  },
  allowRemoteInspector: {
    flags: '--allow-remote-inspector',
    description: 'allow an --inspect address beyond this machine (an inspector runs any code)',
    schema: flag.bool(false),
  },
  warmup: {
    flags: '--warmup <duration>',
    description: 'load before the profile starts (JIT, caches and pools warm up)',
    schema: flag.duration('5s', '5s', 0),
  },
  out: {
    flags: '-o, --out <dir>',
    description: 'folder for the profile (default: reports/<timestamp>/profile)',
    schema: z.string().min(1).optional(),
  },
  samplingInterval: {
    flags: '--sampling-interval <us>',
    description: 'microseconds between CPU samples (V8 and --cpu-prof default to 1000)',
    schema: flag.int(50, 100_000, 1000),
  },
  heap: {
    flags: '--no-heap',
    description:
      'skip the heap: no allocation sampling, no heap readings and no forced GC for the leak verdict',
    schema: flag.bool(true),
  },
  heapEvery: {
    flags: '--heap-every <duration>',
    description:
      "collect the heap left after the service's full GCs this often, for the leak verdict; one is forced (a GC pause) when it had none",
    schema: flag.duration('5s', '5s', 200),
  },
  heapSnapshots: {
    flags: '--heap-snapshots <n>',
    description:
      'take N heap snapshots outside the measured window (one before it, the rest after it, --heap-every apart, the load going on) and list the classes that grew in every one (0: none)',
    schema: flag.int(0, 20, 0),
  },
  target: {
    flags: '--target <component>',
    description:
      "profile FIML's component benchmarks in this process instead of a service under load: cache, dsl, providers, core or components (positional arguments narrow them, as bench's filters)",
    schema: z.enum(['cache', 'dsl', 'providers', 'core', 'components']).optional(),
  },
  time: {
    flags: '--time <ms>',
    description: 'with --target: milliseconds each matching benchmark runs while profiled',
    schema: flag.int(100, 600_000, 3000),
  },
  diff: {
    flags: '--diff',
    description:
      'compare two profile folders (fiml-perf profile --diff A/ B/): a differential flame graph and the functions whose share changed most',
    schema: flag.bool(false),
  },
  top: {
    flags: '--top <n>',
    description: 'functions in the table on stdout',
    schema: flag.int(1, 1000, 15),
  },
} satisfies OptionTable;

const table = { ...loadOptions, ...profileOptions };
export type ProfileFlags = ResolvedOptions<typeof table>;

export function registerProfile(command: Command): void {
  command
    .argument('[url-or-users...]', 'as for load: a URL (quick mode), or user classes')
    .addHelpText(
      'after',
      `
Examples:
  fiml-perf profile -t 30s                          the standard mix on the embedded FIML
  fiml-perf profile -u 50 -t 1m --warmup 10s -o prof/
  fiml-perf profile --host http://127.0.0.1:8000 --inspect http://127.0.0.1:9229
                                                    any Node service started with --inspect
  fiml-perf profile -t 1m --heap-snapshots 3       and the classes that grew in every snapshot
  fiml-perf profile --diff before/ after/           what changed between two profiles
  fiml-perf profile --target cache                  the cache's benchmarks, profiled in process
  fiml-perf profile --target dsl parser             those whose name or file has 'parser'

Docs: docs/profile.md`,
    );
  addOptions(command, table).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(table, raw);
    const jobs = await import('../jobs/index.js');
    if (flags.target) {
      process.exitCode = await jobs.runTargetProfile(flags.target, args, {
        out: flags.out,
        timeMs: flags.time,
        samplingIntervalUs: flags.samplingInterval,
        top: flags.top,
      });
      return;
    }
    if (flags.diff) {
      process.exitCode = await jobs.runProfileDiff(args, flags.out, flags.top);
      return;
    }
    const request = resolveLoad(flags, args);
    const profile: ProfileRequest = {
      warmupMs: parseDuration(flags.warmup) as number,
      samplingIntervalUs: flags.samplingInterval,
      heap: flags.heap,
      heapEveryMs: parseDuration(flags.heapEvery) as number,
      heapSnapshots: flags.heapSnapshots,
      top: flags.top,
      out: resolve(flags.out ?? join('reports', folderStamp(new Date()), 'profile')),
      inspect: flags.inspect,
      allowRemoteInspector: flags.allowRemoteInspector,
    };
    const [{ createExecutor }, { checkProfileWindow }] = await Promise.all([
      import('../load/index.js'),
      import('../profile/index.js'),
    ]);
    checkProfileWindow(
      { ...profile, durationMs: createExecutor(request.plan.executor).durationMs },
      flags,
    );
    process.exitCode = (await jobs.runLoadJob({ request, targets: null, profile })).code;
  });
}
