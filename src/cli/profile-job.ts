import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchDefinition } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { assertReachable, createExecutor, runLoad } from '../load/index.js';
import {
  allocationGrowth,
  analyseCpuProfile,
  type ConstructorGrowth,
  type CpuProfile,
  constructorGrowth,
  diagnose,
  endWatch,
  evaluate,
  type FunctionTime,
  foldedStacks,
  functionChanges,
  type HeapProfile,
  type HeapSample,
  Inspector,
  leakVerdict,
  readHeapSampling,
  readHeapWatch,
  renderFlamegraph,
  requestsAt,
  type ServiceSignals,
  SourceMapper,
  startCpuProfile,
  startHeapSampling,
  startHeapWatch,
  startWatch,
  stopCpuProfile,
  stopHeapSampling,
  summariseSnapshot,
  takeHeapSnapshot,
  trimProfile,
  withoutForcedGc,
} from '../profile/index.js';
import { writeFileAtomic } from '../report/index.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { type EmbeddedFiml, startEmbeddedFiml } from './embedded-fiml.js';
import { prepareScenario } from './load-job.js';
import type { LoadRequest } from './load-options.js';
import type { ProfileFlags } from './profile.js';
import { ProgressPrinter } from './progress.js';
import { folderStamp } from './run.js';
import { VERSION } from './version.js';

const err = (line: string) => process.stderr.write(`${line}\n`);
const fail = (message: string) => new PerfError('FP_ERR_PROFILE', message);

const ms = (us: number) => (us / 1000).toFixed(us >= 100_000 ? 0 : 1);
const pct = (part: number, whole: number) =>
  whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '-';

/** The hot functions as a table, by attributed self time. */
export function hotTable(
  functions: readonly FunctionTime[],
  busyUs: number,
  place: (f: FunctionTime) => string,
  top: number,
): string {
  const rows = functions
    .filter((f) => f.class !== 'idle' && f.attributedSelfUs > 0)
    .slice(0, top)
    .map((f) => [
      ms(f.attributedSelfUs),
      pct(f.attributedSelfUs, busyUs),
      ms(f.selfUs),
      ms(f.totalUs),
      f.class,
      f.name,
      place(f),
    ]);
  return textTable(
    ['attributed ms', '% busy', 'self ms', 'total ms', 'class', 'function', 'where'],
    rows,
    4,
  );
}

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

