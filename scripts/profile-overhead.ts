/**
 * What profiling costs the service: requests/s of FIML under the same saturating load with and
 * without `fiml-perf profile` attached (CPU sampling at the default interval, allocation
 * sampling, a forced GC every --heap-every for the leak verdict, the event-loop watch). FIML runs
 * with its inspector in both, so only the profiling differs; pairs alternate, the median ratio is
 * quoted.
 *
 *   node --import tsx scripts/profile-overhead.ts [--pairs 3] [--seconds 15] [--profile=--no-heap] [--pin]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '15' },
    /** More profile flags, such as --no-heap or --sampling-interval 2000. */
    profile: { type: 'string', default: '' },
    /** FIML on core 0, the loads and the profiler on core 1 (taskset): less noise. */
    pin: { type: 'boolean', default: false },
  },
});
const pairs = Number(values.pairs);
const seconds = Number(values.seconds);
const cli = join(root, 'bin/fiml-perf.js');
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-overhead-'));

/** A Node process, on a core of its own with --pin. */
const node = (core: number, args: string[], stdio: 'pipe' | 'quiet') =>
  spawn(
    values.pin ? 'taskset' : process.execPath,
    values.pin ? ['-c', String(core), process.execPath, ...args] : args,
    { stdio: stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'inherit'] },
  );
const fiml = node(0, ['--inspect=127.0.0.1:0', cli, 'serve', '--port', '0'], 'pipe');
let out = '';
const [base, inspect] = await Promise.all([
  new Promise<string>((resolve) =>
    fiml.stdout?.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    }),
  ),
  new Promise<string>((resolve) => {
    let err = '';
    fiml.stderr?.on('data', (d: Buffer) => {
      err += d;
      const m = /Debugger listening on ws:\/\/(127\.0\.0\.1:\d+)\//.exec(err);
      if (m) resolve(`http://${m[1]}`);
    });
  }),
]);
const url = `${base}/mcp/tools/get_price?symbol=AAPL`;

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = node(1, [cli, ...args], 'quiet');
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
}

/** Requests/s over the seconds from 3 s in to 1 s before the end: the profiled window. */
function windowRps(result: string): number {
  const rows = (
    JSON.parse(readFileSync(result, 'utf8')) as {
      timeseries: Array<{ t: number; requests: number }>;
    }
  ).timeseries;
  const inside = rows.filter((r) => r.t > 3 && r.t <= seconds - 1);
  return inside.reduce((n, r) => n + r.requests, 0) / inside.length;
}

const ratios: number[] = [];
const load = ['load', url, '-c', '50', '-d', `${seconds}s`, '-q'];
for (let i = 0; i < pairs; i++) {
  const plain = join(work, `plain-${i}.json`);
  await run([...load, '--json', plain]);
  const profiled = join(work, `profiled-${i}.json`);
  // The profile command does not write the load's result; a load beside it would double the
  // traffic. So the profiled run is a load with the profiler attached by a second process.
  const prof = run([
    'profile',
    url,
    '-c',
    '1',
    '--rate',
    '1',
    '-d',
    `${seconds}s`,
    '--warmup',
    '3s',
    '--inspect',
    inspect,
    '-o',
    join(work, `prof-${i}`),
    '-q',
    ...(values.profile ? values.profile.split(' ') : []),
  ]);
  await new Promise((r) => setTimeout(r, 200));
  await Promise.all([run([...load, '--json', profiled]), prof]);
  const a = windowRps(plain);
  const b = windowRps(profiled);
  ratios.push(b / a);
  process.stderr.write(
    `pair ${i + 1}: ${a.toFixed(0)} req/s without, ${b.toFixed(0)} with the profiler: ${((b / a) * 100).toFixed(1)}%\n`,
  );
}
ratios.sort((x, y) => x - y);
const median = ratios[Math.floor(ratios.length / 2)] as number;
process.stdout.write(
  `FIML ${url.replace(base, '')}, 50 connections, ${seconds}s, ${pairs} pairs${values.pin ? ', pinned' : ''}, profile ${values.profile || 'defaults'}: with the profiler ${(median * 100).toFixed(1)}% of the requests/s without (median; overhead ${((1 - median) * 100).toFixed(1)}%)\n`,
);
fiml.kill();
