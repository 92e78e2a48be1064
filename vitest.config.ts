import { defineConfig } from 'vitest/config';

/**
 * Two tiers (issue 24). `unit`: in process, no servers, processes, workers or browser
 * (tests/helpers/unit-guard.ts refuses them); `int`: the files named `*.int.test.ts`, which start
 * servers, Redis, the CLI or chromium. `npm test` runs both in one pool of three workers on this
 * 2-core machine: most integration files spend their time waiting on fixed run lengths and
 * timers (two workers kept the cores about 45% busy), and the timing-dependent tests wait for
 * their condition or run on a fake clock, so a busy machine slows them rather than failing them.
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
          maxWorkers: 3,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['tests/**/*.int.test.ts'],
          // Its tests spawn the built CLI: dist/ built (incrementally) before any of them runs.
          globalSetup: ['./tests/build-cli.ts'],
          maxWorkers: 3,
        },
      },
    ],
  },
});
