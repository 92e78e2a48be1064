import { linearFit } from '../stats/index.js';
import type { CallFrame } from './cpu-profile.js';
import type { Inspector } from './inspector.js';

/** The heap in use after a forced full GC, when the run had sent `requests`. */
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
 * Forces a full GC in the process and reads the heap it keeps; `gcMs` is how long the GC call
 * took (the pause the profiler caused, and a little protocol latency).
 */
export async function heapAfterGc(
  inspector: Inspector,
): Promise<{ usedBytes: number; gcMs: number }> {
  const at = performance.now();
  await inspector.send('HeapProfiler.collectGarbage');
  const gcMs = performance.now() - at;
  const { usedSize } = await inspector.send<{ usedSize: number }>('Runtime.getHeapUsage');
  return { usedBytes: usedSize, gcMs };
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
 * Starts sampling allocations (one sample every `intervalBytes` on average). 128 KB, four times
 * V8's default: a service allocating hundreds of MB a second under load pays for every sample,
 * and sites that keep memory still rank first (scripts/profile-overhead.ts, docs/profile.md).
 */
export async function startHeapSampling(
  inspector: Inspector,
  intervalBytes = 131_072,
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
