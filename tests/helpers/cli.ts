import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the CLI as users run it, the bin on the compiled output (which tests/build-cli.ts builds
 * before the integration tier), in the repository root unless told.
 */
export function spawnCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = root,
): ChildProcess {
  return spawn(process.execPath, [`${root}bin/fiml-perf.js`, ...args], {
    cwd,
    env: { ...process.env, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<Finished> {
  const child = spawnCli(args, env, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** How a child process ended: its exit code (null after a signal), even if it already has. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Collects the child's stderr from now on; the function returns what came so far. */
export function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (d) => {
    text += d;
  });
  return () => text;
}

/**
 * Resolves with the first match of `pattern` in the child's stdout (or stderr), counting output
 * from the call on: call it before the output can arrive.
 */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  stream: 'stdout' | 'stderr' = 'stdout',
): Promise<RegExpMatchArray> {
  const output = child[stream]!;
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d;
      const match = seen.match(pattern);
      if (match) {
        output.off('data', onData);
        resolve(match);
      }
    };
    output.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before printing ${pattern}: ${seen}`)),
    );
  });
}

/** True when `command` runs here (`command --version`); tests that need it skip otherwise. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A user error: exit 2 and one line on stderr that matches, no stack trace. */
export function expectUserError(
  run: { code: number | null; stderr: string },
  pattern: string | RegExp,
): void {
  expect(run.code, run.stderr).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/**
 * A user error after progress lines (a command that said what it was doing first): exit 2, the
 * last line of stderr matches, no stack trace.
 */
export function expectUserErrorLast(
  run: { code: number | null; stderr: string },
  pattern: string | RegExp,
): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr.trim().split('\n').at(-1)).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}
