/**
 * What the stuck-task watchdog (src/load/watchdog.ts, f87ec47 and c95b154) costs a scenario run:
 * two builds of fiml-perf, one without it (--before, such as a worktree at e4f1cfd) and one with
 * it (--after), each run `load -f` on a one-GET scenario with zero think time against a bare Node
 * HTTP server on loopback, with -w 1 (the watchdog thread and the main thread's 100 ms beat) and
 * -w 2 (each worker's 50 ms beat, the main thread's 100 ms check). Rounds alternate which build
 * goes first; per build and worker count it reports the medians of requests/s, the generator's
 * CPU per request (user + system of the whole process, from the shell's `times`), its mean CPU %
 * and max RSS (from the result JSON), and the wall and CPU time of a `-t 1s` run (start-up and
 * shutdown around one second of load), each with the ratio of the medians and the median of the
 * rounds' ratios. The server runs on core 1, the generator on core 0 (taskset, with two cores).
 * Both folders need a built dist (npm run build); a worktree can link the repository's
 * node_modules.
 *
 *   git worktree add --detach /work/wt-before e4f1cfd
 *   (cd /work/wt-before && ln -s /work/main/node_modules node_modules && npm run build)
 *   node --import tsx scripts/watchdog-overhead.ts [--before /work/wt-before] [--after .]
 *     [--rounds 5] [--seconds 8] [--users 50] [--workers 1,2]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BODY, benchKit, median } from './bench-kit.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    before: { type: 'string', default: '/work/wt-before' },
    after: { type: 'string', default: root },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '8' },
    users: { type: 'string', default: '50' },
    /** Worker counts to compare, comma-separated. */
    workers: { type: 'string', default: '1,2' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const users = Number(values.users);
const workerCounts = (values.workers as string).split(',').map(Number);
const builds = { before: resolve(values.before as string), after: resolve(values.after as string) };
type Build = keyof typeof builds;
const { work, pinned, timed } = benchKit('fiml-perf-watchdog-');

/** The server: keep-alive, one small JSON answer on any path. */
const SERVER = `import { createServer } from 'node:http';
const body = ${JSON.stringify(BODY)};
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => process.stdout.write('listening on http://127.0.0.1:' + server.address().port + '\\n'));
`;
/** One user class, one GET, no think time: the generator's own ceiling. */
const SCENARIO = `import { constant, task, User } from 'fiml-perf';
export default class Price extends User {
  static override waitTime = constant(0);
  static override tasks = [task(1, 'price')];
  async price() {
    await this.client.get('/price', { name: 'price' });
  }
}
`;
const serverFile = join(work, 'server.mjs');
const scenario = join(work, 'price.ts');
writeFileSync(serverFile, SERVER);
writeFileSync(scenario, SCENARIO);

const [cmd, ...args] = pinned(1, [process.execPath, serverFile]);
const server: ChildProcess = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'inherit'] });
const host = await new Promise<string>((done) => {
  let out = '';
  server.stdout?.on('data', (d: Buffer) => {
    out += d;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) done(m[1] as string);
  });
});

interface Measured {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  readonly cpuPercent: number;
  readonly maxRssMb: number;
  readonly p99Ms: number;
  readonly saturated: boolean;
}

/** One `fiml-perf load -f` run of a build: its figures and its wall time in ms. */
function load(build: Build, workers: number, runSeconds: number) {
  const json = join(work, `${build}-w${workers}-${runSeconds}s.json`);
  const command = [
    process.execPath,
    join(builds[build], 'bin/fiml-perf.js'),
    'load',
    '-f',
    scenario,
    '--host',
    host,
    '-u',
    String(users),
    '-w',
    String(workers),
    '-t',
    `${runSeconds}s`,
    '-q',
    '--no-typecheck',
    '--json',
    json,
  ];
  const t0 = performance.now();
  const { cpuSeconds } = timed(command);
  const wallMs = performance.now() - t0;
  const r = JSON.parse(readFileSync(json, 'utf8'));
  const measured: Measured = {
    rps: r.totals.requests / r.durationS,
    cpuUsPerRequest: (cpuSeconds * 1e6) / r.totals.requests,
    cpuPercent: r.generator.cpuPercent.mean,
    maxRssMb: r.generator.maxRssMb,
    p99Ms: r.totals.latencyMs.p99,
    saturated: r.generator.saturated,
  };
  return { measured, wallMs, cpuSeconds };
}

/** The 1-minute load average: other work on the machine, for reading noisy rounds. */
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
const key = (build: Build, workers: number) => `${build} -w ${workers}`;
const runs = new Map<string, Measured[]>();
const starts = new Map<string, number[]>();
const startCpu = new Map<string, number[]>();
const push = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);

for (let round = 0; round < rounds; round++) {
  const order: Build[] = round % 2 ? ['after', 'before'] : ['before', 'after'];
  for (const workers of workerCounts) {
    for (const build of order) {
      const { measured: m } = load(build, workers, seconds);
      push(runs, key(build, workers), m);
      console.error(
        `round ${round + 1} ${key(build, workers)} (load ${loadavg()}): ${Math.round(m.rps)} req/s, ${m.cpuUsPerRequest.toFixed(1)} us CPU/request, CPU ${m.cpuPercent.toFixed(0)}%, max RSS ${m.maxRssMb.toFixed(0)} MB, p99 ${m.p99Ms} ms${m.saturated ? ', saturated' : ''}`,
      );
    }
    for (const build of order) {
      const { wallMs, cpuSeconds } = load(build, workers, 1);
      push(starts, key(build, workers), wallMs);
      push(startCpu, key(build, workers), cpuSeconds * 1000);
      console.error(
        `round ${round + 1} ${key(build, workers)} (load ${loadavg()}): -t 1s run ${wallMs.toFixed(0)} ms, ${(cpuSeconds * 1000).toFixed(0)} ms CPU`,
      );
    }
  }
}
server.kill();

/** Each figure's values per round, for a build and worker count. */
const of = (f: (m: Measured) => number) => (b: Build, w: number) =>
  (runs.get(key(b, w)) ?? []).map(f);
const rows: Array<[string, (b: Build, w: number) => number[], number]> = [
  ['req/s', of((m) => m.rps), 0],
  ['CPU us/request', of((m) => m.cpuUsPerRequest), 2],
  ['generator CPU % (mean)', of((m) => m.cpuPercent), 1],
  ['max RSS MB', of((m) => m.maxRssMb), 1],
  ['p99 ms', of((m) => m.p99Ms), 2],
  ['wall of a -t 1s run, ms', (b, w) => starts.get(key(b, w)) ?? [], 0],
  ['CPU of a -t 1s run, ms', (b, w) => startCpu.get(key(b, w)) ?? [], 0],
];
console.log(
  `\n${rounds} interleaved rounds x ${seconds}s, ${users} users, zero think time, bare node server on core 1, generator on core 0\nbefore ${builds.before}\nafter  ${builds.after}\n`,
);
// Ratio of the medians, and the median of each round's ratio (a round's two runs are neighbours
// in time, so drift in the machine's load cancels better there).
console.log(
  '| figure (median) | workers | before | after | after/before | median of round ratios |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, f, digits] of rows)
  for (const w of workerCounts) {
    const bs = f('before', w);
    const as = f('after', w);
    const b = median(bs);
    const a = median(as);
    const paired = median(as.map((x, i) => x / (bs[i] as number)));
    console.log(
      `| ${name} | ${w} | ${b.toFixed(digits)} | ${a.toFixed(digits)} | ${(a / b).toFixed(3)} | ${paired.toFixed(3)} |`,
    );
  }
