import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PerfError } from '../errors.js';
import {
  allocationGrowth,
  analyseCpuProfile,
  type ConstructorGrowth,
  type CpuProfile,
  constructorGrowth,
  type Diagnosis,
  diagnose,
  endWatch,
  evaluate,
  type FunctionTime,
  foldedStacks,
  type HeapProfile,
  type HeapSample,
  type Inspector,
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
import type { RunResult, StatsRecorder } from '../stats/index.js';
import { formatDuration } from '../util/duration.js';
import { VERSION } from './version.js';

export const ms = (us: number) => (us / 1000).toFixed(us >= 100_000 ? 0 : 1);
export const pct = (part: number, whole: number) =>
  whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '-';

/** How a service is profiled under a load (`profile`, `run --profile`). */
export interface ServiceProfileOptions {
  /** Load before the window; the window ends a second before the load (less the snapshots'). */
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly samplingIntervalUs: number;
  readonly heap: boolean;
  readonly heapEveryMs: number;
  readonly heapSnapshots: number;
  readonly out: string;
  readonly top: number;
  /** Progress lines while the load runs. */
  readonly note: (line: string) => void;
}

/** What a finished profile wrote and says. */
export interface ServiceProfile {
  readonly out: string;
  readonly diagnosis: readonly Diagnosis[];
  /** The hot functions, the diagnosis and the heap, as printed on stdout. */
  readonly text: string;
}

/**
 * Refuses a window that cannot be: the warm-up, a second at the end and the snapshots' time
 * must fit in the run. @throws PerfError FP_ERR_INVALID_FLAG
 */
export function checkProfileWindow(
  o: Pick<ServiceProfileOptions, 'warmupMs' | 'durationMs' | 'heapEveryMs' | 'heapSnapshots'>,
  flags: { readonly warmup: string; readonly heapEvery: string },
): void {
  const snapshots = o.heapSnapshots;
  if (snapshots === 1)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      '--heap-snapshots 1 has nothing to compare with; take 3 (2 at the least), or 0 for none',
    );
  if (o.warmupMs + 1000 + snapshotTail(o) >= o.durationMs)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `--warmup ${flags.warmup}${snapshots ? ` and ${snapshots} heap snapshots --heap-every ${flags.heapEvery} apart` : ''} ${snapshots ? 'leave' : 'leaves'} no window in a ${formatDuration(o.durationMs)} run; run longer (-t)${snapshots ? ', take fewer snapshots or shorten --heap-every' : ' or warm up less'}`,
    );
}

/**
 * Source maps the service holds in memory for the scripts of the profile this process cannot
 * map (a service run with tsx, or any loader with inline maps and source maps on): read from the
 * service through its inspector, after the window.
 */
async function borrowSourceMaps(
  inspector: Inspector,
  mapper: SourceMapper,
  profile: CpuProfile,
): Promise<void> {
  const urls = mapper.unmapped(profile.nodes.map((n) => n.callFrame.url));
  if (urls.length === 0) return;
  const expression = `(() => {
    const { findSourceMap } = require('node:module');
    const maps = {};
    for (const url of ${JSON.stringify(urls)}) {
      const map = findSourceMap(url);
      if (map) maps[url] = map.payload;
    }
    return JSON.stringify(maps);
  })()`;
  try {
    const text = await evaluate(inspector, expression);
    const maps = JSON.parse(typeof text === 'string' ? text : '{}') as Record<string, unknown>;
    for (const [url, payload] of Object.entries(maps)) mapper.add(url, payload);
  } catch {
    // A service that cannot say (no require in its context): its places stay as V8 gave them.
  }
}

/** Snapshots after the window are --heap-every apart, and the last needs time to be taken. */
function snapshotTail(o: Pick<ServiceProfileOptions, 'heapEveryMs' | 'heapSnapshots'>): number {
  return o.heapSnapshots >= 2 ? (o.heapSnapshots - 1) * o.heapEveryMs : 0;
}

