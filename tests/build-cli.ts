import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Builds dist/ once before the integration tier (its globalSetup): its tests spawn the CLI as
 * users run it, bin/fiml-perf.js on the compiled output (tests/helpers/cli.ts). Through tsx each
 * process paid about 0.2 s of CPU to start and each of its worker threads more, and a scenario's
 * type-check read the suite's .ts sources instead of their .d.ts (npm test: 7 min of CPU, 5.4 with
 * the build). The build is incremental: a second or two when nothing changed. It runs before any
 * test, so no test reads dist/ while it is rewritten.
 */
export default async function buildCli(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  await fillEmbeddedDatabase();
}

/**
 * Starts FIML once (`serve`, as a user's first `npm start` does) so the embedded database's data
 * of the day is made before any test: on a fresh machine the first start fills 388k bars (10-30 s
 * on a loaded 2-core machine), which a test's own run would otherwise wait for (its tests time
 * out at 30 s). Later starts load it in about a second, and so does this one.
 */
async function fillEmbeddedDatabase(): Promise<void> {
  const child = spawn(process.execPath, ['bin/fiml-perf.js', 'serve', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const up = await new Promise<boolean>((resolve) => {
    const read = (data: Buffer) => {
      output += data;
      if (output.includes('Press Ctrl-C to stop.')) resolve(true);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', () => resolve(false));
  });
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  if (!up) throw new Error(`fiml-perf serve did not start to fill its database: ${output}`);
}
