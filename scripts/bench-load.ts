/**
 * The load generator measured against its peers: fiml-perf quick mode, fiml-perf scenario mode
 * (one user class, one GET task, zero think time), autocannon, wrk and Locust's FastHttpUser
 * (the same scenario in Python) each hammer one nginx worker serving static JSON on loopback, in
 * interleaved rounds. nginx is pinned to core 1, the generator to core 0. Reports requests/s and
 * the generator's CPU time per request (user + system, from the shell's `times`), medians of the
 * rounds; --tools picks some of fiml-perf,scenario,scenario-shared (--shared-pool),autocannon,wrk,
 * locust.
 *
 *   node --import tsx scripts/bench-load.ts [--rounds 5] [--duration 10] [--connections 50]
 *   node --import tsx scripts/bench-load.ts --open 10000 --duration 60     open model accuracy
 *   node --import tsx scripts/bench-load.ts --soak 600                      RSS over a long run
 *   node --import tsx scripts/bench-load.ts --names 600 [--users 50]        per-id URLs, no name
 *
 * --names runs a scenario whose one task fetches /item/<random id of a million> three ways, one
 * after the other, each for the given seconds with zero think time (the highest rate one thread
 * reaches): with a fixed `name`, without one (named by its template, /item/:id), and without one
 * under --raw-names (every URL a name, so the cap of 1,000 names and '(other names)' take it).
 * It prints each one's requests/s, its RSS every minute, and the size of its result JSON.
 *
 * Needs nginx, and wrk and python3-locust for their rows (apt-get install nginx wrk
 * python3-locust), and a built dist (npm run build). Loopback only.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchKit, median } from './bench-kit.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    port: { type: 'string', default: '18090' },
    open: { type: 'string' },
    soak: { type: 'string' },
    tools: { type: 'string', default: 'fiml-perf,scenario,autocannon,wrk,locust' },
    names: { type: 'string' },
    users: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const port = Number(values.port);
const url = `http://127.0.0.1:${port}/price`;
const { work, pinned, startNginx, timed } = benchKit('fiml-perf-bench-');

interface Measured {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  readonly p99Ms: number;
  readonly extra?: Record<string, number | boolean>;
}

const node = process.execPath;
/** `fiml-perf load` in quick mode against the nginx URL, writing its result to `json`. */
const fimlPerf = (json: string, seconds: number, ...extra: string[]) => [
  node,
  'bin/fiml-perf.js',
  'load',
  url,
  ...extra,
  '-c',
  String(connections),
  '-d',
  `${seconds}s`,
  '-q',
  '--json',
  json,
];
/** `fiml-perf load` running a scenario file against nginx with `users` users. */
const fimlPerfScenario = (
  file: string,
  json: string,
  users: number,
  seconds: number,
  ...extra: string[]
) => [
  node,
  'bin/fiml-perf.js',
  'load',
  '-f',
  file,
  '--host',
  `http://127.0.0.1:${port}`,
  '-u',
  String(users),
  '-t',
  `${seconds}s`,
  '-q',
  '--json',
  json,
  ...extra,
];

/** The scenario both fiml-perf's scenario mode and Locust run: one GET, no think time. */
const SCENARIO = `import { task, User } from 'fiml-perf';
export default class Price extends User {
  static tasks = [task(1, 'price')];
  async price() {
    await this.client.get('/price', { name: 'price' });
  }
}
`;
const LOCUSTFILE = `from locust import task
from locust.contrib.fasthttp import FastHttpUser

class Price(FastHttpUser):
    @task
    def price(self):
        self.client.get("/price", name="price")
`;

/** A fiml-perf run's figures, from its result JSON and the CPU it used. */
function measuredRun(json: string, { cpuSeconds }: { cpuSeconds: number }): Measured {
  const r = JSON.parse(readFileSync(json, 'utf8'));
  return {
    rps: r.totals.requests / r.durationS,
    cpuUsPerRequest: (cpuSeconds * 1e6) / r.totals.requests,
    p99Ms: r.totals.latencyMs.p99,
  };
}

