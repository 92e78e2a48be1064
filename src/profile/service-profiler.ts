import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfError } from '../errors.js';
import type { RunResult, StatsRecorder } from '../stats/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatDuration } from '../util/duration.js';
import { VERSION } from '../version.js';
import { analyseCpuProfile, type CpuProfile, trimProfile, withoutForcedGc } from './cpu-profile.js';
import {
  type Diagnosis,
  diagnose,
  endWatch,
  type ServiceSignals,
  startWatch,
} from './diagnosis.js';
import { hotFunctions, placer, writeCpuFiles } from './folder.js';
import {
  allocationGrowth,
  type HeapProfile,
  type HeapSample,
  leakVerdict,
  readHeapSampling,
  readHeapWatch,
  requestsAt,
  startHeapSampling,
  startHeapWatch,
  stopHeapSampling,
} from './heap.js';
import {
  constructorGrowth,
  type SnapshotSummary,
  summariseSnapshot,
  takeHeapSnapshot,
} from './heap-snapshot.js';
import { evaluate, type Inspector, startCpuProfile, stopCpuProfile } from './inspector.js';
import { SourceMapper } from './source-map.js';
import { type FailedProfileFile, profileFileText, type ServiceProfileFile } from './summary.js';
import { hotTable, ms, pct, snapshotTable } from './text.js';

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
  /** The service's address, for the folder and the text. */
  readonly target: string;
  /** Progress lines while the load runs. */
  readonly note: (line: string) => void;
}

/** What a profile came to: its folder, and what it says or why it failed. */
export type ServiceProfile =
  | {
      readonly status: 'complete';
      readonly out: string;
      readonly diagnosis: readonly Diagnosis[];
      /** The hot functions, the diagnosis and the heap, as printed on stdout. */
      readonly text: string;
    }
  | {
      readonly status: 'failed';
      readonly out: string;
      /** One line: what went wrong and what to do. */
      readonly reason: string;
    };

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

interface Snapshot {
  readonly file: string;
  readonly t: number;
  readonly requests: number;
  readonly pauseMs: number;
}

/**
 * Profiles a service through its inspector over the measured window of a load: `begin` before
 * the load, `onTick` every second of it, `finish` after it. The CPU profiler runs from the start
 * of the load and is cut to the window (code optimised in the warm-up keeps its inlined
 * functions); the heap is read after the service's own full GCs, one forced only when it had
 * none, and at the window's edges, outside it; heap snapshots are taken outside the window and
 * streamed to the folder.
 *
 * Every call to the service goes through one queue that never rejects: the first failure (the
 * service exited, its inspector closed) is kept, the calls after it are skipped, and `finish`
 * reports the profile as failed with that reason. The load's result never depends on it.
 */
export class ServiceProfiler {
  readonly endAt: number;
  #queue: Promise<void> = Promise.resolve();
  #failure: string | undefined;
  #opened = false;
  #halted = false;
  #finished = false;
  #cpu: CpuProfile | undefined;
  #signals: ServiceSignals | undefined;
  #heapTimer: NodeJS.Timeout | undefined;
  readonly #heapSamples: HeapSample[] = [];
  #forcedGcMs = 0;
  #heapStart: HeapProfile | undefined;
  #heapEnd: HeapProfile | undefined;
  readonly #snapshots: Snapshot[] = [];
  #snapshotsWanted = 0;
  /** Requests served by time (performance.now()), to place each heap reading on the load. */
  readonly #served: Array<{ at: number; requests: number }> = [];
  #requestsNow = () => 0;
  readonly #startedAt = performance.now();
  readonly #window = { fromS: 0, toS: 0 };
  #windowFromUs = 0;
  #loadStartedAt = Date.now();
  readonly #offClose: () => void;

  constructor(
    private readonly inspector: Inspector,
    private readonly o: ServiceProfileOptions,
  ) {
    this.endAt = o.durationMs - 1000 - snapshotTail(o);
    this.#offClose = inspector.onClose((error) => this.#fail(error));
  }

  /** The window's length, for the opening line. */
  describe(): string {
    return `over ${formatDuration(this.endAt - this.o.warmupMs)}: load from the start, profile after ${formatDuration(this.o.warmupMs)} of warm-up`;
  }

  /** Starts the CPU profiler: call just before the load starts. @throws when the service does not answer */
  async begin(): Promise<void> {
    await startCpuProfile(this.inspector, this.o.samplingIntervalUs);
  }

