/**
 * A test-only benchmark with a delay knob, for proving the regression gate (scripts/gate-trial.ts):
 * FIML_PERF_BENCH_SLOWDOWN=0.1 makes it do 10% more work. Not part of `npm run bench`.
 */
import { bench, group } from 'fiml-perf';

const slowdown = Number(process.env.FIML_PERF_BENCH_SLOWDOWN ?? 0);
const rounds = Math.round(20_000 * (1 + slowdown));

group('gate', () => {
  bench(
    'delay knob (20k LCG steps)',
    () => {
      let x = 1;
      for (let i = 0; i < rounds; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
      return x;
    },
    // The gate flags a change only when its whole interval clears the threshold, so the
    // threshold must sit below the 10% the knob injects: 5%.
    { threshold: 0.05 },
  );
});
