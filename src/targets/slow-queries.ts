import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { get } from './probes.js';

/** Slow operations the service logged during the run, newest first. */
export interface ServiceSlowQueries {
  /** Operations at least this slow are logged; null when unknown. */
  readonly thresholdMs: number | null;
  /** Slow operations during the run, including those the bounded log no longer holds. */
  readonly total: number;
  readonly entries: ReadonlyArray<{
    readonly operation: string;
    readonly query: string | null;
    readonly durationMs: number;
    readonly at: string;
  }>;
}

/** FIML's slow-query log as `/api/metrics/performance` gives it. */
export interface SlowLog {
  readonly threshold_ms: number | null;
  readonly total: number;
  readonly recent: ReadonlyArray<{
    operation: string;
    duration_ms: number;
    at: string;
    detail: string | null;
  }>;
}

const slowLogSchema = z.object({
  threshold_ms: z.number().finite().nullable(),
  total: z.number().int().nonnegative(),
  recent: z.array(
    z.object({
      operation: z.string(),
      duration_ms: z.number().finite(),
      at: z.string(),
      detail: z.string().nullable(),
    }),
  ),
});

/** The service's slow-query log, or undefined when it has none (not FIML, or not reachable). */
export async function readSlowLog(
  url: string,
  dispatcher: Dispatcher | undefined,
): Promise<SlowLog | undefined> {
  try {
    const answer = await get(url, 2000, dispatcher);
    if ('error' in answer || answer.status !== 200) return undefined;
    const body = JSON.parse(answer.body) as { slow_queries?: unknown };
    const parsed = slowLogSchema.safeParse(body.slow_queries);
    // Anything else is not a slow-query log we know: no section rather than data we cannot trust.
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The slow queries of the run: the log after it, less what it held before (newest first). */
export function runSlowQueries(after: SlowLog, before: SlowLog | undefined): ServiceSlowQueries {
  const total = Math.max(0, after.total - (before?.total ?? 0));
  return {
    thresholdMs: after.threshold_ms ?? null,
    total,
    entries: after.recent.slice(0, total).map((q) => ({
      operation: q.operation,
      query: q.detail ?? null,
      durationMs: q.duration_ms,
      at: q.at,
    })),
  };
}