const tools: Record<string, () => Measured> = {
  scenario: () => {
    const file = join(work, 'price.mjs');
    writeFileSync(file, SCENARIO);
    const json = join(work, 'scenario.json');
    return measuredRun(json, timed(fimlPerfScenario(file, json, connections, duration)));
  },
  'scenario-shared': () => {
    const file = join(work, 'price.mjs');
    writeFileSync(file, SCENARIO);
    const json = join(work, 'scenario-shared.json');
    return measuredRun(
      json,
      timed(fimlPerfScenario(file, json, connections, duration, '--shared-pool')),
    );
  },
  locust: () => {
    const file = join(work, 'locustfile.py');
    writeFileSync(file, LOCUSTFILE);
    const prefix = join(work, 'locust');
    const { cpuSeconds } = timed([
      'locust',
      '-f',
      file,
      '--headless',
      '--only-summary',
      '-u',
      String(connections),
      '-r',
      String(connections),
      '-t',
      `${duration}s`,
      '--host',
      `http://127.0.0.1:${port}`,
      '--csv',
      prefix,
      '--loglevel',
      'WARNING',
    ]);
    const rows = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
    const header = (rows[0] as string).split(',');
    const total = (rows.at(-1) as string).split(',');
    const field = (name: string) => Number(total[header.indexOf(name)]);
    const requests = field('Request Count');
    return {
      rps: field('Requests/s'),
      cpuUsPerRequest: (cpuSeconds * 1e6) / requests,
      p99Ms: field('99%'),
    };
  },
  'fiml-perf': () => {
    const json = join(work, 'fp.json');
    return measuredRun(json, timed(fimlPerf(json, duration)));
  },
  autocannon: () => {
    const { out, cpuSeconds } = timed([
      node,
      'node_modules/autocannon/autocannon.js',
      '-c',
      String(connections),
      '-d',
      String(duration),
      '--json',
      url,
    ]);
    const r = JSON.parse(out);
    return {
      rps: r.requests.total / duration,
      cpuUsPerRequest: (cpuSeconds * 1e6) / r.requests.total,
      p99Ms: r.latency.p99,
    };
  },
  wrk: () => {
    const { out, cpuSeconds } = timed([
      'wrk',
      '-t1',
      `-c${connections}`,
      `-d${duration}s`,
      '--latency',
      url,
    ]);
    const total = Number(/(\d+) requests in/.exec(out)?.[1]);
    const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
    const p99Ms = p99
      ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 }[p99[2] as 'us'] ?? 1)
      : Number.NaN;
    return { rps: total / duration, cpuUsPerRequest: (cpuSeconds * 1e6) / total, p99Ms };
  },
};

async function throughput(): Promise<void> {
  const names = (values.tools as string).split(',');
  const results = new Map<string, Measured[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const m = (tools[name] as () => Measured)();
      results.get(name)!.push(m);
      console.error(
        `round ${round + 1} ${name}: ${Math.round(m.rps)} req/s, ${m.cpuUsPerRequest.toFixed(1)} us CPU/request, p99 ${m.p99Ms} ms`,
      );
    }
  }
  const autocannon = median(results.get('autocannon')?.map((m) => m.rps) ?? [Number.NaN]);
  const locust = median(results.get('locust')?.map((m) => m.rps) ?? [Number.NaN]);
  console.log(
    `\n${rounds} rounds x ${duration}s, ${connections} connections, nginx 1 worker on core 1, generator on core 0\n`,
  );
  console.log(
    '| generator | req/s (median) | vs autocannon | vs Locust | CPU us/request (median) | p99 ms (median) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, ms] of results) {
    const rps = median(ms.map((m) => m.rps));
    console.log(
      `| ${name} | ${Math.round(rps)} | ${(rps / autocannon).toFixed(2)}x | ${(rps / locust).toFixed(2)}x | ${median(ms.map((m) => m.cpuUsPerRequest)).toFixed(1)} | ${median(ms.map((m) => m.p99Ms))} |`,
    );
  }
}

