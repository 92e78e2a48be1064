/**
 * What the per-endpoint series cost over a long run with many endpoints: 1,000 endpoints, each
 * with requests every second for 3,600 simulated seconds (latencies of 0.3 to 20 ms), recorded
 * and ticked as a run does, for a few series budgets, each in a fresh process. Prints the heap
 * (plus array buffers) the recorder holds after a full collection, the rows and steps kept, the
 * JSON size of `endpointSeries` and of the whole result, and the time a tick took.
 *
 *   node --import tsx scripts/series-memory.ts [endpoints] [seconds] [requests a second each]
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildResult, StatsRecorder } from '../src/stats/index.js';

interface Figures {
  readonly budget: string;
  readonly heapMb: number;
  readonly rows: number;
  readonly steps: string;
  readonly seriesJsonMb: number;
  readonly resultJsonMb: number;
  readonly tickMs: number;
}

function measure(
  endpoints: number,
  seconds: number,
  perSecond: number,
  budget: number,
  gc: () => void,
): Figures {
  gc();
  const before = process.memoryUsage();
  const recorder = new StatsRecorder(0, { maxNames: endpoints, maxSeriesRows: budget });
  const names = Array.from({ length: endpoints }, (_, i) => `/endpoint/${i}`);
  let x = 1;
  let tickTime = 0;
  for (let second = 1; second <= seconds; second++) {
    for (const name of names)
      for (let k = 0; k < perSecond; k++) {
        x = (x * 48_271) % 2_147_483_647;
        recorder.record('GET', name, 300 + (x % 20_000), 100);
      }
    const start = performance.now();
    recorder.tick(second * 1000, endpoints);
    tickTime += performance.now() - start;
  }
  gc();
  const after = process.memoryUsage();
  // Read the recorder after measuring, so it is still alive when measured.
  const all = [...recorder.endpoints.values()].map((e) => e.series);
  const rows = all.reduce((n, s) => n + s.t.length, 0);
  const steps = [...new Set(all.map((s) => s.stepS))].sort((a, b) => a - b).join(', ');
  const result = buildResult(recorder, {
    version: 'measure',
    model: 'closed',
    executor: 'constant-users',
    target: 'http://127.0.0.1',
    endedAt: seconds * 1000,
    interrupted: false,
    generator: {
      workers: 1,
      cpuPercent: { mean: 0, max: 0 },
      eventLoopLagMs: { p50: 0, p99: 0, max: 0 },
      scheduleLagMs: null,
      dropped: 0,
      maxRssMb: 0,
      saturated: false,
      reasons: [],
    },
    templatedNames: false,
    config: {},
  });
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return {
    budget: Number.isFinite(budget) ? budget.toLocaleString('en-US') : 'none',
    heapMb: mb(after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers),
    rows,
    steps,
    seriesJsonMb: mb(JSON.stringify(result.endpointSeries).length),
    resultJsonMb: mb(JSON.stringify(result).length),
    tickMs: Math.round((tickTime / seconds) * 100) / 100,
  };
}

const [endpoints = 1000, seconds = 3600, perSecond = 5] = process.argv.slice(2, 5).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
const budgetArg = process.argv[5];
if (gc && budgetArg !== undefined)
  console.log(JSON.stringify(measure(endpoints, seconds, perSecond, Number(budgetArg), gc)));
else {
  console.log(
    `${endpoints} endpoints, ${seconds} s, ${perSecond} requests a second each (node ${process.version})`,
  );
  console.log(
    '| budget (rows) | heap MB | rows kept | stepS | series JSON MB | result JSON MB | ms a tick |',
  );
  console.log('| ---: | ---: | ---: | --- | ---: | ---: | ---: |');
  // 1,000 rows: one row per endpoint at the end, so the heap beside it is the series' cost.
  for (const budget of [endpoints, 200_000, Number.POSITIVE_INFINITY]) {
    const script = fileURLToPath(import.meta.url);
    const args = [endpoints, seconds, perSecond, budget].map(String);
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', script, ...args],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const f = JSON.parse(out.trim()) as Figures;
    console.log(
      `| ${f.budget} | ${f.heapMb} | ${f.rows.toLocaleString('en-US')} | ${f.steps} | ${f.seriesJsonMb} | ${f.resultJsonMb} | ${f.tickMs} |`,
    );
  }
}
