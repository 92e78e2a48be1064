import { execFileSync } from 'node:child_process';
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
export default function buildCli(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
