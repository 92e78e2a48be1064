import { runCli } from '../../src/cli/program.js';
import type { Finished } from './cli.js';

/**
 * Runs the CLI in this process (`runCli` with a captured Io), as `fiml-perf ARGS` would run, for
 * commands that end at their flags or inputs (a usage error, `--help`, a rendered file): much
 * faster than a process (no tsx start-up), and a unit test may use it. Meanwhile process.argv is
 * the command's, and what it writes to process.stdout and process.stderr is captured. A command
 * that serves, spawns or runs until a signal is spawned instead (helpers/cli.ts). Not
 * concurrent: one call at a time.
 */
export async function runCliInProcess(args: readonly string[]): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  const out = (text: string | Uint8Array): true => {
    stdout += String(text);
    return true;
  };
  const err = (text: string | Uint8Array): true => {
    stderr += String(text);
    return true;
  };
  const { stdout: realOut, stderr: realErr } = process;
  const writeOut = realOut.write;
  const writeErr = realErr.write;
  const before = process.exitCode;
  const argv = process.argv;
  // Some commands read process.argv itself (k8s copies the load flags into its manifests).
  process.argv = ['node', 'fiml-perf', ...args];
  realOut.write = out as typeof realOut.write;
  realErr.write = err as typeof realErr.write;
  try {
    const code = await runCli(process.argv, { out, err });
    return { code, stdout, stderr };
  } finally {
    process.argv = argv;
    realOut.write = writeOut;
    realErr.write = writeErr;
    // A command sets process.exitCode for main.ts; here it must not become the test run's.
    process.exitCode = before;
  }
}
