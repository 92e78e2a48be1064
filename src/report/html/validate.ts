import { z } from 'zod';

/**
 * The fields of a load result the report reads, checked before a stored file is rendered: a
 * file is data from anywhere (edited by hand, written by another tool), and the page must never
 * carry markup from it, nor crash on a missing field. Other fields pass through unread.
 */
const finite = z.number().finite();
const count = finite.nonnegative();
const latency = z
  .object({
    min: finite,
    mean: finite,
    p50: finite,
    p90: finite,
    p95: finite,
    p99: finite,
    p999: finite,
    max: finite,
  })
  .passthrough();
const endpoint = z
  .object({
    name: z.string(),
    method: z.string(),
    requests: count,
    failures: count,
    failureRate: finite,
    rps: finite,
    avgBytes: finite,
    latencyMs: latency,
  })
  .passthrough();
const row = z
  .object({
    t: finite,
    users: finite,
    requests: count,
    failures: count,
    rps: finite,
    p50: finite,
    p90: finite,
    p95: finite,
    p99: finite,
    max: finite,
    dropped: count.optional(),
    intended: finite.optional(),
  })
  .passthrough();
const trio = z.object({ p50: finite, p99: finite, max: finite }).passthrough();
const generator = z
  .object({
    workers: count,
    cpuPercent: z.object({ mean: finite, max: finite }).passthrough(),
    eventLoopLagMs: trio,
    scheduleLagMs: trio.nullable(),
    dropped: count,
    maxRssMb: finite,
    saturated: z.boolean(),
    reasons: z.array(z.string()),
  })
  .passthrough();
const outcome = z
  .object({
    name: z.string(),
    expression: z.string(),
    threshold: z.string(),
    actual: z.string().nullable(),
    value: finite.nullable(),
    verdict: z.enum(['pass', 'fail', 'unknown']),
    detail: z.string(),
  })
  .passthrough();
const targets = z
  .object({
    outcomes: z.array(outcome),
    summary: z.object({ pass: count, fail: count, unknown: count }).passthrough(),
    windowSeconds: finite.nullable(),
    abortedBy: z
      .object({ target: z.string(), atSeconds: finite, actual: z.string().nullable() })
      .passthrough()
      .nullable(),
  })
  .passthrough();
const rate = finite.nullable();
const service = z
  .object({
    metricsUrl: z.string(),
    unavailable: z.string().nullable(),
    cacheHitRate: rate,
    taskCompletionRate: rate,
    providerUptime: rate,
    providers: z.record(z.string(), rate),
    residentMemoryMb: z.object({ before: finite, after: finite }).passthrough().nullable(),
    healthUrl: z.string(),
    uptime: z.object({ ok: count, total: count }).passthrough().nullable(),
    cacheLayers: z
      .array(z.object({ layer: z.string(), hits: count, misses: count }).passthrough())
      .optional(),
    slowQueries: z
      .object({
        thresholdMs: finite.nullable(),
        total: count,
        entries: z.array(
          z
            .object({
              operation: z.string(),
              query: z.string().nullable(),
              durationMs: finite,
              at: z.string(),
            })
            .passthrough(),
        ),
      })
      .passthrough()
      .optional(),
    windows: z
      .array(z.object({ from: finite, to: finite, cacheHitRate: rate }).passthrough())
      .optional(),
  })
  .passthrough();
const series = z
  .object({
    stepS: finite.positive(),
    t: z.array(finite),
    requests: z.array(count),
    failures: z.array(count),
    p50: z.array(finite),
    p90: z.array(finite),
    p95: z.array(finite),
    p99: z.array(finite),
    max: z.array(finite),
  })
  .passthrough();

export const reportResultSchema = z
  .object({
    schemaVersion: finite,
    tool: z.object({ name: z.string(), version: z.string() }).passthrough(),
    model: z.enum(['closed', 'open']),
    executor: z.string(),
    target: z.string(),
    startedAt: z.string(),
    durationS: finite,
    interrupted: z.boolean(),
    totals: endpoint,
    endpoints: z.array(endpoint),
    timeseries: z.array(row),
    errors: z.array(
      z
        .object({
          kind: z.string(),
          method: z.string(),
          name: z.string(),
          status: finite.nullable().optional(),
          message: z.string(),
          count: count,
        })
        .passthrough(),
    ),
    histograms: z
      .object({ total: z.string(), endpoints: z.record(z.string(), z.string()) })
      .passthrough(),
    generator,
    config: z.record(z.string(), z.unknown()),
    targets: targets.optional(),
    service: service.optional(),
    endpointSeries: z.record(z.string(), series).optional(),
  })
  .passthrough();

/** The first problem of a result the report cannot render, or undefined when it can. */
export function reportResultProblem(data: unknown): string | undefined {
  const parsed = reportResultSchema.safeParse(data);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || '(top level)'}: ${issue?.message}`;
}