/**
 * Profiles a service through its inspector over the measured window of a load: `begin` before
 * the load, `onTick` every second of it, `finish` after it. The CPU profiler runs from the start
 * of the load and is cut to the window (code optimised in the warm-up keeps its inlined
 * functions); the heap is read after the service's own full GCs, one forced only when it had
 * none, and at the window's edges, outside it; heap snapshots are taken outside the window.
 */
export class ServiceProfiler {
  readonly endAt: number;
  #started: Promise<void> | undefined;
  #stopped: Promise<CpuProfile> | undefined;
  #signals: Promise<ServiceSignals | undefined> = Promise.resolve(undefined);
  // Every call to the service in order, one after the other.
  #chain: Promise<unknown> = Promise.resolve();
  #heapTimer: NodeJS.Timeout | undefined;
  readonly #heapSamples: HeapSample[] = [];
  #forcedGcMs = 0;
  #heapStart: HeapProfile | undefined;
  #heapEnd: Promise<HeapProfile> | undefined;
  readonly #snapshots: Array<{ t: number; requests: number; text: string; pauseMs: number }> = [];
  #snapshotsWanted = 0;
  /** Requests served by time (performance.now()), to place each heap reading on the load. */
  readonly #served: Array<{ at: number; requests: number }> = [];
  #requestsNow = () => 0;
  readonly #startedAt = performance.now();
  #window = { fromS: 0, toS: 0 };
  #windowFromUs = 0;
  #loadStartedAt = Date.now();

  constructor(
    private readonly inspector: Inspector,
    private readonly o: ServiceProfileOptions,
  ) {
    this.endAt = o.durationMs - 1000 - snapshotTail(o);
  }

  /** The window's length, for the opening line. */
  describe(): string {
    return `over ${formatDuration(this.endAt - this.o.warmupMs)}: load from the start, profile after ${formatDuration(this.o.warmupMs)} of warm-up`;
  }

  /** Starts the CPU profiler: call just before the load starts. */
  async begin(): Promise<void> {
    await startCpuProfile(this.inspector, this.o.samplingIntervalUs);
  }

  readonly onTick = (recorder: StatsRecorder): void => {
    const elapsed = Date.now() - recorder.startedAt;
    this.#loadStartedAt = recorder.startedAt;
    this.#served.push({ at: performance.now(), requests: recorder.requests });
    this.#requestsNow = () => recorder.requests;
    if (!this.#started && elapsed >= this.o.warmupMs) this.#open(recorder.startedAt);
    else if (this.#started && !this.#stopped && elapsed >= this.endAt) {
      this.#halt();
      this.o.note(`Profile stopped at ${this.#window.toS}s`);
    } else if (
      this.#stopped &&
      this.#snapshotsWanted < this.o.heapSnapshots &&
      elapsed >= this.endAt + (this.#snapshotsWanted - 1) * this.o.heapEveryMs
    )
      this.#snapshot();
  };

  #noSignals = (error: Error) => {
    this.o.note(
      `cannot read the service's event loop and GC (${error.message}); the diagnosis uses the profile alone`,
    );
    return undefined;
  };

  #then(step: () => Promise<unknown>): void {
    this.#chain = this.#chain.then(step);
  }

