/**
 * The profile jobs that are not a load: `profile --diff A B` (two folders compared) and the
 * component benchmarks profiled in this process (`profile --target`, `bench --profile`). A
 * service profiled under a load is the load job with a profile (`runLoadJob`).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchDefinition } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import {
  analyseCpuProfile,
  type BenchmarksProfileFile,
  type CpuProfile,
  functionChanges,
  hotFunctions,
  hotTable,
  placer,
  profileFileText,
  renderFlamegraph,
  SourceMapper,
  writeCpuFiles,
} from '../profile/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { folderStamp } from '../util/folder-stamp.js';
import { textTable } from '../util/text-table.js';
import { VERSION } from '../version.js';

const fail = (message: string) => new PerfError('FP_ERR_PROFILE', message);

/** A profile folder's CPU profile. @throws PerfError FP_ERR_PROFILE */
function readProfile(dir: string): CpuProfile {
  const file = existsSync(join(dir, 'cpu.cpuprofile')) ? join(dir, 'cpu.cpuprofile') : dir;
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  } catch (error) {
    throw fail(
      `cannot read a CPU profile from ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a folder fiml-perf profile wrote, or a .cpuprofile file`,
    );
  }
  if (!Array.isArray(profile?.nodes) || typeof profile.startTime !== 'number')
    throw fail(`${file} is not a CPU profile (no nodes); give a .cpuprofile file`);
  return profile;
}

/**
 * `profile --diff A B`: the functions whose share of the busy time changed most, and B's flame
 * graph coloured by each path's change against A. Returns the exit code.
 */
export function runProfileDiff(
  dirs: readonly string[],
  out: string | undefined,
  top: number,
): ExitCode {
  if (dirs.length !== 2)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `--diff compares two profiles: fiml-perf profile --diff BEFORE/ AFTER/ (got ${dirs.length})`,
    );
  const [a, b] = dirs as [string, string];
  const before = readProfile(a);
  const after = readProfile(b);
  const mapper = new SourceMapper(process.cwd());
  const changes = functionChanges(
    analyseCpuProfile(before),
    analyseCpuProfile(after),
    placer(mapper),
  );
  const folder = resolve(out ?? (existsSync(join(b, 'cpu.cpuprofile')) ? b : '.'));
  mkdirSync(folder, { recursive: true });
  const html = join(folder, 'diff.html');
  writeFileAtomic(
    html,
    renderFlamegraph(after, {
      title: 'fiml-perf profile: what changed',
      subtitle: `${b} against ${a}: width is ${b}'s time, colour the change of each path's share of the time (red grew, blue shrank)`,
      mapper,
      base: before,
    }),
  );
  writeFileAtomic(
    join(folder, 'diff.json'),
    `${JSON.stringify({ a, b, changes: changes.slice(0, 200) }, null, 2)}\n`,
  );
  const rows = changes
    .slice(0, top)
    .map((c) => [
      `${c.change > 0 ? '+' : ''}${c.change.toFixed(2)}`,
      c.shareA.toFixed(2),
      c.shareB.toFixed(2),
      c.class,
      c.name,
      c.where,
    ]);
  const table = textTable(['change pts', 'A %', 'B %', 'class', 'function', 'where'], rows, {
    left: (i) => i >= 3,
  });
  process.stdout.write(
    `\nShare of busy time (attributed self, %), ${b} against ${a}:\n\n${table}\n\nDifferential flame graph: ${html}\n`,
  );
  return EXIT.ok;
}

/** Where each --target's benchmarks are: a folder of bench/, and a filter within it. */
const TARGETS: Record<string, { readonly folder: string; readonly filter?: string }> = {
  cache: { folder: 'cache' },
  dsl: { folder: 'dsl' },
  core: { folder: 'core' },
  components: { folder: 'components' },
  providers: { folder: 'components', filter: 'provider' },
};

/** How benchmarks are profiled in this process. */
export interface BenchmarkProfileOptions {
  readonly out: string | undefined;
  /** Milliseconds each benchmark runs while profiled. */
  readonly timeMs: number;
  readonly samplingIntervalUs: number;
  readonly top: number;
}

/**
 * `profile --target NAME [FILTER...]`: FIML's component benchmarks that match, profiled in this
 * process (the seed's `profile.py --target cache`). Writes the folder and prints the hot
 * functions. Returns the exit code. @throws PerfError FP_ERR_PROFILE when none matches
 */
