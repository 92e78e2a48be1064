import { linearFit } from '../stats/index.js';
import type { CallFrame } from './cpu-profile.js';
import { evaluate, type Inspector } from './inspector.js';

/** The heap in use after a full GC, when the run had sent `requests`. */
export interface HeapSample {
  /** Seconds into the run. */
  readonly t: number;
  readonly requests: number;
  readonly usedBytes: number;
}

/**
 * Whether the heap grows with the load. `growing` when the heap left after GC rises with the
 * requests served (the slope's 95% interval above zero) by more than the noise floor;
 * `stable` otherwise; `unknown` with fewer than 4 samples.
 */
export interface LeakVerdict {
  readonly verdict: 'growing' | 'stable' | 'unknown';
  /** Bytes the post-GC heap grew per 1,000 requests, with its 95% interval. */
  readonly bytesPer1000: number;
  readonly low: number;
  readonly high: number;
  /** From the first sample to the last. */
  readonly growthBytes: number;
  readonly samples: number;
  /** One sentence: what the figures say. */
  readonly summary: string;
}

/** Growth below this over the window is noise, whatever the slope (a cache filling, say). */
const MIN_GROWTH_BYTES = 1024 * 1024;

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(bytes >= 10 * 1048576 ? 0 : 1)} MB`;

/** The leak verdict from the post-GC heap samples of a window. */
export function leakVerdict(samples: readonly HeapSample[]): LeakVerdict {
  if (samples.length < 4 || (samples.at(-1) as HeapSample).requests === samples[0]?.requests)
    return {
      verdict: 'unknown',
      bytesPer1000: 0,
      low: 0,
      high: 0,
      growthBytes: 0,
      samples: samples.length,
      summary: `too few heap samples (${samples.length}) to judge; profile a longer window`,
    };
  const fit = linearFit(
    samples.map((s) => s.requests),
    samples.map((s) => s.usedBytes),
  );
  const growthBytes =
    (samples.at(-1) as HeapSample).usedBytes - (samples[0] as HeapSample).usedBytes;
  const growing = fit.low > 0 && growthBytes > MIN_GROWTH_BYTES;
  const per = (n: number) => Math.round(n * 1000);
  return {
    verdict: growing ? 'growing' : 'stable',
    bytesPer1000: per(fit.slope),
    low: per(fit.low),
    high: per(fit.high),
    growthBytes,
    samples: samples.length,
    summary: growing
      ? `the heap left after GC grew ${mb(growthBytes)} over the window, ${mb(per(fit.slope))} per 1,000 requests (95% interval ${mb(per(fit.low))} to ${mb(per(fit.high))}): memory is kept per request`
      : `the heap left after GC held steady (${growthBytes >= 0 ? '+' : ''}${mb(growthBytes)} over ${samples.length} samples, ${mb(Math.abs(per(fit.slope)))} per 1,000 requests): no sign of a leak`,
  };
}

/**
 * Requests served at time `at`, interpolated between the counts logged at known times (sorted by
 * time); the first or the last count outside them.
 */
export function requestsAt(
  log: ReadonlyArray<{ readonly at: number; readonly requests: number }>,
  at: number,
): number {
  const after = log.findIndex((p) => p.at >= at);
  if (after === -1) return log.at(-1)?.requests ?? 0;
  const b = log[after] as { at: number; requests: number };
  const a = log[after - 1];
  if (!a || b.at === a.at) return b.requests;
  return Math.round(a.requests + ((b.requests - a.requests) * (at - a.at)) / (b.at - a.at));
}

/** A reading of the heap left after a full GC, `ageMs` before the watch was read. */
export interface HeapReading {
  readonly ageMs: number;
  readonly usedBytes: number;
  /** Forced by the profiler (none of the service's own full GCs came since the last read). */
  readonly forced: boolean;
}

/**
 * Installs the heap watch in the service: the old generation's size (every space but the young
 * one, which a full GC empties) is read at the end of each of the service's own full GCs, so a
 * busy service's heap is read for free. A forced full GC is a plain `gc()` (one mark-compact,
 * about a quarter of the pause of the protocol's `HeapProfiler.collectGarbage`, which repeats
 * until nothing more is freed), timed inside the service.
 */
const HEAP_WATCH_START = `(() => {
  const v8 = require('node:v8');
  const { PerformanceObserver, performance, constants } = require('node:perf_hooks');
  if (typeof globalThis.gc !== 'function') v8.setFlagsFromString('--expose-gc');
  const gc = typeof globalThis.gc === 'function' ? globalThis.gc : require('node:vm').runInNewContext('gc');
  const oldGeneration = () => {
    let used = 0;
    for (const space of v8.getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) used += space.space_used_size;
    return used;
  };
  const watch = { readings: [], forcedMs: 0, forced: [], oldGeneration };
  watch.force = () => {
    const from = performance.now();
    gc();
    const to = performance.now();
    watch.forced.push([from, to]);
    watch.forcedMs += to - from;
    watch.readings.push({ at: to, usedBytes: oldGeneration(), forced: true });
  };
  watch.observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      if (watch.forced.some(([from, to]) => e.startTime >= from - 1 && e.startTime <= to)) continue;
      watch.readings.push({ at: e.startTime + e.duration, usedBytes: oldGeneration(), forced: false });
    }
  });
  watch.observer.observe({ entryTypes: ['gc'] });
  globalThis.__fimlPerfHeap = watch;
  return true;
})()`;

/** Takes the readings since the last read, forcing a full GC first when asked to or when none came. */
const heapWatchRead = (force: 'always' | 'if-none', end: boolean) => `(() => {
  const { performance } = require('node:perf_hooks');
  const watch = globalThis.__fimlPerfHeap;
  if (!watch) return 'null';
  if (${force === 'always'} || watch.readings.length === 0) watch.force();
  const now = performance.now();
  const readings = watch.readings.map((r) => ({ ageMs: now - r.at, usedBytes: r.usedBytes, forced: r.forced }));
  const forcedMs = watch.forcedMs;
  watch.readings = [];
  watch.forcedMs = 0;
  watch.forced = watch.forced.filter(([, to]) => now - to < 10000);
  if (${end}) {
    watch.observer.disconnect();
    delete globalThis.__fimlPerfHeap;
  }
  return JSON.stringify({ readings, forcedMs });
})()`;

/** Starts the heap watch in the service (see HEAP_WATCH_START). */
export async function startHeapWatch(inspector: Inspector): Promise<void> {
  await evaluate(inspector, HEAP_WATCH_START);
}

/**
 * The heap readings since the last call: the service's own full GCs, or one forced now when
 * there were none (`if-none`) or always (`always`, at the window's edges). `forcedMs` is the time
 * the forced GCs held the service. `end` removes the watch.
 */
export async function readHeapWatch(
  inspector: Inspector,
  force: 'always' | 'if-none',
  end = false,
): Promise<{ readings: HeapReading[]; forcedMs: number }> {
  const text = await evaluate(inspector, heapWatchRead(force, end));
  return typeof text === 'string' && text !== 'null'
    ? (JSON.parse(text) as { readings: HeapReading[]; forcedMs: number })
    : { readings: [], forcedMs: 0 };
}

/** A node of a sampling heap profile (`.heapprofile`): live bytes allocated at a call site. */
export interface HeapProfileNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly id?: number;
  readonly children: readonly HeapProfileNode[];
}

export interface HeapProfile {
  readonly head: HeapProfileNode;
  readonly samples?: unknown[];
}

/** An allocation site and the live bytes it holds. */
export interface AllocationSite {
  readonly name: string;
  readonly url: string;
  /** 1-based. */
  readonly line: number;
  readonly bytes: number;
}

/** Live bytes by allocation site (function and place), most first. */
export function allocationSites(profile: HeapProfile): AllocationSite[] {
  const sites = new Map<string, AllocationSite>();
  const walk = (node: HeapProfileNode) => {
    if (node.selfSize > 0) {
      const f = node.callFrame;
      const key = `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`;
      const site = sites.get(key);
      sites.set(key, {
        name: f.functionName || '(anonymous)',
        url: f.url,
        line: f.lineNumber + 1,
        bytes: (site?.bytes ?? 0) + node.selfSize,
      });
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return [...sites.values()].sort((a, b) => b.bytes - a.bytes);
}

/** Sites ranked by how much their live bytes grew from `before` to `after`. */
export function allocationGrowth(
  before: HeapProfile | undefined,
  after: HeapProfile,
): Array<AllocationSite & { readonly growth: number }> {
  const was = new Map(
    (before ? allocationSites(before) : []).map((s) => [
      `${s.name}\u0000${s.url}\u0000${s.line}`,
      s,
    ]),
  );
  return allocationSites(after)
    .map((s) => ({
      ...s,
      growth: s.bytes - (was.get(`${s.name}\u0000${s.url}\u0000${s.line}`)?.bytes ?? 0),
    }))
    .sort((a, b) => b.growth - a.growth);
}

/**
 * Starts sampling allocations (one sample every `intervalBytes` on average). 512 KB, sixteen
 * times V8's default: a service allocating hundreds of MB a second under load pays a stack walk
 * for every sample (on FIML pinned to one core, 128 KB cost 15% of its requests/s, 512 KB 10.5%),
 * and a site that keeps memory still ranks first: a leak keeps many samples
 * (scripts/profile-overhead.ts, docs/profile.md).
 */
export async function startHeapSampling(
  inspector: Inspector,
  intervalBytes = 524_288,
): Promise<void> {
  await inspector.send('HeapProfiler.enable');
  await inspector.send('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
}

/** The live allocations sampled so far (sampling goes on). */
export async function readHeapSampling(inspector: Inspector): Promise<HeapProfile> {
  const { profile } = await inspector.send<{ profile: HeapProfile }>(
    'HeapProfiler.getSamplingProfile',
  );
  return profile;
}

/** Stops sampling and returns what is still alive of what was sampled. */
export async function stopHeapSampling(inspector: Inspector): Promise<HeapProfile> {
  const { profile } = await inspector.send<{ profile: HeapProfile }>('HeapProfiler.stopSampling');
  return profile;
}
