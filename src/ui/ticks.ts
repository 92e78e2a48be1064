import { type Progress, SATURATION } from '../load/index.js';
import { latencyDistribution } from '../report/analysis/index.js';
import {
  type ErrorGroup,
  encodeHistogram,
  latencyMs,
  type RunResult,
  type StatsRecorder,
} from '../stats/index.js';
import type { LiveTargets, TargetedResult } from '../targets/index.js';
import type { EndpointRow, Tick } from './events.js';

/** What a tick is made of: the test's state as the session keeps it. */
export interface TickSource {
  readonly id: number;
  readonly model: 'closed' | 'open';
  readonly durationMs: number | null;
  readonly steering: { readonly users: number; readonly spawnRate: number; readonly rate: number };
  /** The targets asked for (only whether there are any matters here). */
  readonly targets: readonly unknown[];
  readonly live: LiveTargets | undefined;
  readonly latest: Tick | null;
  readonly progress: Progress | undefined;
}

/** The most error groups a tick carries (the result keeps them all). */
const MAX_ERRORS = 100;

/**
 * The tick of the second that just ended, from the test's recorder and progress; undefined
 * before its first second.
 */
export function liveTick(
  run: TickSource,
  recorder: StatsRecorder,
  workers: number,
): Tick | undefined {
  const progress = run.progress;
  const row = recorder.series.at(-1);
  if (!progress || !row) return undefined;
  const now = Date.now();
  const seconds = Object.fromEntries(recorder.lastSeconds);
  const elapsedS = Math.max((now - (recorder.resetAt ?? recorder.startedAt)) / 1000, 1e-3);
  const table = [...recorder.endpoints].map(([key, s]) => ({
    key,
    method: s.method,
    name: s.name,
    requests: s.requests,
    failures: s.failures,
    currentRps: seconds[key]?.requests ?? 0,
    latencyMs: latencyMs(s.histogram),
  }));
  const threads = Math.max(1, Math.min(workers, progress.workers.length));
  const saturation: string[] = [];
  if (run.model === 'closed' && progress.cpuPercent >= SATURATION.cpuPercent * threads)
    saturation.push(`CPU at ${Math.round(progress.cpuPercent)}% of ${threads} core(s)`);
  if (progress.loopLagMs > SATURATION.loopLagMs)
    saturation.push(`event-loop delay p99 ${progress.loopLagMs} ms`);
  if (row.dropped) saturation.push(`${row.dropped} iterations dropped this second`);
  const tick: Tick = {
    runId: run.id,
    row,
    elapsedMs: progress.elapsedMs,
    durationMs: run.durationMs,
    users: progress.users,
    steering: {
      users: run.steering.users,
      spawnRate: run.steering.spawnRate,
      rate: run.steering.rate,
    },
    total: {
      key: 'Aggregated',
      method: '',
      name: 'Aggregated',
      requests: recorder.requests,
      failures: recorder.failures,
      currentRps: row.rps,
      latencyMs: latencyMs(recorder.total),
    },
    table,
    seconds,
    errors: topErrors(recorder.errors.list()),
    generator: {
      cpuPercent: Math.round(progress.cpuPercent),
      loopLagMs: progress.loopLagMs,
      saturation,
      workers: progress.workers,
    },
    targets: run.targets.length > 0 ? (run.live?.outcomes ?? null) : null,
    service: run.live?.service ?? null,
    distribution:
      recorder.total.totalCount > 0 && (run.latest === null || Math.round(elapsedS) % 2 === 0)
        ? distribution(encodeHistogram(recorder.total))
        : (run.latest?.distribution ?? null),
  };
  return tick;
}

/** The last tick of a finished test, from its result: the tables as the report has them. */
export function finalTick(run: TickSource, result: RunResult | TargetedResult): Tick {
  const row = (e: RunResult['endpoints'][number], key: string): EndpointRow => ({
    key,
    method: e.method,
    name: e.name,
    requests: e.requests,
    failures: e.failures,
    currentRps: 0,
    latencyMs: e.latencyMs,
  });
  const last = result.timeseries.at(-1);
  const targeted = 'targets' in result ? result : undefined;
  const service = 'service' in result ? (result as TargetedResult).service : null;
  return {
    runId: run.id,
    row: last ?? null,
    elapsedMs: result.durationS * 1000,
    durationMs: run.durationMs,
    users: 0,
    steering: {
      users: run.steering.users,
      spawnRate: run.steering.spawnRate,
      rate: run.steering.rate,
    },
    total: row(result.totals, 'Aggregated'),
    table: result.endpoints.map((e) => row(e, `${e.method} ${e.name}`)),
    seconds: {},
    errors: topErrors(result.errors),
    generator: {
      cpuPercent: result.generator.cpuPercent.mean,
      loopLagMs: result.generator.eventLoopLagMs.p99,
      saturation: result.generator.reasons,
      workers: run.latest?.generator.workers ?? [],
    },
    targets: targeted?.targets.outcomes ?? null,
    service,
    distribution: result.totals.requests > 0 ? distribution(result.histograms.total) : null,
  };
}

/** The most frequent error groups first, at most `MAX_ERRORS`. */
function topErrors(groups: readonly ErrorGroup[]): ErrorGroup[] {
  return [...groups].sort((a, b) => b.count - a.count).slice(0, MAX_ERRORS);
}

/** The run's latency histogram as the distribution chart draws it. */
function distribution(encoded: string): Tick['distribution'] {
  const buckets = latencyDistribution(encoded);
  return { upperMs: buckets.map((b) => b.toMs), counts: buckets.map((b) => b.count) };
}