  #snapshot(): void {
    this.#snapshotsWanted += 1;
    this.#then(async () => {
      const at = performance.now();
      const requests = this.#requestsNow();
      const text = await takeHeapSnapshot(this.inspector);
      this.#snapshots.push({
        t: Math.round((at - this.#startedAt) / 100) / 10,
        requests,
        text,
        pauseMs: Math.round(performance.now() - at),
      });
    });
  }

  #readHeap(force: 'always' | 'if-none', end: boolean, inWindow: boolean): void {
    this.#then(async () => {
      const { readings, forcedMs } = await readHeapWatch(this.inspector, force, end);
      const now = performance.now();
      for (const r of readings) {
        const at = now - r.ageMs;
        this.#heapSamples.push({
          t: Math.round((at - this.#startedAt) / 100) / 10,
          requests: requestsAt(this.#served, at),
          usedBytes: r.usedBytes,
        });
      }
      if (inWindow) this.#forcedGcMs += forcedMs;
    });
  }

  /** The window opens: a snapshot, the first heap reading, the watch, then the clock mark. */
  #open(loadStartedAt: number): void {
    const { inspector } = this;
    this.#window = { fromS: Math.round((Date.now() - loadStartedAt) / 100) / 10, toS: 0 };
    if (this.o.heapSnapshots) this.#snapshot();
    if (this.o.heap) {
      this.#then(() => startHeapWatch(inspector));
      this.#readHeap('always', false, false);
      this.#heapTimer = setInterval(
        () => this.#readHeap('if-none', false, true),
        this.o.heapEveryMs,
      );
      this.#then(async () => {
        await startHeapSampling(inspector);
        this.#heapStart = await readHeapSampling(inspector);
      });
    }
    this.#started = this.#chain
      .then(() => startWatch(inspector).catch(this.#noSignals))
      .then(() => evaluate(inspector, 'String(process.hrtime.bigint() / 1000n)'))
      .then((now) => {
        // After the snapshot and the first heap reading: the window starts here, on the
        // service's monotonic clock, which is the CPU profile's.
        this.#windowFromUs = Number(now);
        this.#window.fromS = Math.round((Date.now() - loadStartedAt) / 100) / 10;
      });
    this.#chain = this.#started;
    this.o.note(`Profile started at ${this.#window.fromS}s`);
  }

  #halt(): void {
    const { inspector } = this;
    clearInterval(this.#heapTimer);
    this.#window.toS = Math.round((Date.now() - this.#loadStartedAt) / 100) / 10;
    this.#signals = (this.#started ?? Promise.resolve())
      .then(() => endWatch(inspector))
      .catch(this.#noSignals);
    const stopped = this.#signals.then(() => stopCpuProfile(inspector));
    this.#stopped = stopped;
    // After the CPU profile: the snapshot and the last forced GC are outside the window.
    this.#chain = Promise.all([this.#chain, stopped]);
    if (this.o.heapSnapshots) this.#snapshot();
    if (this.o.heap) {
      this.#readHeap('always', true, false);
      this.#heapEnd = this.#chain.then(async () => {
        await readHeapSampling(inspector);
        return stopHeapSampling(inspector);
      });
      this.#chain = this.#heapEnd;
    }
  }

  /** Stops the heap timer; call whatever happened. */
  dispose(): void {
    clearInterval(this.#heapTimer);
  }

  /**
   * After the load: closes the window if the load ended first, takes the snapshots still due,
   * writes the folder and returns what it says. @throws PerfError FP_ERR_PROFILE when the load
   * ended before the window opened
   */
  async finish(result: RunResult, host: string, interrupted: boolean): Promise<ServiceProfile> {
    const o = this.o;
    this.#served.push({ at: performance.now(), requests: result.totals.requests });
    this.#requestsNow = () => result.totals.requests;
    if (this.#started && !this.#stopped) this.#halt();
    // Snapshots the load ended too soon for: taken now, after the load (not after Ctrl-C).
    if (!interrupted) while (this.#snapshotsWanted < o.heapSnapshots) this.#snapshot();
    if (!this.#stopped)
      throw new PerfError(
        'FP_ERR_PROFILE',
        'the run ended before the warm-up did: nothing was profiled; run longer (-t)',
      );
    const profile = trimProfile(await this.#stopped, this.#windowFromUs);
    const heapProfile = this.#heapEnd ? await this.#heapEnd : undefined;
    await this.#chain;
    const window = this.#window;
    const taken = this.#snapshots;
    const summaries = taken.map((s) => summariseSnapshot(s.text));
    const grown = summaries.length >= 2 ? constructorGrowth(summaries) : [];
    const leak = leakVerdict(this.#heapSamples);
    const read = await this.#signals;
    const forcedGcMs = this.#forcedGcMs;
    // The full GCs forced for the heap readings are the profiler's, not the service's.
    const serviceSignals: ServiceSignals | undefined = read && {
      ...read,
      gcMs: Math.max(0, read.gcMs - forcedGcMs),
      gcShare: Math.max(0, read.gcMs - forcedGcMs) / read.windowMs,
      forcedGcMs,
    };
    const out = o.out;
    mkdirSync(out, { recursive: true });
    const mapper = new SourceMapper(process.cwd());
    await borrowSourceMaps(this.inspector, mapper, profile);
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
      leak: o.heap ? leak : undefined,
      growingClasses: grown.filter((c) => c.grewEveryTime && c.growthBytes > 0),
      clientP99Ms: result.totals.latencyMs.p99,
      place,
    });
    writeFileAtomic(join(out, 'cpu.cpuprofile'), JSON.stringify(profile));
    for (const [i, s] of taken.entries())
      writeFileAtomic(join(out, `heap-${i + 1}.heapsnapshot`), s.text);
    if (heapProfile) writeFileAtomic(join(out, 'heap.heapprofile'), JSON.stringify(heapProfile));
    const growth = heapProfile ? allocationGrowth(this.#heapStart, heapProfile).slice(0, 20) : [];
    writeFileAtomic(
      join(out, 'stacks.folded'),
      foldedStacks(profile, (url, line, column) => mapper.place(url, line, column)),
    );
    const subtitle = `${host}, ${window.fromS}s to ${window.toS}s of the load (${result.totals.requests} requests, ${result.totals.rps}/s); sampled every ${o.samplingIntervalUs} µs`;
    writeFileAtomic(
      join(out, 'flamegraph.html'),
      renderFlamegraph(profile, { title: 'fiml-perf profile: CPU', subtitle, mapper }),
    );
    const summary = {
      tool: { name: 'fiml-perf', version: VERSION },
      target: host,
      window,
      samplingIntervalUs: o.samplingIntervalUs,
      load: {
        requests: result.totals.requests,
        failures: result.totals.failures,
        rps: result.totals.rps,
        latencyMs: result.totals.latencyMs,
      },
      signals: serviceSignals ?? null,
      diagnosis,
      heap: o.heap
        ? {
            leak,
            samples: this.#heapSamples,
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
      heapSnapshots: taken.length
        ? {
            taken: taken.map((s, i) => ({
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
    const text = [
      '',
      `CPU of ${host} from ${window.fromS}s to ${window.toS}s: busy ${ms(busy)} ms of ${ms(analysis.durationUs)} ms (${pct(busy, analysis.durationUs)}); ${shares}${forcedUs > 0 ? ` (not counting ${ms(forcedUs)} ms of GC the profiler forced for its heap readings)` : ''}`,
      '',
      hotTable(analysis.functions, busy, place, o.top),
      '',
      'Diagnosis:',
      ...diagnosis.flatMap((d) => [
        `- ${d.title}`,
        ...d.evidence.map((e) => `    ${e.name}: ${e.value}`),
        ...d.actions.map((a) => `    -> ${a}`),
      ]),
      '',
      ...(o.heap
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
      ...(taken.length ? [snapshotTable(taken, grown, o.top), ''] : []),
      `Profile: ${out} (cpu.cpuprofile opens in Chrome DevTools, VS Code and speedscope; flamegraph.html; stacks.folded; profile.json)`,
      '',
    ].join('\n');
    return { out, diagnosis, text };
  }
}

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

/** Rows under a header, numbers right-aligned in the first `numeric` columns. */
export function textTable(
  head: readonly string[],
  rows: readonly string[][],
  numeric: number,
): string {
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

/** The classes whose objects grew most across the heap snapshots, those that grew every time first. */
export function snapshotTable(
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
