import type { CpuAnalysis } from './cpu-profile.js';
import type { LeakVerdict } from './heap.js';
import type { ConstructorGrowth } from './heap-snapshot.js';
import { evaluate, type Inspector } from './inspector.js';

/** The service's own signals over the window, read inside it through its inspector. */
export interface ServiceSignals {
  /** Event-loop delay, ms (beyond the 10 ms timer of the monitor). */
  readonly loopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Share of the window the event loop was busy (0..1). */
  readonly loopUtilisation: number;
  /** Process CPU, in percent of one core. */
  readonly cpuPercent: number;
  /**
   * Time the main thread was ready to run but waited for a core (other processes had them), in
   * percent of the window: CPU it asked for and did not get. Linux only (/proc schedstat).
   */
  readonly runQueuePercent?: number;
  /** Time in garbage collection, ms, and its share of the window; the profiler's forced GCs apart. */
  readonly gcMs: number;
  readonly gcShare: number;
  /** Time in the full GCs the profiler forced for its heap readings, ms. */
  readonly forcedGcMs: number;
  /** Handles keeping the process alive at the end (sockets, timers, servers). */
  readonly handles: number;
  readonly windowMs: number;
}

/** What limited the service in the window, with its evidence and what to do. */
export interface Diagnosis {
  readonly category:
    | 'cpu-bound-app'
    | 'cpu-bound-dependency'
    | 'gc-pressure'
    | 'event-loop-blocking'
    | 'waiting-on-io'
    | 'memory-growing'
    | 'none';
  readonly title: string;
  readonly evidence: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly actions: readonly string[];
}

/** Installs the watch in the service: event-loop delay and utilisation, CPU, GC time. */
const WATCH_START = `(() => {
  const { monitorEventLoopDelay, performance, PerformanceObserver } = require('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // Linux: the main thread's nanoseconds waiting on a run queue (its schedstat's second field).
  const sched = () => { try { const ns = Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]); return Number.isFinite(ns) ? ns : undefined; } catch { return undefined; } };
  const watch = { delay, elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), at: performance.now(), gc: 0, sched, waited: sched() };
  watch.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) watch.gc += e.duration; });
  watch.observer.observe({ entryTypes: ['gc'] });
  globalThis.__fimlPerfWatch = watch;
  return true;
})()`;

/** Reads the watch and removes it. */
const WATCH_END = `(() => {
  const { performance } = require('node:perf_hooks');
  const watch = globalThis.__fimlPerfWatch;
  if (!watch) return 'null';
  delete globalThis.__fimlPerfWatch;
  watch.delay.disable();
  watch.observer.disconnect();
  const windowMs = performance.now() - watch.at;
  const cpu = process.cpuUsage(watch.cpu);
  const waited = watch.waited === undefined ? undefined : watch.sched();
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - 10) * 100) / 100);
  return JSON.stringify({
    loopDelayMs: { p50: ms(watch.delay.percentile(50)), p99: ms(watch.delay.percentile(99)), max: ms(watch.delay.max) },
    loopUtilisation: performance.eventLoopUtilization(watch.elu).utilization,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / windowMs) * 100,
    runQueuePercent: waited === undefined ? undefined : ((waited - watch.waited) / 1e6 / windowMs) * 100,
    gcMs: watch.gc,
    gcShare: watch.gc / windowMs,
    forcedGcMs: 0,
    handles: typeof process._getActiveHandles === 'function' ? process._getActiveHandles().length : -1,
    windowMs,
  });
})()`;

/** Starts watching the service's event loop, CPU and GC (code run inside it, removed at the end). */
export async function startWatch(inspector: Inspector): Promise<void> {
  await evaluate(inspector, WATCH_START);
}

