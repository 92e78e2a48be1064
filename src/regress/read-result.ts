import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BenchResult } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { READABLE_SCHEMA_VERSIONS, type RunResult } from '../stats/index.js';

/** A baseline or current file that cannot be compared: missing, not JSON, the wrong shape. */
export class RegressError extends PerfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FP_ERR_BASELINE', message, options);
    this.name = 'RegressError';
  }
}

const stats = z.object({ median: z.number(), samples: z.number() }).passthrough();

const benchSchema = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.literal('bench'),
    createdAt: z.string(),
    environment: z
      .object({
        cpu: z.string(),
        cores: z.number(),
        node: z.string(),
        v8: z.string(),
        platform: z.string(),
        arch: z.string(),
        flags: z.array(z.string()),
        gitCommit: z.string().nullable(),
      })
      .passthrough(),
    benchmarks: z.array(
      z
        .object({
          id: z.string(),
          threshold: z.number().positive(),
          // Results from before the CPU clock timed everything in elapsed time.
          clock: z.enum(['cpu', 'wall']).default('wall'),
          stats,
          processMedians: z.array(z.number().positive()).min(1),
          samples: z.array(z.number().nonnegative()).min(1),
        })
        .passthrough(),
    ),
  })
  .passthrough();

const latency = z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).passthrough();
const endpoint = z
  .object({
    name: z.string(),
    method: z.string(),
    requests: z.number(),
    failures: z.number(),
    latencyMs: latency,
  })
  .passthrough();

const newest = Math.max(...READABLE_SCHEMA_VERSIONS);

/** A result's version: one this code reads, or a line saying a newer fiml-perf wrote it. */
const loadVersion = z.literal(READABLE_SCHEMA_VERSIONS as [number, ...number[]], {
  error: (issue) =>
    typeof issue.input === 'number' && issue.input > newest
      ? `version ${issue.input} was written by a newer fiml-perf (this one reads ${READABLE_SCHEMA_VERSIONS.join(', ')}); update fiml-perf`
      : `expected one of ${READABLE_SCHEMA_VERSIONS.join(', ')}`,
});

/**
 * A column is checked to be an array, not number by number: a long run's series hold over a
 * million numbers, and comparing results does not read them.
 */
const column = z.custom<number[]>(Array.isArray, { error: 'expected an array of numbers' });
const series = z
  .object({
    stepS: z.number().int().positive(),
    t: column,
    requests: column,
    failures: column,
    p50: column,
    p90: column,
    p95: column,
    p99: column,
    max: column,
  })
  .passthrough()
  .refine(
    (s) =>
      [s.requests, s.failures, s.p50, s.p90, s.p95, s.p99, s.max].every(
        (c) => c.length === s.t.length,
      ),
    { error: 'columns of different lengths' },
  );

const loadSchema = z
  .object({
    schemaVersion: loadVersion,
    model: z.enum(['closed', 'open']),
    startedAt: z.string(),
    totals: endpoint,
    endpoints: z.array(endpoint),
    histograms: z
      .object({ total: z.string(), endpoints: z.record(z.string(), z.string()) })
      .passthrough(),
    // Version 1 has none; version 2 always has it (checked below).
    endpointSeries: z.record(z.string(), series).optional(),
  })
  .passthrough()
  .superRefine((result, context) => {
    if (result.schemaVersion >= 2 && result.endpointSeries === undefined)
      context.addIssue({
        code: 'custom',
        path: ['endpointSeries'],
        message: `expected per-endpoint series in a version ${result.schemaVersion} result`,
      });
  });

export type ReadResult =
  | { kind: 'bench'; result: BenchResult }
  | { kind: 'load'; result: RunResult };

/**
 * Reads and validates a benchmark result or a load-test result; load results of every version in
 * `READABLE_SCHEMA_VERSIONS` (version 1 has no `endpointSeries`). @throws RegressError
 */
export function readResult(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RegressError(
      code === 'ENOENT'
        ? `${path} does not exist; save one with 'fiml-perf bench --save NAME' or 'fiml-perf load --json FILE'`
        : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RegressError(
      `${path} is not JSON (${(error as Error).message}); pass a file written by fiml-perf bench or load`,
    );
  }
  const kind = (data as { kind?: unknown })?.kind === 'bench' ? 'bench' : 'load';
  const parsed = (kind === 'bench' ? benchSchema : loadSchema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw new RegressError(
      `${path} is not a fiml-perf ${kind === 'bench' ? 'benchmark' : 'load-test'} result: ${where}: ${issue?.message}`,
    );
  }
  return kind === 'bench'
    ? { kind, result: parsed.data as unknown as BenchResult }
    : { kind, result: parsed.data as unknown as RunResult };
}