/** Rows under a header, numbers right-aligned in the first `numeric` columns. */
function textTable(head: readonly string[], rows: readonly string[][], numeric: number): string {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i < numeric ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
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
  const warmupMs = parseDuration(flags.warmup) as number;
  const heapEveryMs = parseDuration(flags.heapEvery) as number;
  const executor = createExecutor(request.plan.executor);
  const snapshots = flags.heapSnapshots;
  if (snapshots === 1)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      '--heap-snapshots 1 has nothing to compare with; take 3 (2 at the least), or 0 for none',
    );
  // Snapshots after the window are --heap-every apart, and the last needs time to be taken.
  const snapshotTailMs = snapshots >= 2 ? (snapshots - 1) * heapEveryMs : 0;
  if (warmupMs + 1000 + snapshotTailMs >= executor.durationMs)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `--warmup ${flags.warmup}${snapshots ? ` and ${snapshots} heap snapshots --heap-every ${flags.heapEvery} apart` : ''} ${snapshots ? 'leave' : 'leaves'} no window in a ${formatDuration(executor.durationMs)} run; run longer (-t)${snapshots ? ', take fewer snapshots or shorten --heap-every' : ' or warm up less'}`,
    );
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
  const out = resolve(flags.out ?? join('reports', folderStamp(new Date()), 'profile'));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = new ProgressPrinter();
  const endAt = executor.durationMs - 1000 - snapshotTailMs;
  let started: Promise<void> | undefined;
  let stopped: Promise<CpuProfile> | undefined;
  // The heap: sampled allocations over the window, and the heap left after each of the service's
  // full GCs, read every --heap-every; a full GC is forced only when the service had none since
  // the last read (a pause it would not otherwise take), and at the window's edges, outside it.
  const heapSamples: HeapSample[] = [];
  let forcedGcMs = 0;
  let heapStart: HeapProfile | undefined;
  let heapEnd: Promise<HeapProfile> | undefined;
  let heapChain: Promise<unknown> = Promise.resolve();
  let heapTimer: NodeJS.Timeout | undefined;
  let signals: Promise<ServiceSignals | undefined> = Promise.resolve(undefined);
  const startedAt = performance.now();
  // Heap snapshots: the first before the window, the others after it, --heap-every apart.
  const snapshotsTaken: Array<{ t: number; requests: number; text: string; pauseMs: number }> = [];
  let requestsNow = () => 0;
  let snapshotsWanted = 0;
  const snapshot = () => {
    snapshotsWanted += 1;
    heapChain = heapChain.then(async () => {
      const at = performance.now();
      const requests = requestsNow();
      const text = await takeHeapSnapshot(inspector);
      snapshotsTaken.push({
        t: Math.round((at - startedAt) / 100) / 10,
        requests,
        text,
        pauseMs: Math.round(performance.now() - at),
      });
    });
  };
  const noSignals = (error: Error) => {
    progress.note(
      `cannot read the service's event loop and GC (${error.message}); the diagnosis uses the profile alone`,
    );
    return undefined;
  };
  // Requests served by time (performance.now()), to place each heap reading on the load.
  const served: Array<{ at: number; requests: number }> = [];
  const readHeap = (force: 'always' | 'if-none', end: boolean, inWindow: boolean) => {
    heapChain = heapChain
      .then(() => readHeapWatch(inspector, force, end))
      .then(({ readings, forcedMs }) => {
        const now = performance.now();
        for (const r of readings) {
          const at = now - r.ageMs;
          heapSamples.push({
            t: Math.round((at - startedAt) / 100) / 10,
            requests: requestsAt(served, at),
            usedBytes: r.usedBytes,
          });
        }
        if (inWindow) forcedGcMs += forcedMs;
      });
  };
  let window = { fromS: 0, toS: 0 };
  const startedWall = Date.now();
  const halt = () => {
    clearInterval(heapTimer);
    window.toS = Math.round((Date.now() - startedWall) / 100) / 10;
    signals = (started ?? Promise.resolve()).then(() => endWatch(inspector)).catch(noSignals);
    stopped = signals.then(() => stopCpuProfile(inspector));
    if (snapshots) {
      heapChain = Promise.all([heapChain, stopped]);
      snapshot();
    }
    if (flags.heap) {
      // After the CPU profile: the last forced GC is outside the window.
      heapChain = Promise.all([heapChain, stopped]);
      readHeap('always', true, false);
      heapEnd = heapChain.then(async () => {
        await readHeapSampling(inspector);
        return stopHeapSampling(inspector);
      });
    }
  };
  err(
    `Profiling ${host} over ${formatDuration(endAt - warmupMs)}: load from the start, profile after ${flags.warmup} of warm-up`,
  );
  let result: Awaited<ReturnType<typeof runLoad>>;
  // The CPU profiler runs from the start of the load, so what the JIT optimises in the warm-up
  // keeps the positions of the functions it inlined; the profile is cut to the window after.
  let windowFromUs = 0;
  try {
    await startCpuProfile(inspector, flags.samplingInterval);
    result = await runLoad({
      plan: { ...request.plan, host },
      classes,
      workers: request.workers,
      graceMs: request.graceMs,
      stop: stop.signal,
      onProgress: request.quiet ? undefined : (p) => progress.update(p),
      onWarning: (message) => progress.note(`WARNING: ${message}`),
      onTick: (recorder) => {
        const elapsed = Date.now() - recorder.startedAt;
        const t = Math.round(elapsed / 100) / 10;
        served.push({ at: performance.now(), requests: recorder.requests });
        requestsNow = () => recorder.requests;
        if (!started && elapsed >= warmupMs) {
          window = { fromS: t, toS: 0 };
          if (snapshots) snapshot();
          if (flags.heap) {
            // The first reading, forced, before the CPU profile starts.
            heapChain = heapChain.then(() => startHeapWatch(inspector));
            readHeap('always', false, false);
            heapTimer = setInterval(() => readHeap('if-none', false, true), heapEveryMs);
            heapChain = heapChain
              .then(() => startHeapSampling(inspector))
              .then(() => readHeapSampling(inspector))
              .then((profile) => {
                heapStart = profile;
              });
          }
          started = heapChain
            .then(() => startWatch(inspector).catch(noSignals))
            .then(() => evaluate(inspector, 'String(process.hrtime.bigint() / 1000n)'))
            .then((now) => {
              // After the snapshot and the first heap reading: the window starts here, on the
              // service's monotonic clock, which is the CPU profile's.
              windowFromUs = Number(now);
              window.fromS = Math.round((Date.now() - recorder.startedAt) / 100) / 10;
            });
          progress.note(`Profile started at ${window.fromS}s`);
        } else if (started && !stopped && elapsed >= endAt) {
          halt();
          progress.note(`Profile stopped at ${window.toS}s`);
        } else if (
          stopped &&
          snapshotsWanted < snapshots &&
          elapsed >= endAt + (snapshotsWanted - 1) * heapEveryMs
        ) {
          snapshot();
        }
      },
      version: VERSION,
      config: { workload: request.plan.workload, executor: request.plan.executor, host },
    });
    served.push({ at: performance.now(), requests: result.totals.requests });
    requestsNow = () => result.totals.requests;
    if (started && !stopped) halt();
    // Snapshots the load ended too soon for (Ctrl-C): taken now, after the load.
    if (!stop.signal.aborted) while (snapshotsWanted < snapshots) snapshot();
    if (!stopped)
      throw fail('the run ended before the warm-up did: nothing was profiled; run longer (-t)');
    const profile = trimProfile(await stopped, windowFromUs);
    const heapProfile = heapEnd ? await heapEnd : undefined;
    await heapChain;
    const summaries = snapshotsTaken.map((s) => summariseSnapshot(s.text));
    const grown = summaries.length >= 2 ? constructorGrowth(summaries) : [];
    const leak = leakVerdict(heapSamples);
    const read = await signals;
    // The full GCs forced for the heap readings are the profiler's, not the service's.
    const serviceSignals: ServiceSignals | undefined = read && {
      ...read,
      gcMs: Math.max(0, read.gcMs - forcedGcMs),
      gcShare: Math.max(0, read.gcMs - forcedGcMs) / read.windowMs,
      forcedGcMs,
    };
    mkdirSync(out, { recursive: true });
    const mapper = new SourceMapper(process.cwd());
    const forcedUs = forcedGcMs * 1000;
    const analysis = withoutForcedGc(analyseCpuProfile(profile), forcedUs);
    const place = (f: FunctionTime) => {
      if (!f.url) return '';
      const p = mapper.place(f.url, f.line, f.column);
      return `${p.file}:${p.line}`;
    };
    const diagnosis = diagnose({
      signals: serviceSignals,
      cpu: analysis,
      leak: flags.heap ? leak : undefined,
      growingClasses: grown.filter((c) => c.grewEveryTime && c.growthBytes > 0),
      clientP99Ms: result.totals.latencyMs.p99,
      place,
    });
    writeFileAtomic(join(out, 'cpu.cpuprofile'), JSON.stringify(profile));
    for (const [i, s] of snapshotsTaken.entries())
      writeFileAtomic(join(out, `heap-${i + 1}.heapsnapshot`), s.text);
    if (heapProfile) writeFileAtomic(join(out, 'heap.heapprofile'), JSON.stringify(heapProfile));
    const growth = heapProfile ? allocationGrowth(heapStart, heapProfile).slice(0, 20) : [];
    writeFileAtomic(
      join(out, 'stacks.folded'),
      foldedStacks(profile, (url, line, column) => mapper.place(url, line, column)),
    );
    const subtitle = `${host}, ${window.fromS}s to ${window.toS}s of the load (${result.totals.requests} requests, ${result.totals.rps}/s); sampled every ${flags.samplingInterval} µs`;
    writeFileAtomic(
      join(out, 'flamegraph.html'),
      renderFlamegraph(profile, { title: 'fiml-perf profile: CPU', subtitle, mapper }),
    );
    const summary = {
      tool: { name: 'fiml-perf', version: VERSION },
      target: host,
      window,
      samplingIntervalUs: flags.samplingInterval,
      load: {
        requests: result.totals.requests,
        failures: result.totals.failures,
        rps: result.totals.rps,
        latencyMs: result.totals.latencyMs,
      },
      signals: serviceSignals ?? null,
      diagnosis,
      heap: flags.heap
        ? {
            leak,
            samples: heapSamples,
            allocationGrowth: growth.map((s) => ({
              name: s.name,
              where: s.url
                ? (({ file, line }) => `${file}:${line}`)(mapper.place(s.url, s.line, 0))
                : '',
              liveBytes: s.bytes,
              growthBytes: s.growth,
            })),
          }
        : null,
      heapSnapshots: snapshotsTaken.length
        ? {
            taken: snapshotsTaken.map((s, i) => ({
              file: `heap-${i + 1}.heapsnapshot`,
              t: s.t,
              requests: s.requests,
              pauseMs: s.pauseMs,
              objects: summaries[i]?.nodes,
              bytes: summaries[i]?.bytes,
            })),
            classes: grown.slice(0, 50),
          }
        : null,
      cpu: {
        durationMs: analysis.durationUs / 1000,
        busyMs: analysis.busyUs / 1000,
        byClassMs: Object.fromEntries(
          Object.entries(analysis.byClass).map(([k, us]) => [k, us / 1000]),
        ),
        packages: analysis.packages.slice(0, 20).map((p) => ({ name: p.name, ms: p.us / 1000 })),
        functions: analysis.functions.slice(0, 100).map((f) => ({
          name: f.name,
          where: place(f),
          class: f.class,
          selfMs: f.selfUs / 1000,
          totalMs: f.totalUs / 1000,
          attributedSelfMs: f.attributedSelfUs / 1000,
          hotLines: f.lines.slice(0, 5).map((l) => ({ line: l.line, ms: l.us / 1000 })),
          ...(f.deoptReason ? { deoptReason: f.deoptReason } : {}),
        })),
      },
    };
    writeFileAtomic(join(out, 'profile.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const busy = analysis.busyUs;
    const shares = (['app', 'dependency', 'node', 'native', 'gc', 'program'] as const)
      .map((c) => `${c} ${pct(analysis.byClass[c], busy)}`)
      .join(', ');
    progress.clear();
    process.stdout.write(
      [
        '',
        `CPU of ${host} from ${window.fromS}s to ${window.toS}s: busy ${ms(busy)} ms of ${ms(analysis.durationUs)} ms (${pct(busy, analysis.durationUs)}); ${shares}${forcedUs > 0 ? ` (not counting ${ms(forcedUs)} ms of GC the profiler forced for its heap readings)` : ''}`,
        '',
        hotTable(analysis.functions, busy, place, flags.top),
        '',
        'Diagnosis:',
        ...diagnosis.flatMap((d) => [
          `- ${d.title}`,
          ...d.evidence.map((e) => `    ${e.name}: ${e.value}`),
          ...d.actions.map((a) => `    -> ${a}`),
        ]),
        '',
        ...(flags.heap
          ? [
              `Heap: ${leak.verdict.toUpperCase()}: ${leak.summary}.`,
              ...growth
                .slice(0, 5)
                .filter((s) => s.growth > 0)
                .map(
                  (s) =>
                    `  ${(s.growth / 1048576).toFixed(2).padStart(8)} MB live  ${s.name}  ${s.url ? `${mapper.place(s.url, s.line, 0).file}:${mapper.place(s.url, s.line, 0).line}` : ''}`,
                ),
              '',
            ]
          : []),
        ...(snapshotsTaken.length ? [snapshotTable(snapshotsTaken, grown, flags.top), ''] : []),
        `Profile: ${out} (cpu.cpuprofile opens in Chrome DevTools, VS Code and speedscope; flamegraph.html; stacks.folded; profile.json)`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    clearInterval(heapTimer);
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

/** The classes whose objects grew most across the heap snapshots, those that grew every time first. */
function snapshotTable(
  taken: ReadonlyArray<{ readonly t: number; readonly requests: number; readonly pauseMs: number }>,
  classes: readonly ConstructorGrowth[],
  top: number,
): string {
  const mb = (b: number) => (b / 1048576).toFixed(2);
  const rows = classes
    .filter((c) => c.growthBytes > 0)
    .slice(0, top)
    .map((c) => [
      c.grewEveryTime ? 'yes' : '',
      `${c.growthBytes >= 0 ? '+' : ''}${mb(c.growthBytes)}`,
      `${c.growthCount >= 0 ? '+' : ''}${c.growthCount}`,
      c.bytes.map(mb).join(' > '),
      c.name,
    ]);
  return [
    `Heap snapshots: ${taken.map((s, i) => `${i + 1} at ${s.t}s (${s.requests} requests, ${s.pauseMs} ms)`).join(', ')}`,
    rows.length
      ? textTable(['every time', 'grew MB', 'objects', 'MB by snapshot', 'constructor'], rows, 4)
      : 'No class grew between the first snapshot and the last.',
  ].join('\n');
}
