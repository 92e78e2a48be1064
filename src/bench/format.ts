import type { BenchEntry } from './result.js';

/** Nanoseconds as the table shows them: 12.3 ns, 4.56 us, 7.89 ms. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** One benchmark's row of the table `bench` prints. */
export function benchLine(entry: BenchEntry): string {
  const s = entry.stats;
  const outliers = s.outliers.low + s.outliers.high;
  return [
    entry.id.padEnd(64),
    entry.clock.padStart(5),
    formatNs(s.median).padStart(10),
    `±${s.rme.toFixed(1)}%`.padStart(7),
    formatNs(s.p99).padStart(10),
    `${Math.round(s.opsPerSec).toLocaleString('en-US')}/s`.padStart(14),
    String(s.samples).padStart(6),
    outliers ? `  ${outliers} outlier${outliers > 1 ? 's' : ''}` : '',
  ].join(' ');
}

/** The header of the table `bench` prints. */
export const BENCH_HEADER = `${'benchmark'.padEnd(64)} ${'clock'.padStart(5)} ${'median'.padStart(10)} ${'rme'.padStart(7)} ${'p99'.padStart(10)} ${'ops'.padStart(14)} ${'n'.padStart(6)}`;
