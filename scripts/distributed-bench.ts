/**
 * Distributed mode measured against one machine: fiml-perf load alone, then a coordinator with 2
 * and with 4 agents (fiml-perf agent), all on this machine, coordinated through a private
 * redis-server, loading one nginx worker that answers 'ok' on loopback. Each setup runs an open
 * model (--rate R --max-users 200) and a closed model (-c 50), T seconds each, in interleaved
 * repetitions (setups alternate within a repetition). Per run it records the requests and
 * requests/s, whether the open model made exactly R x T requests, the coordinator's CPU (the
 * generator's, in a single run), each agent's CPU, what each agent sent the coordinator through
 * Redis (the result's bytesPerSecond and messages), Redis' own count of bytes received
 * (INFO stats total_net_input_bytes, before and after the run, per instance per second), the
 * largest start skew and the reconciliation of every agent. It then times the coordinator's merge
 * of one agent's delta (StatsRecorder.merge of a DeltaRecorder's take(), through JSON as it
 * travels) for 1 and 10 endpoints, and prints Markdown tables of medians.
 *
 *   node --import tsx scripts/distributed-bench.ts [--reps 3] [--duration 10] [--rate 2000]
 *     [--connections 50] [--max-users 200] [--setups 1,2,4] [--merge-iterations 20000]
 *     [--skip-runs] [--keep]
 *
 * Needs nginx (installed with apt-get when missing), redis-server and redis-cli, and a built dist
 * (npm run build). Loopback only; processes are not pinned (agents, coordinator, nginx and Redis
 * share the machine's cores, as they would on one host).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createHistogram,
  DeltaRecorder,
  decodeHistogram,
  type Phases,
  StatsRecorder,
} from '../src/stats/index.js';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '50' },
    'max-users': { type: 'string', default: '200' },
    setups: { type: 'string', default: '1,2,4' },
    'merge-iterations': { type: 'string', default: '20000' },
    'skip-runs': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);
const duration = Number(values.duration);
const rate = Number(values.rate);
const connections = Number(values.connections);
const maxUsers = Number(values['max-users']);
const setups = (values.setups as string).split(',').map(Number);
const mergeIterations = Number(values['merge-iterations']);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'fiml-perf.js');
const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-dist-'));
const children = new Set<ChildProcess>();

// ---------------------------------------------------------------------------------------------
// Processes and cleanup

function cleanup(): void {
  for (const child of children) if (child.exitCode === null && child.pid) child.kill('SIGTERM');
  children.clear();
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });

/** A free TCP port on loopback (closed again at once). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a long-lived helper (nginx, redis-server), its output to a log in the work folder. */
function startDaemon(name: string, cmd: string, args: string[]): ChildProcess {
  const log = openSync(join(work, `${name}.log`), 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  children.add(child);
  child.on('exit', (code, signal) => {
    if (children.has(child)) {
      console.error(
        `${name} exited early (code ${code}, signal ${signal}); see ${work}/${name}.log`,
      );
      children.delete(child);
    }
  });
  return child;
}

/** Runs a command to its end, stdout and stderr to `log`; resolves with its exit code. */
function run(cmd: string, args: string[], log: string, timeoutMs: number): Promise<number> {
  return new Promise((resolveCode) => {
    const fd = openSync(log, 'w');
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    children.add(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolveCode(code ?? (signal ? 128 : 1));
    });
  });
}

