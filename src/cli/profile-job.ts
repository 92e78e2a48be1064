import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchDefinition } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { assertReachable, createExecutor, runLoad } from '../load/index.js';
import {
  analyseCpuProfile,
  type CpuProfile,
  type FunctionTime,
  foldedStacks,
  functionChanges,
  Inspector,
  renderFlamegraph,
  SourceMapper,
} from '../profile/index.js';
import { writeFileAtomic } from '../report/index.js';
import { parseDuration } from '../util/duration.js';
import { type EmbeddedFiml, startEmbeddedFiml } from './embedded-fiml.js';
import { prepareScenario } from './load-job.js';
import type { LoadRequest } from './load-options.js';
import type { ProfileFlags } from './profile.js';
import { ProgressPrinter } from './progress.js';
import { folderStamp } from './run.js';
import { checkProfileWindow, hotTable, ServiceProfiler, textTable } from './service-profiler.js';
import { VERSION } from './version.js';

const err = (line: string) => process.stderr.write(`${line}\n`);
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
): number {
  if (dirs.length !== 2)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `--diff compares two profiles: fiml-perf profile --diff BEFORE/ AFTER/ (got ${dirs.length})`,
    );
  const [a, b] = dirs as [string, string];
  const before = readProfile(a);
  const after = readProfile(b);
  const mapper = new SourceMapper(process.cwd());
  const place = (f: FunctionTime) => {
    if (!f.url) return '';
    const p = mapper.place(f.url, f.line, f.column);
    return `${p.file}:${p.line}`;
  };
  const changes = functionChanges(analyseCpuProfile(before), analyseCpuProfile(after), place);
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
  process.stdout.write(
    `\nShare of busy time (attributed self, %), ${b} against ${a}:\n\n${textTable(['change pts', 'A %', 'B %', 'class', 'function', 'where'], rows, 3)}\n\nDifferential flame graph: ${html}\n`,
  );
  return 0;
}

/**
 * Runs a load and profiles the service over its measured window: after the warm-up, until a
 * second before the end. Writes the folder and prints the hot functions. Returns the exit code.
 */