function openModel(rate: number): void {
  const json = join(work, 'open.json');
  timed(fimlPerf(json, duration, '--rate', String(rate)));
  const r = JSON.parse(readFileSync(json, 'utf8'));
  const achieved = r.totals.requests / duration;
  console.log(`open model ${rate}/s for ${duration}s, up to ${connections} connections:`);
  console.log(
    `  requests ${r.totals.requests}, achieved ${achieved.toFixed(1)}/s (${(((achieved - rate) / rate) * 100).toFixed(3)}% off target)`,
  );
  console.log(
    `  schedule lag ms: ${JSON.stringify(r.generator.scheduleLagMs)}, dropped ${r.generator.dropped}`,
  );
  console.log(
    `  latency ms: ${JSON.stringify(r.totals.latencyMs)}, CPU ${JSON.stringify(r.generator.cpuPercent)}%`,
  );
}

async function soak(seconds: number): Promise<void> {
  const json = join(work, 'soak.json');
  const [cmd, ...args] = pinned(0, fimlPerf(json, seconds));
  const child = spawn(cmd as string, args, { stdio: 'inherit' });
  const marks = [60, 300, 600, 1800, 3600].filter((s) => s <= seconds);
  const started = Date.now();
  for (const mark of marks) {
    await new Promise((r) => setTimeout(r, started + mark * 1000 - 2000 - Date.now()));
    console.log(`RSS at ${mark / 60} min: ${rssMb(child.pid as number)} MB`);
  }
  await new Promise((r) => child.on('exit', r));
  const r = JSON.parse(readFileSync(json, 'utf8'));
  console.log(
    `${r.totals.requests} requests, ${Math.round(r.totals.requests / r.durationS)} req/s, max RSS ${r.generator.maxRssMb} MB`,
  );
}

/** RSS of a process in MB, from /proc (taskset execs node in place, so its pid is the generator's). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024);
}

async function names(seconds: number): Promise<void> {
  const task = (options: string) => `import { task, User } from 'fiml-perf';
export default class PerId extends User {
  static tasks = [task(1, 'get')];
  async get() {
    await this.client.get('/item/' + this.random.int(1, 1000000)${options});
  }
}
`;
  const variants = [
    { label: "fixed name ('item')", source: task(", { name: 'item' }"), flags: [] as string[] },
    { label: 'no name (template /item/:id)', source: task(''), flags: [] },
    { label: 'no name, --raw-names (cap 1,000)', source: task(''), flags: ['--raw-names'] },
  ];
  const rows: string[] = [];
  for (const [i, variant] of variants.entries()) {
    const file = join(work, `per-id-${i}.mjs`);
    const json = join(work, `names-${i}.json`);
    writeFileSync(file, variant.source);
    const command = fimlPerfScenario(file, json, Number(values.users), seconds, ...variant.flags);
    const [cmd, ...args] = pinned(0, command);
    const child = spawn(cmd as string, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const marks: number[] = [];
    const sampler = setInterval(() => marks.push(rssMb(child.pid as number)), 60_000);
    await new Promise((r) => child.on('exit', r));
    clearInterval(sampler);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    const line = `| ${variant.label} | ${Math.round(r.totals.requests / r.durationS)} | ${r.endpoints.length} | ${marks.join(' / ')} | ${r.generator.maxRssMb} | ${(statSync(json).size / 1e6).toFixed(2)} |`;
    console.error(line);
    rows.push(line);
  }
  console.log(
    `\nPer-id URLs, ${values.users} users, zero think time, ${seconds}s each; nginx 1 worker on core 1, generator on core 0\n`,
  );
  console.log(
    '| scenario | req/s | names recorded | RSS MB each minute | max RSS MB | result JSON MB |',
  );
  console.log('| --- | ---: | ---: | --- | ---: | ---: |');
  for (const row of rows) console.log(row);
}

const nginx = startNginx(`listen 127.0.0.1:${port};`);
try {
  await new Promise((r) => setTimeout(r, 500));
  if (values.open) openModel(Number(values.open));
  else if (values.soak) await soak(Number(values.soak));
  else if (values.names) await names(Number(values.names));
  else await throughput();
} finally {
  nginx.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(work, { recursive: true, force: true });
}
