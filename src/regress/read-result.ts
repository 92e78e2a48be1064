import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BenchResult } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { loadResultProblem, type RunResult } from '../stats/index.js';

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

export type ReadResult =
  | { kind: 'bench'; result: BenchResult }
  | { kind: 'load'; result: RunResult };

/**
 * Reads and validates a benchmark result or a load-test result (every version in
 * `READABLE_SCHEMA_VERSIONS`, with the one schema every reader of a load result uses).
 * @throws RegressError
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
  if (kind === 'bench') {
    const parsed = benchSchema.safeParse(data);
    if (parsed.success) return { kind, result: parsed.data as unknown as BenchResult };
    const issue = parsed.error.issues[0];
    throw new RegressError(
      `${path} is not a fiml-perf benchmark result: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`,
    );
  }
  const problem = loadResultProblem(data);
  if (problem) throw new RegressError(`${path} is not a fiml-perf load-test result: ${problem}`);
  return { kind, result: data as RunResult };
}
