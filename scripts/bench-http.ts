/**
 * HTTP benchmark of one FIML process: cached get_price with monitoring on, with monitoring off,
 * and a bare fastify route returning the same JSON, in interleaved rounds (A B C, B C A, ...)
 * so drift on a noisy machine hits all three alike. The load generator (wrk, else autocannon)
 * and the server are pinned to different cores when taskset exists. Loopback only.
 *
 *   npm run bench:http -- [--rounds 3] [--duration 10] [--connections 50] [--tool wrk|autocannon]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    tool: { type: 'string' },
    port: { type: 'string', default: '18080' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const port = Number(values.port);

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const tool = values.tool ?? (has('wrk') ? 'wrk' : 'autocannon');
const pin = has('taskset') && cpus().length >= 2;
const pinned = (core: number, cmd: string, args: string[]): [string, string[]] =>
  pin ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];

interface Target {
  readonly name: string;
  readonly args: (body: string) => string[];
}

const node = process.execPath;
const targets: Target[] = [
  {
    name: 'FIML, monitoring on',
    args: () => ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port)],
  },
  {
    name: 'FIML, monitoring off',
    args: () => [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'serve',
      '--port',
      String(port),
      '--no-monitoring',
    ],
  },
  {
    name: 'bare fastify, same JSON',
    args: (body) => ['--import', 'tsx', 'scripts/bare-server.ts', String(port), body],
  },
];

async function startServer(target: Target, body: string): Promise<ChildProcess> {
  const [cmd, args] = pinned(1, node, target.args(body));
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  while (!out.includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`${target.name} exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}

const url = `http://127.0.0.1:${port}/mcp/tools/get_price?symbol=AAPL`;

function toMs(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) throw new Error(`cannot read latency ${text}`);
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

interface Measure {
  rps: number;
  p99: number;
}

function load(): Measure {
  if (tool === 'wrk') {
    const [cmd, args] = pinned(0, 'wrk', [
      '-t1',
      `-c${connections}`,
      `-d${duration}s`,
      '--latency',
      url,
    ]);
    const out = execFileSync(cmd, args, { encoding: 'utf8' });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
    return { rps, p99 };
  }
  const [cmd, args] = pinned(0, node, [
    'node_modules/autocannon/autocannon.js',
    '-c',
    String(connections),
    '-d',
    String(duration),
    '--json',
    url,
  ]);
  const out = JSON.parse(
    execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  return { rps: out.requests.average, p99: out.latency.p99 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// The bare route returns exactly what FIML answers for the cached symbol.
const probe = await startServer(targets[0]!, '{}');
const body = await (await fetch(url)).text();
await stop(probe);

console.error(
  `tool ${tool}, ${connections} connections, ${duration}s x ${rounds} rounds, pinned: ${pin}`,
);
const results = new Map<string, Measure[]>(targets.map((t) => [t.name, []]));
for (let round = 0; round < rounds; round++) {
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
  for (const target of order) {
    const server = await startServer(target, body);
    load(); // warm-up: JIT, connection pools, caches
    const m = load();
    await stop(server);
    results.get(target.name)!.push(m);
    console.error(
      `round ${round + 1}  ${target.name.padEnd(24)} ${m.rps.toFixed(0).padStart(7)} req/s  p99 ${m.p99.toFixed(2)} ms`,
    );
  }
}

const med = (name: string) => ({
  rps: median(results.get(name)!.map((m) => m.rps)),
  p99: median(results.get(name)!.map((m) => m.p99)),
});
const on = med(targets[0]!.name);
const off = med(targets[1]!.name);
const bare = med(targets[2]!.name);
console.log(`| target | req/s (median of ${rounds}) | p99 ms (median) |`);
console.log('| --- | ---: | ---: |');
for (const t of targets) {
  const m = med(t.name);
  console.log(`| ${t.name} | ${m.rps.toFixed(0)} | ${m.p99.toFixed(2)} |`);
}
console.log('');
console.log(
  `FIML (monitoring on) / bare fastify: ${((on.rps / bare.rps) * 100).toFixed(1)}% of the requests/s`,
);
console.log(`monitoring cost: ${((1 - on.rps / off.rps) * 100).toFixed(1)}% of the requests/s`);