export async function runTargetProfile(
  target: string,
  filters: readonly string[],
  options: BenchmarkProfileOptions,
): Promise<ExitCode> {
  // Source maps on before the benchmarks load: tsx's inline maps then map frames to .ts lines.
  process.setSourceMapsEnabled(true);
  const { BenchError, loadBenchmarks } = await import('../bench/index.js');
  const { packageFile } = await import('../util/package-file.js');
  const spec = TARGETS[target] as { folder: string; filter?: string };
  const root = existsSync('bench') ? resolve('bench') : packageFile('bench');
  if (!root || !existsSync(join(root, spec.folder)))
    throw fail(
      `no bench/${spec.folder} folder here; run from the fiml-perf repository (its bench/ has FIML's component benchmarks)`,
    );
  let found: BenchDefinition[];
  try {
    found = await loadBenchmarks(join(root, spec.folder), spec.filter ? [spec.filter] : []);
  } catch (error) {
    // The profile command's own error: the benchmarks are how --target profiles.
    if (error instanceof BenchError) throw fail(error.message);
    throw error;
  }
  const all = found;
  if (filters.length > 0) {
    const wanted = filters.map((f) => f.toLowerCase());
    found = found.filter((b) =>
      wanted.every((f) => `${b.file}\n${b.id}`.toLowerCase().includes(f)),
    );
  }
  if (found.length === 0)
    throw fail(
      `no benchmark of --target ${target} matches ${filters.join(' ')}; it has ${all.map((b) => `'${b.id}'`).join(', ') || 'none'}`,
    );
  return profileBenchmarks(found, target, options);
}

/**
 * `bench --profile`: the benchmarks of `dir` that match `filters`, profiled in this process
 * instead of measured. Returns the exit code. @throws PerfError FP_ERR_BENCH when none matches
 */
export async function runBenchProfile(
  dir: string,
  filters: readonly string[],
  options: BenchmarkProfileOptions,
): Promise<ExitCode> {
  // Source maps on before the benchmarks load: frames then map to their .ts lines.
  process.setSourceMapsEnabled(true);
  const { loadBenchmarks } = await import('../bench/index.js');
  const found = await loadBenchmarks(dir, filters);
  if (found.length === 0)
    throw new PerfError(
      'FP_ERR_BENCH',
      `no benchmark matches ${filters.join(', ') || '(none)'} in ${dir}`,
    );
  return profileBenchmarks(found, 'bench', options);
}

/**
 * Benchmarks profiled in this process, one after the other, each for `timeMs` after its set-up
 * and warm-up (`profile --target`, `bench --profile`): writes the folder and prints the hot
 * functions. Returns the exit code.
 */
async function profileBenchmarks(
  found: readonly BenchDefinition[],
  label: string,
  options: BenchmarkProfileOptions,
): Promise<ExitCode> {
  process.stderr.write(
    `Profiling ${found.length} benchmark(s) of ${label} in this process, ${options.timeMs} ms each: ${found.map((b) => b.id).join(', ')}\n`,
  );
  const { profileWorkloads } = await import('../profile/index.js');
  const { profile, iterations } = await profileWorkloads(
    found.map((b) => ({
      id: b.id,
      fn: b.fn,
      ...(b.options.setup ? { setup: b.options.setup } : {}),
      ...(b.options.teardown ? { teardown: b.options.teardown } : {}),
    })),
    { timeMs: options.timeMs, intervalUs: options.samplingIntervalUs },
  );
  const out = resolve(options.out ?? join('reports', folderStamp(new Date()), `profile-${label}`));
  const mapper = new SourceMapper(process.cwd());
  const place = placer(mapper);
  const analysis = analyseCpuProfile(profile);
  writeCpuFiles(out, profile, mapper, {
    title: `fiml-perf profile: ${label} benchmarks`,
    subtitle: `${found.map((b) => b.id).join(', ')}; ${options.timeMs} ms each, sampled every ${options.samplingIntervalUs} µs`,
  });
  const summary: BenchmarksProfileFile = {
    tool: { name: 'fiml-perf', version: VERSION },
    status: 'benchmarks',
    target: label,
    benchmarks: found.map((b) => ({ id: b.id, file: b.file, iterations: iterations[b.id] ?? 0 })),
    cpu: {
      durationMs: analysis.durationUs / 1000,
      busyMs: analysis.busyUs / 1000,
      functions: hotFunctions(analysis, place),
    },
  };
  writeFileAtomic(join(out, 'profile.json'), profileFileText(summary));
  process.stdout.write(
    [
      '',
      `${label}: ${found.map((b) => `${b.id} ${iterations[b.id]} runs`).join(', ')}`,
      '',
      hotTable(analysis.functions, analysis.busyUs, place, options.top),
      '',
      `Profile: ${out} (cpu.cpuprofile, flamegraph.html, stacks.folded, profile.json)`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
