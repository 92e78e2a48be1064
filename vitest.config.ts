import { defineConfig } from 'vitest/config';

/**
 * Two tiers (issue 24). `unit`: in process, no servers, processes, workers or browser
 * (tests/helpers/unit-guard.ts refuses them); `int`: the files named `*.int.test.ts`, which start
 * servers, Redis, the CLI or chromium. `npm test` runs both in one pool of four workers on this
 * 2-core machine: most integration files spend their time waiting on fixed run lengths and
 * timers (with four, npm test's own processes kept 1.3 cores busy on average; npm test took
 * 199-311 s against 306-347 s with three, beside other sessions' work), and the timing-dependent
 * tests wait for their condition or run on a fake clock, so a busy machine slows them rather
 * than failing them. The unit tier alone is as fast with four as with three (about 30 s); the
 * projects share one pool only with the same maxWorkers (else vitest runs them one after the
 * other, by sequence.groupOrder).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './tests/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.int.test.ts'],
          setupFiles: ['./tests/helpers/unit-guard.ts'],
          maxWorkers: 4,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['tests/**/*.int.test.ts'],
          // Its tests spawn the built CLI: dist/ built (incrementally) before any of them runs.
          globalSetup: ['./tests/build-cli.ts'],
          maxWorkers: 4,
        },
      },
    ],
  },
});