export async function runProfileJob(flags: ProfileFlags, request: LoadRequest): Promise<number> {
  const executor = createExecutor(request.plan.executor);
  const options = {
    warmupMs: parseDuration(flags.warmup) as number,
    durationMs: executor.durationMs,
    samplingIntervalUs: flags.samplingInterval,
    heap: flags.heap,
    heapEveryMs: parseDuration(flags.heapEvery) as number,
    heapSnapshots: flags.heapSnapshots,
    top: flags.top,
  };
  checkProfileWindow(options, flags);
  const quick = request.plan.workload.kind === 'quick';
  if (!request.plan.host && !quick && flags.inspect)
    throw fail(
      '--inspect names the inspector of the service at --host; give --host too (without both, the embedded FIML is profiled)',
    );
  const classes =
    request.plan.workload.kind === 'scenario'
      ? await prepareScenario(
          request.scenarioFile as string,
          request.typecheck && !request.bundledScenario,
          request.plan.workload.classNames,
        )
      : [];
  let host = request.plan.host;
  let fiml: EmbeddedFiml | undefined;
  let inspectAt = flags.inspect;
  if (!host) {
    fiml = await startEmbeddedFiml([], { inspect: true });
    host = fiml.url;
    inspectAt = fiml.inspectorUrl;
    err(`Embedded FIML started at ${host}, its inspector on loopback`);
  } else {
    if (!inspectAt)
      throw fail(
        `profiling ${host} needs its inspector: start the service with node --inspect=127.0.0.1:9229 and add --inspect http://127.0.0.1:9229`,
      );
    await assertReachable(
      request.plan.workload.kind === 'quick' ? request.plan.workload.url : host,
      request.plan.client,
      'start the service or fix --host/the URL',
    );
  }
  let inspector: Inspector;
  try {
    inspector = await Inspector.connect(inspectAt as string, flags.allowRemoteInspector);
  } catch (error) {
    await fiml?.stop();
    throw error;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = new ProgressPrinter();
  const profiler = new ServiceProfiler(inspector, {
    ...options,
    out: resolve(flags.out ?? join('reports', folderStamp(new Date()), 'profile')),
    note: (line) => progress.note(line),
  });
  err(`Profiling ${host} ${profiler.describe()}`);
  try {
    await profiler.begin();
    const result = await runLoad({
      plan: { ...request.plan, host },
      classes,
      workers: request.workers,
      graceMs: request.graceMs,
      stop: stop.signal,
      onProgress: request.quiet ? undefined : (p) => progress.update(p),
      onWarning: (message) => progress.note(`WARNING: ${message}`),
      onTick: profiler.onTick,
      version: VERSION,
      config: { workload: request.plan.workload, executor: request.plan.executor, host },
    });
    const { text } = await profiler.finish(result, host, stop.signal.aborted);
    progress.clear();
    process.stdout.write(text);
    return 0;
  } finally {
    profiler.dispose();
    progress.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    inspector.close();
    await fiml?.stop();
  }
}

/** Where each --target's benchmarks are: a folder of bench/, and a filter within it. */
const TARGETS: Record<string, { readonly folder: string; readonly filter?: string }> = {
  cache: { folder: 'cache' },
  dsl: { folder: 'dsl' },
  core: { folder: 'core' },
  components: { folder: 'components' },
  providers: { folder: 'components', filter: 'provider' },
};

/**
 * `profile --target NAME [FILTER...]`: FIML's component benchmarks that match, profiled in this
 * process (the seed's `profile.py --target cache`). Writes the folder and prints the hot
 * functions. Returns the exit code. @throws PerfError FP_ERR_PROFILE when none matches
 */
export async function runTargetProfile(
  target: string,
  filters: readonly string[],
  flags: Pick<ProfileFlags, 'out' | 'time' | 'samplingInterval' | 'top'>,
): Promise<number> {
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
  let found: Awaited<ReturnType<typeof loadBenchmarks>>;
  try {
    found = await loadBenchmarks(join(root, spec.folder), spec.filter ? [spec.filter] : []);
  } catch (error) {
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
  return profileBenchmarks(found, {
    label: target,
    out: flags.out,
    timeMs: flags.time,
    samplingIntervalUs: flags.samplingInterval,
    top: flags.top,
  });
}

/**
 * Benchmarks profiled in this process, one after the other, each for `timeMs` after its set-up
 * and warm-up (`profile --target`, `bench --profile`): writes the folder and prints the hot
 * functions. Returns the exit code.
 */
export async function profileBenchmarks(
  found: readonly BenchDefinition[],
  options: {
    readonly label: string;
    readonly out: string | undefined;
    readonly timeMs: number;
    readonly samplingIntervalUs: number;
    readonly top: number;
  },
): Promise<number> {
  const target = options.label;
  const flags = {
    time: options.timeMs,
    samplingInterval: options.samplingIntervalUs,
    top: options.top,
    out: options.out,
  };
  err(
    `Profiling ${found.length} benchmark(s) of ${target} in this process, ${flags.time} ms each: ${found.map((b) => b.id).join(', ')}`,
  );
  const { profileWorkloads } = await import('../profile/index.js');
  const { profile, iterations } = await profileWorkloads(
    found.map((b) => ({
      id: b.id,
      fn: b.fn,
      ...(b.options.setup ? { setup: b.options.setup } : {}),
      ...(b.options.teardown ? { teardown: b.options.teardown } : {}),
    })),
    { timeMs: flags.time, intervalUs: flags.samplingInterval },
  );
  const out = resolve(flags.out ?? join('reports', folderStamp(new Date()), `profile-${target}`));
  mkdirSync(out, { recursive: true });
  const mapper = new SourceMapper(process.cwd());
  const place = (f: FunctionTime) => {
    if (!f.url) return '';
    const p = mapper.place(f.url, f.line, f.column);
    return `${p.file}:${p.line}`;
  };
  const analysis = analyseCpuProfile(profile);
  writeFileAtomic(join(out, 'cpu.cpuprofile'), JSON.stringify(profile));
  writeFileAtomic(
    join(out, 'stacks.folded'),
    foldedStacks(profile, (url, line, column) => mapper.place(url, line, column)),
  );
  writeFileAtomic(
    join(out, 'flamegraph.html'),
    renderFlamegraph(profile, {
      title: `fiml-perf profile: ${target} benchmarks`,
      subtitle: `${found.map((b) => b.id).join(', ')}; ${flags.time} ms each, sampled every ${flags.samplingInterval} µs`,
      mapper,
    }),
  );
  writeFileAtomic(
    join(out, 'profile.json'),
    `${JSON.stringify(
      {
        tool: { name: 'fiml-perf', version: VERSION },
        target,
        benchmarks: found.map((b) => ({ id: b.id, file: b.file, iterations: iterations[b.id] })),
        cpu: {
          durationMs: analysis.durationUs / 1000,
          busyMs: analysis.busyUs / 1000,
          functions: analysis.functions.slice(0, 100).map((f) => ({
            name: f.name,
            where: place(f),
            class: f.class,
            selfMs: f.selfUs / 1000,
            totalMs: f.totalUs / 1000,
            attributedSelfMs: f.attributedSelfUs / 1000,
            hotLines: f.lines.slice(0, 5).map((l) => ({ line: l.line, ms: l.us / 1000 })),
          })),
        },
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(
    [
      '',
      `${target}: ${found.map((b) => `${b.id} ${iterations[b.id]} runs`).join(', ')}`,
      '',
      hotTable(analysis.functions, analysis.busyUs, place, flags.top),
      '',
      `Profile: ${out} (cpu.cpuprofile, flamegraph.html, stacks.folded, profile.json)`,
      '',
    ].join('\n'),
  );
  return 0;
}
