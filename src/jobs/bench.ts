import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchResult } from '../bench/index.js';
import { PerfError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { checkOutputs } from './lifecycle.js';

/** `bench`: the benchmarks measured, the table printed, the result kept where asked. */
export interface BenchJob {
  readonly dir: string;
  readonly filters: readonly string[];
  readonly timeMs: number;
  readonly processes: number;
  readonly json: string | undefined;
  /** A name: .benchmarks/NAME.json, and a line in .benchmarks/history.jsonl. */
  readonly save: string | undefined;
  readonly quiet: boolean;
}

/** Writes the result where asked; `--save` also appends a line to the history. */
async function persist(
  result: BenchResult,
  json: string | undefined,
  save: string | undefined,
): Promise<string[]> {
  const { writeFileAtomic } = await import('../util/atomic-write.js');
  const written: string[] = [];
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (json) {
    writeFileAtomic(json, text);
    written.push(json);
  }
  if (save) {
    const path = `.benchmarks/${save}.json`;
    writeFileAtomic(path, text);
    mkdirSync(dirname(path), { recursive: true });
    const summary = {
      savedAt: result.createdAt,
      name: save,
      commit: result.environment.gitCommit,
      medians: Object.fromEntries(result.benchmarks.map((b) => [b.id, b.stats.median])),
    };
    appendLine('.benchmarks/history.jsonl', JSON.stringify(summary));
    written.push(path, '.benchmarks/history.jsonl');
  }
  return written;
}

/**
 * Appends a line to a history. A save cut short earlier (no newline at its end) is dropped
 * first: appended to, it would become a broken line in the middle that `trend` refuses.
 */
function appendLine(path: string, line: string): void {
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) {
      const end = text.lastIndexOf('\n') + 1;
      truncateSync(path, Buffer.byteLength(text.slice(0, end)));
      process.stderr.write(
        `WARNING: ${path}: dropped a save cut short (${text.length - end} characters after the last whole line)\n`,
      );
    }
  }
  appendFileSync(path, `${line}\n`);
}

/** Runs the benchmarks, prints each as it ends, writes the result. Returns the exit code. */
export async function runBenchJob(job: BenchJob): Promise<ExitCode> {
  checkOutputs([
    ...(job.json ? [{ flag: '--json', path: job.json, kind: 'file' as const }] : []),
    ...(job.save
      ? [{ flag: '--save', path: `.benchmarks/${job.save}.json`, kind: 'file' as const }]
      : []),
  ]);
  const print = (text: string) => {
    if (!job.quiet) process.stdout.write(`${text}\n`);
  };
  const { BENCH_HEADER, benchLine, runBenchmarks } = await import('../bench/index.js');
  print(BENCH_HEADER);
  const result = await runBenchmarks({
    root: job.dir,
    filters: job.filters,
    timeMs: job.timeMs,
    processes: job.processes,
    onEntry: (entry) => {
      print(benchLine(entry));
      for (const warning of entry.warnings) print(`  warning: ${warning}`);
    },
  });
  if (result.benchmarks.length === 0)
    throw new PerfError(
      'FP_ERR_BENCH',
      `no benchmark matches ${job.filters.join(', ') || '(none)'} in ${job.dir}`,
    );
  for (const path of await persist(result, job.json, job.save)) print(`wrote ${path}`);
  return EXIT.ok;
}