  readonly onTick = (recorder: StatsRecorder): void => {
    const elapsed = Date.now() - recorder.startedAt;
    this.#loadStartedAt = recorder.startedAt;
    this.#served.push({ at: performance.now(), requests: recorder.requests });
    this.#requestsNow = () => recorder.requests;
    if (this.#failure) return;
    if (!this.#opened && elapsed >= this.o.warmupMs) this.#open(recorder.startedAt);
    else if (this.#opened && !this.#halted && elapsed >= this.endAt) {
      this.#halt();
      this.o.note(`Profile stopped at ${this.#window.toS}s`);
    } else if (
      this.#halted &&
      this.#snapshotsWanted < this.o.heapSnapshots &&
      elapsed >= this.endAt + (this.#snapshotsWanted - 1) * this.o.heapEveryMs
    )
      this.#snapshot();
  };

  #seconds(): number {
    return Math.round((Date.now() - this.#loadStartedAt) / 100) / 10;
  }

  #fail(error: unknown): void {
    if (this.#failure || this.#finished) return;
    clearInterval(this.#heapTimer);
    // One line: an evaluation's error carries the service's own stack after it.
    const message = ((error as Error).message ?? String(error)).split('\n')[0];
    this.#failure = `${message} at ${this.#seconds()}s of the load`;
    this.o.note(`Profile failed: ${this.#failure}; the load goes on and its result is kept`);
  }

  /** Queues a call to the service; a failure is kept, never thrown, and skips what follows. */
  #then(step: () => Promise<unknown>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#failure) return;
      try {
        await step();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  #snapshot(): void {
    this.#snapshotsWanted += 1;
    const file = join(this.o.out, `heap-${this.#snapshotsWanted}.heapsnapshot`);
    this.#then(async () => {
      const at = performance.now();
      const requests = this.#requestsNow();
      await takeHeapSnapshot(this.inspector, file);
      this.#snapshots.push({
        file,
        t: Math.round((at - this.#startedAt) / 100) / 10,
        requests,
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

  #noSignals = (error: Error): void => {
    this.o.note(
      `cannot read the service's event loop and GC (${error.message}); the diagnosis uses the profile alone`,
    );
  };

  /** The window opens: a snapshot, the first heap reading, the watch, then the clock mark. */
  #open(loadStartedAt: number): void {
    const { inspector } = this;
    this.#opened = true;
    this.#window.fromS = this.#seconds();
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
    this.#then(() => startWatch(inspector).catch(this.#noSignals));
    this.#then(async () => {
      // After the snapshot and the first heap reading: the window starts here, on the service's
      // monotonic clock, which is the CPU profile's.
      const now = await evaluate(inspector, 'String(process.hrtime.bigint() / 1000n)');
      this.#windowFromUs = Number(now);
      this.#window.fromS = Math.round((Date.now() - loadStartedAt) / 100) / 10;
    });
    this.o.note(`Profile started at ${this.#window.fromS}s`);
  }

  #halt(): void {
    const { inspector } = this;
    this.#halted = true;
    clearInterval(this.#heapTimer);
    this.#window.toS = this.#seconds();
    this.#then(async () => {
      try {
        this.#signals = await endWatch(inspector);
      } catch (error) {
        this.#noSignals(error as Error);
      }
    });
    this.#then(async () => {
      this.#cpu = await stopCpuProfile(inspector);
    });
    // After the CPU profile: the snapshot and the last forced GC are outside the window.
    if (this.o.heapSnapshots) this.#snapshot();
    if (this.o.heap) {
      this.#readHeap('always', true, false);
      this.#then(async () => {
        await readHeapSampling(inspector);
        this.#heapEnd = await stopHeapSampling(inspector);
      });
    }
  }

  /** Stops the heap timer and stops listening to the inspector; call whatever happened. */
  dispose(): void {
    clearInterval(this.#heapTimer);
    this.#offClose();
  }

  /**
   * After the load: closes the window if the load ended first, takes the snapshots still due,
   * writes the folder and returns what it says; or, when the profile failed (the service or its
   * inspector went away, the load ended before the warm-up did), writes a profile.json saying
   * why and returns that. Never throws for the service's sake.
   */
  async finish(result: RunResult, interrupted: boolean): Promise<ServiceProfile> {
    const o = this.o;
    this.#served.push({ at: performance.now(), requests: result.totals.requests });
    this.#requestsNow = () => result.totals.requests;
    if (!this.#opened && !this.#failure)
      this.#failure = 'the run ended before the warm-up did: nothing was profiled; run longer (-t)';
    if (this.#opened && !this.#halted && !this.#failure) this.#halt();
    // Snapshots the load ended too soon for: taken now, after the load (not after Ctrl-C).
    if (!interrupted) while (this.#snapshotsWanted < o.heapSnapshots) this.#snapshot();
    await this.#queue;
    this.#finished = true;
    if (this.#failure || !this.#cpu)
      return this.#failed(this.#failure ?? 'no CPU profile came back');
    try {
      return await this.#write(result, this.#cpu);
    } catch (error) {
      // A folder that cannot be written: the profile is lost, the load's result is not.
      const e = error as NodeJS.ErrnoException;
      if (!e.code) throw error;
      return this.#failed(`cannot write ${o.out} (${e.code})`);
    }
  }

  #failed(reason: string): ServiceProfile {
    const summary: FailedProfileFile = {
      tool: { name: 'fiml-perf', version: VERSION },
      status: 'failed',
      target: this.o.target,
      reason,
      window: this.#window,
    };
    try {
      mkdirSync(this.o.out, { recursive: true });
      writeFileAtomic(join(this.o.out, 'profile.json'), profileFileText(summary));
    } catch {
      // The reason is still printed and the exit code says so.
    }
    return { status: 'failed', out: this.o.out, reason };
  }

  async #write(result: RunResult, cpu: CpuProfile): Promise<ServiceProfile> {
    const o = this.o;
    const profile = trimProfile(cpu, this.#windowFromUs);
    const window = this.#window;
    const taken = this.#snapshots;
    // One snapshot in memory at a time: each is read back from its file, summarised, dropped.
    let summaries: SnapshotSummary[] = [];
    try {
      summaries = taken.map((s) => summariseSnapshot(readFileSync(s.file, 'utf8')));
    } catch (error) {
      // A snapshot too large for one string here (over 512 MB): the files stay for DevTools.
      o.note(
        `cannot summarise the heap snapshots here (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); open them in Chrome DevTools' Memory tab`,
      );
    }
    const grown = summaries.length >= 2 ? constructorGrowth(summaries) : [];
    const leak = leakVerdict(this.#heapSamples);
    const read = this.#signals;
    const forcedGcMs = this.#forcedGcMs;
    // The full GCs forced for the heap readings are the profiler's, not the service's.
    const serviceSignals: ServiceSignals | undefined = read && {
      ...read,
      gcMs: Math.max(0, read.gcMs - forcedGcMs),
      gcShare: Math.max(0, read.gcMs - forcedGcMs) / read.windowMs,
      forcedGcMs,
    };
    const out = o.out;
    const mapper = new SourceMapper(process.cwd());
    await borrowSourceMaps(this.inspector, mapper, profile);
    const forcedUs = forcedGcMs * 1000;
    const analysis = withoutForcedGc(analyseCpuProfile(profile), forcedUs);
    const place = placer(mapper);
    const diagnosis = diagnose({
      signals: serviceSignals,
      cpu: analysis,
      leak: o.heap ? leak : undefined,
      growingClasses: grown.filter((c) => c.grewEveryTime && c.growthBytes > 0),
      clientP99Ms: result.totals.latencyMs.p99,
      place,
    });
    const subtitle = `${o.target}, ${window.fromS}s to ${window.toS}s of the load (${result.totals.requests} requests, ${result.totals.rps}/s); sampled every ${o.samplingIntervalUs} µs`;
    writeCpuFiles(out, profile, mapper, { title: 'fiml-perf profile: CPU', subtitle });
    const heapProfile = this.#heapEnd;
    if (heapProfile) writeFileAtomic(join(out, 'heap.heapprofile'), JSON.stringify(heapProfile));
    const growth = heapProfile ? allocationGrowth(this.#heapStart, heapProfile).slice(0, 20) : [];
    const where = (url: string, line: number) => {
      const p = mapper.place(url, line, 0);
      return `${p.file}:${p.line}`;
    };
    const summary: ServiceProfileFile = {
      tool: { name: 'fiml-perf', version: VERSION },
      status: 'complete',
      target: o.target,
      window,
      samplingIntervalUs: o.samplingIntervalUs,
      load: {
        requests: result.totals.requests,
        failures: result.totals.failures,
        rps: result.totals.rps,
        latencyMs: { ...result.totals.latencyMs },
      },
      signals: serviceSignals ?? null,
      diagnosis: [...diagnosis],
      heap: o.heap
        ? {
            leak,
            samples: this.#heapSamples,
            allocationGrowth: growth.map((s) => ({
              name: s.name,
              where: s.url ? where(s.url, s.line) : '',
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
              ...(summaries[i] ? { objects: summaries[i].nodes, bytes: summaries[i].bytes } : {}),
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
        functions: hotFunctions(analysis, place),
      },
    };
    writeFileAtomic(join(out, 'profile.json'), profileFileText(summary));
    const busy = analysis.busyUs;
    const shares = (['app', 'dependency', 'node', 'native', 'gc', 'program'] as const)
      .map((c) => `${c} ${pct(analysis.byClass[c], busy)}`)
      .join(', ');
    const text = [
      '',
      `CPU of ${o.target} from ${window.fromS}s to ${window.toS}s: busy ${ms(busy)} ms of ${ms(analysis.durationUs)} ms (${pct(busy, analysis.durationUs)}); ${shares}${forcedUs > 0 ? ` (not counting ${ms(forcedUs)} ms of GC the profiler forced for its heap readings)` : ''}`,
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
                  `  ${(s.growth / 1048576).toFixed(2).padStart(8)} MB live  ${s.name}  ${s.url ? where(s.url, s.line) : ''}`,
              ),
            '',
          ]
        : []),
      ...(taken.length ? [snapshotTable(taken, grown, o.top), ''] : []),
      `Profile: ${out} (cpu.cpuprofile opens in Chrome DevTools, VS Code and speedscope; flamegraph.html; stacks.folded; profile.json)`,
      '',
    ].join('\n');
    return { status: 'complete', out, diagnosis, text };
  }
}
