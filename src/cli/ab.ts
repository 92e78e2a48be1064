import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';

import { reportOptions } from './comparison-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const abOptions = {
  base: {
    flags: '--base <ref>',
    description: 'git ref to compare the working tree with, such as main or HEAD~1',
    schema: z.string({ error: 'expected a git ref: fiml-perf ab --base main' }).min(1),
  },
  processes: {
    flags: '--processes <k>',
    description: 'most fresh processes per side (A B B A ...)',
    schema: flag.int(3, 100, 10),
  },
  minProcesses: {
    flags: '--min-processes <k>',
    description: 'processes per side before stopping early once every verdict is clear',
    schema: flag.int(3, 100, 5),
  },
  time: {
    flags: '--time <ms>',
    description: 'sampling time per benchmark and process',
    schema: flag.int(50, 600_000, 300),
  },
  dir: {
    flags: '--dir <path>',
    description: 'benchmark folder, in both trees',
    schema: z.string().min(1).default('bench'),
  },
  threshold: {
    flags: '--threshold <share>',
    description:
      "change past which a slowdown is a regression, as 10% or 0.1 (default: each benchmark's own)",
    schema: flag.optionalShare(0.001, 10),
  },
  ...reportOptions,
} satisfies OptionTable;

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

export function registerAb(command: Command): void {
  command
    .argument('[filter...]', 'only benchmarks whose file path or name contains one of these')
    .addHelpText(
      'after',
      `
Example:
  fiml-perf ab --base main --markdown comment.md --ci

Both trees are built (the base in a temporary git worktree) and run A B B A ... in fresh processes
until every verdict is clear or --processes is reached. Docs: docs/regression.md`,
    );
  addOptions(command, abOptions).action(async (filters: string[], raw: Record<string, unknown>) => {
    const options = resolveOptions(abOptions, raw);
    const [{ runInterleaved }, { compareResults }] = await Promise.all([
      import('../bench/index.js'),
      import('../regress/index.js'),
    ]);
    const base = prepareBase(options.base);
    try {
      buildTree(process.cwd());
      const a = { cli: join(base.path, 'bin/fiml-perf.js'), cwd: base.path };
      const b = { cli: resolve('bin/fiml-perf.js'), cwd: process.cwd() };
      const paths = [`${options.base} (base)`, 'working tree'] as const;
      const compare = (
        x: Parameters<typeof compareResults>[0],
        y: Parameters<typeof compareResults>[1],
      ) => compareResults(x, y, paths, { threshold: options.threshold });
      const result = runInterleaved(a, b, {
        root: options.dir,
        filters,
        timeMs: options.time,
        maxProcesses: options.processes,
        minProcesses: options.minProcesses,
        onRound: (round) => process.stderr.write(`round ${round}: ${round} process(es) a side\n`),
        done: (x, y) =>
          compare({ kind: 'bench', result: x }, { kind: 'bench', result: y }).summary
            .inconclusive === 0,
      });
      const comparison = compare(
        { kind: 'bench', result: result.a },
        { kind: 'bench', result: result.b },
      );
      process.exitCode = await (await import('../jobs/index.js')).reportComparison(
        comparison,
        options,
      );
    } finally {
      base.remove();
    }
  });
}
