import { availableParallelism } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import {
  countAbove,
  createHistogram,
  type GeneratorHealth,
  type Histogram,
  percentileMs,
  recordMicros,
} from '../stats/index.js';

/** Event-loop delay of one thread, in milliseconds. */
export interface LoopLag {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Watches one thread's event loop; the delay histogram is in nanoseconds. */
export class LoopWatch {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.delay.enable();
  }

  stop(): LoopLag {
    this.delay.disable();
    // The monitor's timer itself fires every 10 ms; what it reports beyond that is lag.
    const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - 10) * 100) / 100);
    return {
      p50: ms(this.delay.percentile(50)),
      p99: ms(this.delay.percentile(99)),
      max: ms(this.delay.max),
    };
  }
}

/** This process's resident memory; 0 when it cannot be read (out of file descriptors: EMFILE). */
function residentBytes(): number {
  try {
    return process.memoryUsage.rss();
  } catch {
    return 0;
  }
}

/** Thresholds past which the generator, not the target, limited the run. */
export const SATURATION = {
  /** Mean CPU of the threads that generate load, in percent of those threads. */
  cpuPercent: 90,
  /** Event-loop delay p99. */
  loopLagMs: 20,
  /** Open model: how late iterations started, p99. */
  scheduleLagMs: 10,
  /**
   * Open model: iterations that must have started over `scheduleLagMs` late before the p99 counts.
   * In a short run the p99 is its latest iteration or two (of 48, the latest), so one timer that
   * fired late, a garbage collection, would call the generator saturated (issue 26).
   */
  minLateIterations: 10,
} as const;

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Whether the open model's late starts say the generator could not keep its schedule: the p99 over
 * `SATURATION.scheduleLagMs`, resting on at least `SATURATION.minLateIterations` late iterations.
 */
function lateEnough(lag: { readonly p99: number; readonly late: number }): boolean {
  return lag.p99 > SATURATION.scheduleLagMs && lag.late >= SATURATION.minLateIterations;
}

/**
 * Watches the load generator: process CPU every second, event-loop delay per thread, schedule lag
 * of the open model, memory. Says whether the generator was the bottleneck.
 */
export class GeneratorMonitor {
  readonly scheduleLag: Histogram = createHistogram();
  dropped = 0;
  private lastCpu = process.cpuUsage();
  private lastWall = performance.now();
  private readonly cpu: number[] = [];
  private maxRss = residentBytes();
  private readonly loop: LoopWatch | undefined;
  /** This thread's event-loop delay since the last sample, for the live figures. */
  private readonly recent: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  /** The event-loop delay p99 of the last second, in ms (0 before the first sample). */
  lastLoopLagMs = 0;
  private readonly workerLags: LoopLag[] = [];
  /** The longest a task froze a thread of the run, in ms (0: never; see load/watchdog.ts). */
  private blockedMs = 0;

  /** @param watchLoop watch this thread's event loop (workers report theirs separately) */
  constructor(watchLoop = true) {
    this.loop = watchLoop ? new LoopWatch() : undefined;
    this.recent.enable();
  }

  recordLag(micros: number): void {
    recordMicros(this.scheduleLag, micros);
  }

  /** Once a second: CPU since the last sample, in percent of one core. */
  sample(): number {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const percent = ((cpu.user + cpu.system) / 1000 / Math.max(now - this.lastWall, 1)) * 100;
    this.lastCpu = process.cpuUsage();
    this.lastWall = now;
    this.cpu.push(Math.round(percent));
    this.maxRss = Math.max(this.maxRss, residentBytes());
    // The monitor's timer itself fires every 10 ms; what it reports beyond that is lag.
    this.lastLoopLagMs = Math.max(0, Math.round((this.recent.percentile(99) / 1e6 - 10) * 10) / 10);
    this.recent.reset();
    return percent;
  }

  addWorkerLag(lag: LoopLag): void {
    this.workerLags.push(lag);
  }

  /** A task froze a thread of the run this long: the run's loop delay, and saturation. */
  blocked(ms: number): void {
    this.blockedMs = Math.max(this.blockedMs, ms);
  }

  finish(model: 'closed' | 'open', workers: number): GeneratorHealth {
    this.recent.disable();
    const own = this.loop?.stop() ?? { p50: 0, p99: 0, max: 0 };
    const lags = this.workerLags.length > 0 ? this.workerLags : [own];
    const loopLag = {
      p50: Math.max(...lags.map((l) => l.p50)),
      p99: Math.max(...lags.map((l) => l.p99)),
      max: Math.max(this.blockedMs, ...lags.map((l) => l.max)),
    };
    // Skip the first second, which includes start-up work.
    const steady = this.cpu.length > 2 ? this.cpu.slice(1) : this.cpu;
    const mean = steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : 0;
    const cpuPercent = { mean: Math.round(mean), max: Math.max(0, ...steady) };
    const scheduleLag =
      model === 'open'
        ? {
            p50: percentileMs(this.scheduleLag, 50),
            p99: percentileMs(this.scheduleLag, 99),
            max: percentileMs(this.scheduleLag, 100),
            iterations: this.scheduleLag.totalCount,
            late: countAbove(this.scheduleLag, SATURATION.scheduleLagMs * 1000),
          }
        : null;
    const threads = Math.min(workers, availableParallelism());
    const reasons: string[] = [];
    // The open model spins between arrivals a fraction of a millisecond apart, so its CPU is
    // busy by design; late starts (schedule lag) are its sign of saturation.
    if (model === 'closed' && mean >= SATURATION.cpuPercent * threads)
      reasons.push(`CPU averaged ${Math.round(mean)}% of ${threads} core(s)`);
    if (loopLag.p99 > SATURATION.loopLagMs)
      reasons.push(`event-loop delay p99 was ${loopLag.p99} ms`);
    if (this.blockedMs > 0)
      reasons.push(`a task blocked the event loop for ${Math.round(this.blockedMs / 100) / 10}s`);
    if (scheduleLag && lateEnough(scheduleLag))
      reasons.push(
        `${count(scheduleLag.late)} of ${count(scheduleLag.iterations)} iterations started over ${SATURATION.scheduleLagMs} ms late (p99 ${scheduleLag.p99} ms)`,
      );
    return {
      workers,
      cpuPercent,
      eventLoopLagMs: loopLag,
      scheduleLagMs: scheduleLag,
      dropped: this.dropped,
      maxRssMb: Math.round(this.maxRss / 1048576),
      saturated: reasons.length > 0,
      reasons,
    };
  }
}