function ensureNginx(): void {
  const found = spawnSync('bash', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  if (found.status === 0) return;
  console.error('nginx not found: apt-get install -y nginx');
  execFileSync('apt-get', ['install', '-y', 'nginx'], { stdio: 'inherit' });
}

async function startNginx(): Promise<number> {
  ensureNginx();
  const port = await freePort();
  const conf = join(work, 'nginx.conf');
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
${asRoot ? 'user root;\n' : ''}pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${work}/client_body;
  proxy_temp_path ${work}/proxy;
  fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi;
  scgi_temp_path ${work}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / { default_type text/plain; return 200 'ok'; }
  }
}
`,
  );
  startDaemon('nginx', 'nginx', ['-p', work, '-e', join(work, 'nginx-error.log'), '-c', conf]);
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(url);
      if (response.status === 200 && (await response.text()) === 'ok') return port;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`nginx did not answer at ${url}; see ${work}/nginx-error.log`);
}

function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function startRedis(): Promise<number> {
  const port = await freePort();
  startDaemon('redis', 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    work,
  ]);
  for (let i = 0; i < 100; i++) {
    try {
      if (redisCli(port, 'ping').trim() === 'PONG') return port;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`redis-server did not answer on ${port}; see ${work}/redis.log`);
}

/** Redis' INFO stats counters of bytes received and sent over the network. */
function redisNetBytes(port: number): { input: number; output: number } {
  const info = redisCli(port, 'info', 'stats');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { input: field('total_net_input_bytes'), output: field('total_net_output_bytes') };
}

// ---------------------------------------------------------------------------------------------
// The runs

type Model = 'open' | 'closed';

interface RunJson {
  durationS: number;
  totals: { requests: number; failures: number };
  generator: { cpuPercent: { mean: number; max: number }; dropped: number; saturated: boolean };
  distributed?: { problems: string[]; failure: string | null; lost: number[] };
  instances?: Array<{
    index: number;
    requests: number;
    failures: number;
    cpuPercent: { mean: number; max: number };
    startSkewMs: number | null;
    bytesPerSecond: number;
    messages: number;
    reconciliation: { ok: boolean; missingTicks: number };
    lost: boolean;
  }>;
}

interface Measured {
  readonly setup: number;
  readonly model: Model;
  readonly rep: number;
  readonly ok: boolean;
  readonly exitCodes: number[];
  readonly requests: number;
  readonly failures: number;
  readonly durationS: number;
  readonly rps: number;
  readonly exact: boolean | null;
  readonly dropped: number;
  /** generator.cpuPercent.mean: the coordinator process in a distributed run, the whole load in a single one. */
  readonly coordinatorCpu: number;
  readonly coordinatorCpuMax: number;
  readonly agentCpu: number[];
  readonly agentCpuMax: number[];
  readonly agentRequests: number[];
  readonly bytesPerSecond: number[];
  readonly messages: number[];
  readonly maxSkewMs: number | null;
  readonly reconciled: boolean | null;
  readonly problems: string[];
  /** Redis INFO total_net_input_bytes over the run, per instance per second of durationS. */
  readonly redisInPerInstanceS: number | null;
  readonly redisOutPerS: number | null;
}

function loadArgs(model: Model, target: string, json: string): string[] {
  const common = [bin, 'load', target];
  const shape =
    model === 'open'
      ? ['--rate', String(rate), '--max-users', String(maxUsers)]
      : ['-c', String(connections)];
  return [...common, ...shape, '-d', `${duration}s`, '-q', '--json', json];
}

/** The command line of one run, as printed. */
function commandLines(setup: number, model: Model, target: string, redisUrl: string): string[] {
  const base = loadArgs(model, target, 'out.json').slice(1);
  if (setup === 1) return [`node bin/fiml-perf.js ${base.join(' ')}`];
  return [
    `node bin/fiml-perf.js ${base.join(' ')} --coordinator ${redisUrl} --instances ${setup} --run ID`,
    `node bin/fiml-perf.js agent ${redisUrl} --run ID --index I   (I = 0..${setup - 1})`,
  ];
}

async function measure(
  setup: number,
  model: Model,
  rep: number,
  target: string,
  redisPort: number,
): Promise<Measured> {
  const tag = `${model}-${setup}-${rep}`;
  const json = join(work, `${tag}.json`);
  const timeoutMs = (duration + 90) * 1000;
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  let exitCodes: number[];
  let before: { input: number; output: number } | undefined;
  let after: { input: number; output: number } | undefined;
  if (setup === 1) {
    exitCodes = [
      await run(node, loadArgs(model, target, json), join(work, `${tag}.log`), timeoutMs),
    ];
  } else {
    const runId = `bench-${tag}-${randomBytes(3).toString('hex')}`;
    before = redisNetBytes(redisPort);
    const coordinator = run(
      node,
      [
        ...loadArgs(model, target, json),
        '--coordinator',
        redisUrl,
        '--instances',
        String(setup),
        '--run',
        runId,
      ],
      join(work, `${tag}-coordinator.log`),
      timeoutMs,
    );
    const agents = Array.from({ length: setup }, (_, index) =>
      run(
        node,
        [bin, 'agent', redisUrl, '--run', runId, '--index', String(index), '--wait', '60s'],
        join(work, `${tag}-agent${index}.log`),
        timeoutMs,
      ),
    );
    exitCodes = await Promise.all([coordinator, ...agents]);
    after = redisNetBytes(redisPort);
  }
  const problems: string[] = [];
  exitCodes.forEach((code, i) => {
    if (code !== 0) {
      const who = setup === 1 ? 'load' : i === 0 ? 'coordinator' : `agent ${i - 1}`;
      const log =
        setup === 1
          ? `${tag}.log`
          : i === 0
            ? `${tag}-coordinator.log`
            : `${tag}-agent${i - 1}.log`;
      const tail = readFileSync(join(work, log), 'utf8').trim().split('\n').slice(-3).join(' | ');
      problems.push(`${who} exited ${code}: ${tail}`);
    }
  });
  if (!existsSync(json)) {
    problems.push('no result JSON');
    return {
      setup,
      model,
      rep,
      ok: false,
      exitCodes,
      requests: Number.NaN,
      failures: Number.NaN,
      durationS: Number.NaN,
      rps: Number.NaN,
      exact: null,
      dropped: Number.NaN,
      coordinatorCpu: Number.NaN,
      coordinatorCpuMax: Number.NaN,
      agentCpu: [],
      agentCpuMax: [],
      agentRequests: [],
      bytesPerSecond: [],
      messages: [],
      maxSkewMs: null,
      reconciled: null,
      problems,
      redisInPerInstanceS: null,
      redisOutPerS: null,
    };
  }
  const result = JSON.parse(readFileSync(json, 'utf8')) as RunJson;
  const instances = result.instances ?? [];
  const requests = result.totals.requests;
  const durationS = result.durationS;
  const expected = rate * duration;
  if (result.distributed?.problems.length) problems.push(...result.distributed.problems);
  if (result.distributed?.failure) problems.push(`failure: ${result.distributed.failure}`);
  if (instances.length > 0) {
    const sum = instances.reduce((a, i) => a + i.requests, 0);
    if (sum !== requests) problems.push(`instances add up to ${sum}, totals.requests ${requests}`);
  }
  const skews = instances.map((i) => i.startSkewMs).filter((s): s is number => s !== null);
  if (setup > 1 && skews.length !== setup) problems.push(`startSkewMs null for some instance`);
  return {
    setup,
    model,
    rep,
    ok: exitCodes.every((c) => c === 0),
    exitCodes,
    requests,
    failures: result.totals.failures,
    durationS,
    rps: requests / durationS,
    exact: model === 'open' ? requests === expected : null,
    dropped: result.generator.dropped,
    coordinatorCpu: result.generator.cpuPercent.mean,
    coordinatorCpuMax: result.generator.cpuPercent.max,
    agentCpu: instances.map((i) => i.cpuPercent.mean),
    agentCpuMax: instances.map((i) => i.cpuPercent.max),
    agentRequests: instances.map((i) => i.requests),
    bytesPerSecond: instances.map((i) => i.bytesPerSecond),
    messages: instances.map((i) => i.messages),
    maxSkewMs: skews.length ? Math.max(...skews.map(Math.abs)) : null,
    reconciled: instances.length ? instances.every((i) => i.reconciliation.ok) : null,
    problems,
    redisInPerInstanceS: before && after ? (after.input - before.input) / durationS / setup : null,
    redisOutPerS: before && after ? (after.output - before.output) / durationS : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The coordinator's merge of one agent's delta

/** A small seeded PRNG (mulberry32), so the deltas are the same every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface MergeCost {
  readonly endpoints: number;
  readonly requests: number;
  readonly form: string;
  readonly deltaBytes: number;
  readonly tickMessageBytes: number;
  readonly parseUs: number;
  readonly histograms: number;
  readonly decodeUs: number;
  /** Adding one endpoint's 3-digit latency histogram into a 2-digit one, as merge does into the second's record. */
  readonly coarseAddUs: number;
  readonly mergeNoPhasesUs: number;
  readonly mergeUs: number;
  readonly mergeUsP90: number;
}

/**
 * One second of an agent: `requests` requests over `endpoints` names recorded into a DeltaRecorder
 * as quick mode records them (latency in microseconds, body bytes, no failure, phases), then
 * take(), through JSON, and merged into a StatsRecorder `iterations` times (a tick, untimed, after
 * every 4 merges, as the coordinator ticks once a second over 4 agents).
 */
function mergeCost(endpoints: number, requests: number, iterations: number): MergeCost {
  const random = prng(42 + endpoints);
  const delta = new DeltaRecorder();
  for (let i = 0; i < requests; i++) {
    // Around 1 ms on loopback, a long tail; the parts add up to the latency.
    const micros = Math.round(
      300 + 700 * -Math.log(1 - random()) + (random() < 0.01 ? 20_000 * random() : 0),
    );
    const blocked = Math.round(micros * 0.05);
    const receive = Math.round(micros * 0.02);
    const phases: Phases = {
      blocked,
      client: 0,
      connect: 0,
      tls: 0,
      ttfb: micros - blocked - receive,
      receive,
      newConnections: 0,
    };
    delta.record('GET', `/endpoint/${i % endpoints}`, micros, 2, undefined, phases);
  }
  const taken = delta.take();
  const json = JSON.stringify(taken);
  const tick = JSON.stringify({
    type: 'tick',
    index: 0,
    seq: 1,
    delta: taken,
    users: 50,
    cpuPercent: 50,
  });
  const forms = new Set(taken.endpoints.map((e) => (e.samples ? 'samples' : 'histogram')));
  // JSON.parse of the message, as the coordinator decodes each stream entry.
  const parseRounds = Math.max(200, Math.floor(iterations / 10));
  let parsed = JSON.parse(json) as typeof taken;
  const parseStart = process.hrtime.bigint();
  for (let i = 0; i < parseRounds; i++) parsed = JSON.parse(json) as typeof taken;
  const parseUs = Number(process.hrtime.bigint() - parseStart) / 1000 / parseRounds;

  // Of which: decoding the delta's histograms (latency 3 digits, phases 2), as merge does.
  const encoded: Array<[string, 2 | 3]> = [];
  for (const e of parsed.endpoints) {
    if (e.histogram) encoded.push([e.histogram, 3]);
    if (e.phases)
      for (const part of [
        e.phases.blocked,
        e.phases.connect,
        e.phases.tls,
        e.phases.ttfb,
        e.phases.receive,
      ])
        if (part.histogram) encoded.push([part.histogram, 2]);
  }
  const decodeRounds = Math.max(100, Math.floor(iterations / 20));
  for (let i = 0; i < 100; i++) for (const [text, digits] of encoded) decodeHistogram(text, digits);
  const decodeStart = process.hrtime.bigint();
  for (let i = 0; i < decodeRounds; i++)
    for (const [text, digits] of encoded) decodeHistogram(text, digits);
  const decodeUs = Number(process.hrtime.bigint() - decodeStart) / 1000 / decodeRounds;

  // Of which: a 3-digit histogram added into a 2-digit one (the second's record), per endpoint.
  const first = parsed.endpoints[0];
  let coarseAddUs = Number.NaN;
  if (first?.histogram) {
    const latency = decodeHistogram(first.histogram);
    const coarse = createHistogram(2);
    for (let i = 0; i < 100; i++) coarse.add(latency);
    const addStart = process.hrtime.bigint();
    for (let i = 0; i < decodeRounds; i++) coarse.add(latency);
    coarseAddUs = Number(process.hrtime.bigint() - addStart) / 1000 / decodeRounds;
  }
  // The same merge without the phases (they are decoded twice: the endpoint's and the run's).
  const bare = { ...parsed, endpoints: parsed.endpoints.map(({ phases: _, ...e }) => e) };
  const bareRecorder = new StatsRecorder(Date.now());
  for (let i = 0; i < 200; i++) bareRecorder.merge(bare);
  const bareRounds = Math.max(400, Math.floor(iterations / 4));
  let bareTotal = 0n;
  for (let i = 0; i < bareRounds; i++) {
    const start = process.hrtime.bigint();
    bareRecorder.merge(bare);
    bareTotal += process.hrtime.bigint() - start;
    if (i % 4 === 3) bareRecorder.tick(Date.now(), 50);
  }
  const mergeNoPhasesUs = Number(bareTotal) / 1000 / bareRounds;

  const recorder = new StatsRecorder(Date.now());
  const warmup = Math.min(2000, iterations);
  for (let i = 0; i < warmup; i++) {
    recorder.merge(parsed);
    if (i % 4 === 3) recorder.tick(Date.now(), 50);
  }
  const batches: number[] = [];
  let total = 0n;
  for (let i = 0; i < iterations; i += 4) {
    const start = process.hrtime.bigint();
    recorder.merge(parsed);
    recorder.merge(parsed);
    recorder.merge(parsed);
    recorder.merge(parsed);
    const took = process.hrtime.bigint() - start;
    total += took;
    batches.push(Number(took) / 4000);
    recorder.tick(Date.now(), 50);
  }
  batches.sort((a, b) => a - b);
  const merged = Math.ceil(iterations / 4) * 4;
  if (recorder.requests !== (merged + warmup) * requests)
    throw new Error(`merge lost requests: ${recorder.requests}`);
  return {
    endpoints,
    requests,
    form: [...forms].join('+'),
    deltaBytes: Buffer.byteLength(json),
    tickMessageBytes: Buffer.byteLength(tick),
    parseUs,
    histograms: encoded.length,
    decodeUs,
    coarseAddUs,
    mergeNoPhasesUs,
    mergeUs: Number(total) / 1000 / merged,
    mergeUsP90: batches[Math.floor(batches.length * 0.9)] ?? Number.NaN,
  };
}

// ---------------------------------------------------------------------------------------------
// Tables

const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const fmt = (x: number | null, digits = 0) =>
  x === null || !Number.isFinite(x)
    ? '–'
    : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const list = (xs: number[], digits = 0) =>
  xs.length ? xs.map((x) => fmt(x, digits)).join(' / ') : '–';

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function setupName(setup: number): string {
  return setup === 1 ? '1 instance (plain load)' : `${setup} agents + coordinator`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist'))) throw new Error('no dist: run npm run build');
  const facts = {
    nproc: cpus().length,
    node: process.version,
    nginx: spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim(),
    redis: execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim(),
    cpu: cpus()[0]?.model ?? '?',
  };
  const results: Measured[] = [];
  let nginxPort = 0;
  let redisPort = 0;
  if (!values['skip-runs']) {
    nginxPort = await startNginx();
    redisPort = await startRedis();
    const target = `http://127.0.0.1:${nginxPort}/`;
    const total = reps * 2 * setups.length;
    let n = 0;
    for (let rep = 1; rep <= reps; rep++) {
      // Setups alternate within each repetition, starting one further each time.
      const order = setups.map((_, i) => setups[(i + rep - 1) % setups.length] as number);
      for (const model of ['open', 'closed'] as const)
        for (const setup of order) {
          n++;
          const m = await measure(setup, model, rep, target, redisPort);
          results.push(m);
          console.error(
            `[${n}/${total}] ${model} ${setup} rep ${rep}: ${fmt(m.requests)} requests, ${fmt(m.rps)} req/s, coordinator/generator CPU ${fmt(m.coordinatorCpu)}%, agents CPU ${list(m.agentCpu)}%, exits ${m.exitCodes.join(',')}${m.problems.length ? `; ${m.problems.join('; ')}` : ''}`,
          );
          await sleep(1000);
        }
    }
  }
  const merges = [
    mergeCost(1, 2000, mergeIterations),
    mergeCost(10, 2000, Math.max(400, Math.floor(mergeIterations / 4))),
  ];

  const out: string[] = [];
  out.push('# fiml-perf distributed mode on one machine');
  out.push('');
  out.push(
    `Machine: nproc ${facts.nproc} (${facts.cpu}), node ${facts.node}, ${facts.nginx}, ${facts.redis.split(' ').slice(0, 3).join(' ')}. Everything on 127.0.0.1, nothing pinned.`,
  );
  if (results.length > 0) {
    const target = `http://127.0.0.1:${nginxPort}/`;
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    out.push('');
    out.push(
      `Runs: ${reps} repetitions, setups alternating; ${duration} s each; open model --rate ${rate} --max-users ${maxUsers} (expects ${fmt(rate * duration)} requests), closed model -c ${connections}. Medians of the repetitions.`,
    );
    out.push('');
    const rows: string[][] = [];
    for (const model of ['open', 'closed'] as const)
      for (const setup of setups) {
        const ms = results.filter((m) => m.setup === setup && m.model === model);
        if (ms.length === 0) continue;
        const dist = setup > 1;
        rows.push([
          model,
          setupName(setup),
          fmt(median(ms.map((m) => m.requests))),
          fmt(median(ms.map((m) => m.durationS)), 2),
          fmt(median(ms.map((m) => m.rps))),
          model === 'open' ? `${ms.filter((m) => m.exact).length}/${ms.length}` : 'n/a',
          fmt(median(ms.map((m) => m.coordinatorCpu))),
          dist ? fmt(median(ms.map((m) => mean(m.agentCpu)))) : 'n/a',
          dist ? fmt(median(ms.map((m) => Math.max(...m.agentCpuMax)))) : 'n/a',
          dist ? fmt(median(ms.map((m) => mean(m.bytesPerSecond)))) : 'n/a',
          dist ? fmt(median(ms.map((m) => mean(m.messages)))) : 'n/a',
          dist ? fmt(median(ms.map((m) => m.redisInPerInstanceS ?? Number.NaN))) : 'n/a',
          dist ? fmt(median(ms.map((m) => m.maxSkewMs ?? Number.NaN)), 1) : 'n/a',
          dist ? `${ms.filter((m) => m.reconciled).length}/${ms.length}` : 'n/a',
          `${ms.filter((m) => m.ok).length}/${ms.length}`,
          fmt(median(ms.map((m) => m.failures))),
        ]);
      }
    out.push(
      table(
        [
          'model',
          'setup',
          'requests',
          'durationS',
          'req/s',
          `= ${fmt(rate * duration)}`,
          'coordinator CPU % (generator)',
          'agent CPU % (mean)',
          'agent CPU % (max)',
          'Redis B/s per agent (result)',
          'messages per agent',
          'Redis INFO in B/s per agent',
          'max abs skew ms',
          'reconciled',
          'exit 0',
          'failures',
        ],
        rows,
      ),
    );
    out.push('');
    out.push('Every run:');
    out.push('');
    out.push(
      table(
        [
          'rep',
          'model',
          'setup',
          'requests',
          'per agent',
          'durationS',
          'req/s',
          'dropped',
          'coord CPU %',
          'agent CPU % mean',
          'agent CPU % max',
          'B/s per agent',
          'messages',
          'INFO in B/s/agent',
          'INFO out B/s',
          'max abs skew ms',
          'reconciled',
          'exits',
          'problems',
        ],
        results.map((m) => [
          String(m.rep),
          m.model,
          String(m.setup),
          fmt(m.requests),
          list(m.agentRequests),
          fmt(m.durationS, 2),
          fmt(m.rps),
          fmt(m.dropped),
          fmt(m.coordinatorCpu),
          list(m.agentCpu),
          list(m.agentCpuMax),
          list(m.bytesPerSecond),
          list(m.messages),
          fmt(m.redisInPerInstanceS),
          fmt(m.redisOutPerS),
          fmt(m.maxSkewMs, 1),
          m.reconciled === null ? 'n/a' : String(m.reconciled),
          m.exitCodes.join(','),
          m.problems.join('; ').replaceAll('|', '/') || '–',
        ]),
      ),
    );
    out.push('');
    out.push('Commands (PORTs as in this run, ID unique per run):');
    out.push('');
    out.push('```');
    for (const model of ['open', 'closed'] as const)
      for (const setup of setups) out.push(...commandLines(setup, model, target, redisUrl));
    out.push(
      `redis-server --port ${redisPort} --bind 127.0.0.1 --save '' --appendonly no; redis-cli -p ${redisPort} info stats (total_net_input_bytes before/after each distributed run)`,
    );
    out.push('```');
  }
  out.push('');
  out.push(
    `Coordinator merge of one agent delta (one second of 2,000 requests with phases; StatsRecorder.merge of a DeltaRecorder take() after JSON.stringify/parse; ${fmt(mergeIterations)} merges for 1 endpoint, ${fmt(Math.max(400, Math.floor(mergeIterations / 4)))} for 10, a tick after every 4):`,
  );
  out.push('');
  out.push(
    table(
      [
        'endpoints',
        'latencies sent as',
        'delta JSON bytes',
        'tick message bytes',
        'JSON.parse µs',
        'merge µs (mean)',
        'of which decodeHistogram µs, each once (histograms)',
        "3→2-digit add µs (one endpoint's latency)",
        'merge µs without phases',
        'merge µs (p90 of 4-merge batches)',
      ],
      merges.map((c) => [
        String(c.endpoints),
        c.form,
        fmt(c.deltaBytes),
        fmt(c.tickMessageBytes),
        fmt(c.parseUs, 1),
        fmt(c.mergeUs, 1),
        `${fmt(c.decodeUs, 1)} (${c.histograms})`,
        fmt(c.coarseAddUs, 1),
        fmt(c.mergeNoPhasesUs, 1),
        fmt(c.mergeUsP90, 1),
      ]),
    ),
  );
  out.push('');
  out.push('```');
  out.push(
    `node --import tsx scripts/distributed-bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
  );
  out.push('```');
  console.log(out.join('\n'));
  if (values.keep) console.error(`kept ${work}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
