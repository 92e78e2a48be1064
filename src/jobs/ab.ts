import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerfError } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { reportComparison } from './compare.js';

/** `ab`: the working tree against a git ref, benchmarked in alternating fresh processes. */
export interface AbJob {
  /** The git ref to compare with, checked out and built in a temporary worktree. */
  readonly base: string;
  readonly dir: string;
  readonly filters: readonly string[];
  readonly timeMs: number;
  readonly maxProcesses: number;
  readonly minProcesses: number;
  readonly threshold: number | undefined;
  /** How the comparison is written and what it exits with (compare's flags). */
  readonly report: { markdown?: string | undefined; json?: string | undefined; ci: boolean };
}

function git(args: string[], cwd = process.cwd()): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Builds a tree as its `npm run build` does: its build script where it has one, else tsc. */
function buildTree(cwd: string): void {
  const script = join(cwd, 'scripts/build.mjs');
  const args = existsSync(script)
    ? [script]
    : [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'];
  execFileSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Checks out `ref` in a temporary worktree sharing this tree's node_modules, and builds it. */
function prepareBase(ref: string): { path: string; remove: () => void } {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new PerfError(
      'FP_ERR_BASELINE',
      `git ref ${ref} does not exist here; fetch it or pick another --base`,
    );
  }
  const path = join(mkdtempSync(join(tmpdir(), 'fiml-perf-ab-')), 'base');
  git(['worktree', 'add', '--detach', path, commit]);
  const remove = () => {
    try {
      git(['worktree', 'remove', '--force', path]);
    } catch {
      rmSync(path, { recursive: true, force: true });
    }
  };
  try {
    symlinkSync(resolve('node_modules'), join(path, 'node_modules'), 'dir');
    buildTree(path);
  } catch (error) {
    remove();
    throw new PerfError(
      'FP_ERR_BASELINE',
      `cannot build ${ref} in a worktree: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (!existsSync(join(path, 'bin/fiml-perf.js'))) {
    remove();
    throw new PerfError(
      'FP_ERR_BASELINE',
      `${ref} has no bin/fiml-perf.js: it predates fiml-perf bench`,
    );
  }
  return { path, remove };
}

/**
 * Builds both trees and runs them A B B A ... in fresh processes until every verdict is clear or
 * the most processes are reached; prints and writes the comparison. Returns the exit code.
 */
export async function runAbJob(job: AbJob): Promise<ExitCode> {
  const [{ runInterleaved }, { compareResults }] = await Promise.all([
    import('../bench/index.js'),
    import('../regress/index.js'),
  ]);
  const base = prepareBase(job.base);
  try {
    buildTree(process.cwd());
    const a = { cli: join(base.path, 'bin/fiml-perf.js'), cwd: base.path };
    const b = { cli: resolve('bin/fiml-perf.js'), cwd: process.cwd() };
    const paths = [`${job.base} (base)`, 'working tree'] as const;
    const compare = (
      x: Parameters<typeof compareResults>[0],
      y: Parameters<typeof compareResults>[1],
    ) => compareResults(x, y, paths, { threshold: job.threshold });
    const result = runInterleaved(a, b, {
      root: job.dir,
      filters: [...job.filters],
      timeMs: job.timeMs,
      maxProcesses: job.maxProcesses,
      minProcesses: job.minProcesses,
      onRound: (round) => process.stderr.write(`round ${round}: ${round} process(es) a side\n`),
      done: (x, y) =>
        compare({ kind: 'bench', result: x }, { kind: 'bench', result: y }).summary.inconclusive ===
        0,
    });
    return await reportComparison(
      compare({ kind: 'bench', result: result.a }, { kind: 'bench', result: result.b }),
      job.report,
    );
  } finally {
    base.remove();
  }
}
