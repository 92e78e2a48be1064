import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEntry, BenchResult } from '../../src/bench/index.js';
import { summarize } from '../../src/bench/index.js';
import { Random } from '../../src/load/index.js';

export const ENVIRONMENT = {
  cpu: 'Test CPU @ 3.0GHz',
  cores: 2,
  node: 'v20.0.0',
  v8: '11.3',
  platform: 'linux',
  arch: 'x64',
  flags: ['--expose-gc'],
  gitCommit: '0123456789abcdef0123456789abcdef01234567',
  gitDirty: false,
};

/** Process medians around `median` ns with a relative spread `sigma` (log-normal). */
export function processMedians(seed: number, median: number, sigma: number, n = 10): number[] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => {
    const u = Math.max(random.next(), 1e-12);
    return (
      median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next()))
    );
  });
}

export function entry(
  id: string,
  medians: number[],
  threshold = 0.1,
  clock: 'cpu' | 'wall' = 'cpu',
): BenchEntry {
  return {
    id,
    group: id.split(' > ')[0] ?? '',
    name: id.split(' > ')[1] ?? id,
    file: 'bench/x.bench.ts',
    threshold,
    iterationsPerSample: 1000,
    clock,
    stats: summarize(medians),
    processMedians: medians,
    samples: medians,
    warnings: [],
  };
}

export function benchResult(entries: BenchEntry[], environment = ENVIRONMENT): BenchResult {
  return {
    schemaVersion: 1,
    kind: 'bench',
    createdAt: '2026-11-27T12:00:00.000Z',
    environment,
    config: { processes: 10, timeMs: 500, filter: [] },
    benchmarks: entries,
  };
}

export function write(dir: string, name: string, data: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
}
