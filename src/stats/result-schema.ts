import { z } from 'zod';
import { decodeHistogram } from './histogram.js';
import { READABLE_SCHEMA_VERSIONS } from './result.js';
import { databaseSchema } from './result-database-schema.js';

/**
 * A stored load result, as every reader checks it before use (`compare`, `report`, `report
 * --baseline`): a file is data from anywhere (edited by hand, written by another tool, cut short),
 * so each field a reader uses is checked here once, and a reader trusts what passes. One schema, so
 * a file one reader refuses no other accepts (issue 25). Fields no reader uses pass through unread.
 */
const finite = z.number().finite();
const count = finite.nonnegative();

const newest = Math.max(...READABLE_SCHEMA_VERSIONS);

/** A result's version: one this code reads, or a line saying a newer fiml-perf wrote it. */
const version = z.literal(READABLE_SCHEMA_VERSIONS as [number, ...number[]], {
  error: (issue) =>
    typeof issue.input === 'number' && issue.input > newest
      ? `version ${issue.input} was written by a newer fiml-perf (this one reads ${READABLE_SCHEMA_VERSIONS.join(', ')}); update fiml-perf`
      : `expected one of ${READABLE_SCHEMA_VERSIONS.join(', ')}`,
});

/**
 * A column of numbers, checked in a loop rather than element by element through zod: a long run's
 * series hold over a million numbers (five times faster, and no copy). Names the first bad index.
 */
const column = (ok: (n: number) => boolean, expected: string) =>
  z.custom<number[]>().superRefine((value, context) => {
    if (!Array.isArray(value)) {
      context.addIssue({ code: 'custom', message: 'expected an array of numbers' });
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const n = value[i] as unknown;
      if (typeof n !== 'number' || !ok(n)) {
        context.addIssue({
          code: 'custom',
          path: [i],
          message: `expected ${expected}, got ${JSON.stringify(n) ?? String(n)}`,
        });
        return;
      }
    }
  });
const finites = column(Number.isFinite, 'a finite number');
const counts = column((n) => Number.isFinite(n) && n >= 0, 'a count (0 or more)');

/**
 * An HDR histogram in compressed base64, as `encodeHistogram` writes it: decoded here, as every
 * reader decodes it, so one that does not decode is a line naming its field, not a crash later.
 */
const histogram = z.string().superRefine((encoded, context) => {
  try {
    decodeHistogram(encoded).destroy();
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: `not an HDR histogram in compressed base64 (${(error as Error).message})`,
    });
  }
});

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
    avgWireBytes: finite.optional(),
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
    scheduleLagMs: trio.extend({ iterations: count.optional(), late: count.optional() }).nullable(),
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
    stepS: z.number().int().positive(),
    t: finites,
    requests: counts,
    failures: counts,
    p50: finites,
    p90: finites,
    p95: finites,
    p99: finites,
    max: finites,
  })
  .passthrough()
  .refine(
    (s) =>
      [s.requests, s.failures, s.p50, s.p90, s.p95, s.p99, s.max].every(
        (c) => c.length === s.t.length,
      ),
    { error: 'columns of different lengths' },
  );

/** A load result of any version in `READABLE_SCHEMA_VERSIONS` (version 1 has no `endpointSeries`). */
const loadResultSchema = z
  .object({
    schemaVersion: version,
    tool: z.object({ name: z.string(), version: z.string() }).passthrough(),
    model: z.enum(['closed', 'open']),
    executor: z.string(),
    target: z.string(),
    startedAt: z.string(),
    durationS: finite,
    interrupted: z.boolean(),
    unknownAfterS: count.optional(),
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
      .object({ total: histogram, endpoints: z.record(z.string(), histogram) })
      .passthrough(),
    generator,
    config: z.record(z.string(), z.unknown()),
    targets: targets.optional(),
    service: service.optional(),
    // Optional, so a result without it (older, or a run with no database) keeps its version.
    database: databaseSchema.optional(),
    // Version 1 has none; version 2 always has it (checked below).
    endpointSeries: z.record(z.string(), series).optional(),
  })
  .passthrough()
  .superRefine((result, context) => {
    if (result.unknownAfterS !== undefined && result.unknownAfterS > result.durationS)
      context.addIssue({
        code: 'custom',
        path: ['unknownAfterS'],
        message: `expected at most durationS (${result.durationS}), got ${result.unknownAfterS}`,
      });
    if (result.schemaVersion >= 2 && result.endpointSeries === undefined)
      context.addIssue({
        code: 'custom',
        path: ['endpointSeries'],
        message: `expected per-endpoint series in a version ${result.schemaVersion} result`,
      });
  });

/**
 * Checks a stored load result with the one schema every reader uses. Its signature names no zod
 * type: the package's declarations reach this file, and zod is not installed where users are.
 * @returns the first problem as `field: what is wrong`, or undefined when the result is sound
 */
export function loadResultProblem(data: unknown): string | undefined {
  const parsed = loadResultSchema.safeParse(data);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || '(top level)'}: ${issue?.message}`;
}