/** The service's signals since `startWatch`; undefined when it could not be read. */
export async function endWatch(inspector: Inspector): Promise<ServiceSignals | undefined> {
  const text = await evaluate(inspector, WATCH_END);
  return typeof text === 'string' && text !== 'null'
    ? (JSON.parse(text) as ServiceSignals)
    : undefined;
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Thresholds, from clinic doctor's where it had them. */
export const DIAGNOSIS_THRESHOLDS = {
  /** Event-loop delay: blocking when the median or the worst is this high (ms). */
  loopDelayP50Ms: 10,
  loopDelayMaxMs: 100,
  /** CPU-bound when the process uses this share of a core. */
  busyUtilisation: 0.9,
  /** GC pressure when this share of the time goes to GC. */
  gcShare: 0.1,
  /** Waiting on I/O: the process mostly idle while clients wait this long (p99, ms). */
  idleUtilisation: 0.5,
  slowClientP99Ms: 100,
} as const;

/**
 * Diagnoses the window from the service's signals, its CPU profile, its heap verdict and what
 * the clients saw: every finding with its evidence and concrete next steps; `none` when nothing
 * limited it.
 */
export function diagnose(input: {
  readonly signals: ServiceSignals | undefined;
  readonly cpu: CpuAnalysis;
  readonly leak: LeakVerdict | undefined;
  /** Classes whose objects grew in every heap snapshot (--heap-snapshots). */
  readonly growingClasses?: readonly ConstructorGrowth[];
  readonly clientP99Ms: number;
  readonly place: (f: CpuAnalysis['functions'][number]) => string;
}): Diagnosis[] {
  const { signals, cpu, leak } = input;
  const T = DIAGNOSIS_THRESHOLDS;
  const found: Diagnosis[] = [];
  const busy = cpu.busyUs || 1;
  const share = (us: number) => us / busy;
  const top = (cls: string, n = 3) =>
    cpu.functions
      .filter((f) => f.class === cls && f.attributedSelfUs > 0)
      .slice(0, n)
      .map((f) => ({
        name: `${f.name} ${input.place(f)}`.trim(),
        value: `${pct(share(f.attributedSelfUs))} of busy time`,
      }));
  // How busy the service was: its CPU (event-loop utilisation also counts time the inspector
  // and forced GCs hold the loop, so it reads high under a profiler), and the CPU it asked for
  // but waited for while other processes had the cores (a busy host: it wanted a core all along).
  const waited = signals?.runQueuePercent ?? 0;
  const utilisation = signals
    ? (signals.cpuPercent + waited) / 100
    : cpu.busyUs / Math.max(cpu.durationUs, 1);
  const gcShare = signals?.gcShare ?? cpu.byClass.gc / Math.max(cpu.durationUs, 1);
  const signalEvidence = signals
    ? [
        { name: 'event-loop utilisation', value: pct(signals.loopUtilisation) },
        {
          name: 'CPU',
          value: `${signals.cpuPercent.toFixed(0)}% of a core${waited >= 1 ? `, and ${waited.toFixed(0)}% waiting for one` : ''}`,
        },
        {
          name: 'event-loop delay',
          value: `p50 ${signals.loopDelayMs.p50} ms, p99 ${signals.loopDelayMs.p99} ms, max ${signals.loopDelayMs.max} ms`,
        },
      ]
    : [{ name: 'busy share (from the profile)', value: pct(utilisation) }];

  if (
    signals &&
    (signals.loopDelayMs.p50 >= T.loopDelayP50Ms || signals.loopDelayMs.max >= T.loopDelayMaxMs)
  )
    found.push({
      category: 'event-loop-blocking',
      title: `The event loop was blocked: delay p50 ${signals.loopDelayMs.p50} ms, max ${signals.loopDelayMs.max} ms`,
      evidence: [...signalEvidence, ...top('app'), ...top('dependency', 2)],
      actions: [
        'Find the synchronous work in the functions above (the flame graph shows the long frames) and split it, make it asynchronous, or move it to a worker thread (node:worker_threads)',
        'Every request waits behind a blocked loop: latency rises for all routes, not only the slow one',
      ],
    });
  if (utilisation >= T.busyUtilisation) {
    // By attributed self time: a builtin's time (JSON.stringify, a socket write) counts for the
    // code that called it, the service's, a package's or Node's own.
    const attributed = (cls: string) =>
      cpu.functions.filter((f) => f.class === cls).reduce((n, f) => n + f.attributedSelfUs, 0);
    const app = attributed('app');
    const dependency = attributed('dependency') + attributed('node');
    const inApp = app >= dependency;
    const nodeLeads = attributed('node') > attributed('dependency');
    found.push({
      category: inApp ? 'cpu-bound-app' : 'cpu-bound-dependency',
      title: inApp
        ? `CPU-bound in the service's own code (${pct(share(app))} of busy time)`
        : nodeLeads
          ? `CPU-bound in Node's own work (${pct(share(attributed('node')))} of busy time in node: modules, such as HTTP and streams)`
          : `CPU-bound in a dependency (${pct(share(dependency))} of busy time, most in ${cpu.packages[0]?.name ?? 'packages'})`,
      evidence: [
        ...signalEvidence,
        ...(inApp
          ? top('app')
          : nodeLeads
            ? top('node')
            : cpu.packages.slice(0, 3).map((p) => ({ name: p.name, value: pct(share(p.us)) }))),
      ],
      actions: inApp
        ? [
            'Optimise the hottest functions above first: their attributed self time is what a fix saves (hot lines are in profile.json)',
            'Cache results that repeat, or do less work a request; then profile again and compare (fiml-perf profile --diff)',
            'The service uses one core: run more processes (cluster, more replicas) for more throughput',
          ]
        : nodeLeads
          ? [
              "Node's HTTP and stream work grows with requests and bytes: send fewer, smaller responses (compression off for tiny bodies, no per-request chunking), keep connections alive",
              'The service uses one core: run more processes (cluster, more replicas) for more throughput',
            ]
          : [
              `Check how the service calls ${cpu.packages[0]?.name ?? 'the package'}: fewer or cheaper calls (serialisation, validation, routing) save the most`,
              'Look for a faster configuration or alternative of the package; then profile again and compare',
            ],
    });
  }
  if (gcShare >= T.gcShare)
    found.push({
      category: 'gc-pressure',
      title: `Garbage collection took ${pct(gcShare)} of the time`,
      evidence: [
        {
          name: 'GC time',
          value: signals
            ? `${signals.gcMs.toFixed(0)} ms of ${signals.windowMs.toFixed(0)} ms`
            : pct(gcShare),
        },
        ...signalEvidence,
      ],
      actions: [
        'Allocate less in the hot paths: the allocation sites in profile.json (heap.allocationGrowth) and heap.heapprofile show where',
        'Reuse buffers and objects; avoid building large temporary strings and arrays per request',
        'A larger young generation (node --max-semi-space-size=64) cuts scavenges for short-lived garbage',
      ],
    });
  if (leak?.verdict === 'growing')
    found.push({
      category: 'memory-growing',
      title: 'The heap grows with the requests served',
      evidence: [
        {
          name: 'growth per 1,000 requests',
          value: `${(leak.bytesPer1000 / 1048576).toFixed(2)} MB`,
        },
        { name: 'growth over the window', value: `${(leak.growthBytes / 1048576).toFixed(1)} MB` },
        // Classes first: a constructor's name says more than (array) or (compiled code).
        ...[...(input.growingClasses ?? [])]
          .sort((x, y) => Number(x.name.startsWith('(')) - Number(y.name.startsWith('(')))
          .slice(0, 3)
          .map((c) => ({
            name: `${c.name} in every heap snapshot`,
            value: `+${(c.growthBytes / 1048576).toFixed(2)} MB, +${c.growthCount} objects`,
          })),
      ],
      actions: [
        'The allocation sites that grew most (profile.json heap.allocationGrowth) hold the kept memory: look for caches without a bound, listeners never removed, and maps keyed by request',
        'Confirm with a longer run: fiml-perf stress endurance judges the growth over time',
      ],
    });
  if (
    found.length === 0 &&
    utilisation < T.idleUtilisation &&
    input.clientP99Ms >= T.slowClientP99Ms
  )
    found.push({
      category: 'waiting-on-io',
      title: `Waiting on I/O: the service used ${pct(utilisation)} of a core while clients waited ${input.clientP99Ms} ms (p99)`,
      evidence: [
        ...signalEvidence,
        { name: 'client latency p99', value: `${input.clientP99Ms} ms` },
      ],
      actions: [
        "The time goes to something the service waits for (a database, a provider, a pool): time those calls (FIML's /metrics has provider latency)",
        'Check connection pools and concurrency limits, and cache what repeats',
      ],
    });
  if (found.length === 0)
    found.push({
      category: 'none',
      title: `Nothing limited the service: it used ${pct(utilisation)} of a core`,
      evidence: signalEvidence,
      actions: [
        'The service had room: raise the load (more users, or --rate) to find where it stops keeping up, or run fiml-perf stress breakpoint',
      ],
    });
  return found;
}
