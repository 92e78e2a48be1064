/**
 * Quick mode over HTTP/2 against h2load: fiml-perf (`load URL --http2 -c C -p M`), h2load
 * (`-c C -m M`, nghttp2's own client, in C) and a bare node:http2 loop (the same sessions and
 * streams, nothing recorded: the floor fiml-perf builds on) each hammer one nginx worker serving
 * static JSON over h2c (prior knowledge) on loopback, in interleaved rounds. nginx is pinned to
 * core 1, the generator to core 0. Reports requests/s, latency p50/p99 and the generator's CPU
 * time per request (user + system, from the shell's `times`), medians of the rounds, and each
 * one's ratio to h2load.
 *
 *   node --import tsx scripts/bench-h2.ts [--rounds 5] [--duration 8] [--connections 10]
 *        [--streams 1,10] [--tools fiml-perf,h2load,node-http2]
 *
 * h2load has no percentiles of its own; they come from its --log-file (a line per request).
 * Needs nginx and h2load (apt-get install nginx nghttp2-client) and a built dist (npm run
 * build). Loopback only.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchKit, median } from './bench-kit.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    streams: { type: 'string', default: '1,10' },
    port: { type: 'string', default: '18095' },
    tools: { type: 'string', default: 'fiml-perf,h2load,node-http2' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const port = Number(values.port);
const url = `http://127.0.0.1:${port}/price`;
const { work, startNginx, timed } = benchKit('fiml-perf-bench-h2-');

/** nginx's h2c listener: `http2 on;` from 1.25.1, the `http2` listen parameter before. */
function listenDirective(): string {
  const { stderr } = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  const [major = 0, minor = 0, patch = 0] = (/nginx\/(\d+)\.(\d+)\.(\d+)/.exec(stderr) ?? [])
    .slice(1)
    .map(Number);
  const modern = major > 1 || (major === 1 && (minor > 25 || (minor === 25 && patch >= 1)));
  return modern ? `listen 127.0.0.1:${port};\n    http2 on;` : `listen 127.0.0.1:${port} http2;`;
}

interface Measured {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number;
}

/** The value at quantile `q` of ascending `sorted`, nearest rank. */
const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;

/** The bare node:http2 loop: `c` sessions, `m` streams each, a new request as each one ends. */
const NODE_HTTP2 = `import http2 from 'node:http2';
import { writeFileSync } from 'node:fs';
const [c, m, seconds, out] = process.argv.slice(2);
const headers = { ':method': 'GET', ':path': '/price', ':scheme': 'http', ':authority': '127.0.0.1:${port}' };
const options = { endStream: true };
const latencies = [];
const end = performance.now() + Number(seconds) * 1000;
let open = Number(c);
for (let i = 0; i < Number(c); i++) {
  const session = http2.connect('http://127.0.0.1:${port}');
  let running = Number(m);
  const go = () => {
    if (performance.now() >= end) {
      if (--running === 0) session.close(() => --open || writeFileSync(out, latencies.join('\\n')));
      return;
    }
    const started = performance.now();
    const stream = session.request(headers, options);
    stream.on('data', () => {});
    stream.on('end', () => {
      latencies.push(performance.now() - started);
      go();
    });
  };
  for (let j = 0; j < Number(m); j++) go();
}
`;

const node = process.execPath;
const tools: Record<string, (streams: number) => Measured> = {
  'fiml-perf': (streams) => {
    const json = join(work, 'fp.json');
    const { cpuSeconds } = timed([
      node,
      'bin/fiml-perf.js',
      'load',
      url,
      '--http2',
      '-c',
      String(connections),
      '-p',
      String(streams),
      '-d',
      `${duration}s`,
      '-q',
      '--json',
      json,
    ]);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    if (r.totals.failures > 0) throw new Error(`fiml-perf: ${r.totals.failures} failures`);
    return {
      rps: r.totals.requests / r.durationS,
      p50Ms: r.totals.latencyMs.p50,
      p99Ms: r.totals.latencyMs.p99,
      cpuUsPerRequest: (cpuSeconds * 1e6) / r.totals.requests,
    };
  },
  h2load: (streams) => {
    const log = join(work, 'h2load.log');
    rmSync(log, { force: true }); // h2load appends to it
    const { out, cpuSeconds } = timed([
      'h2load',
      '-c',
      String(connections),
      '-m',
      String(streams),
      '-D',
      String(duration),
      `--log-file=${log}`,
      url,
    ]);
    const total = Number(/requests: (\d+) total/.exec(out)?.[1]);
    const failed = Number(/(\d+) failed/.exec(out)?.[1]);
    if (failed > 0) throw new Error(`h2load: ${failed} failed`);
    const micros = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => Number(line.split('\t')[2]));
    const sorted = Float64Array.from(micros).sort();
    return {
      rps: total / duration,
      p50Ms: quantile(sorted, 0.5) / 1000,
      p99Ms: quantile(sorted, 0.99) / 1000,
      cpuUsPerRequest: (cpuSeconds * 1e6) / total,
    };
  },
  'node-http2': (streams) => {
    const script = join(work, 'node-http2.mjs');
    const out = join(work, 'node-http2.txt');
    writeFileSync(script, NODE_HTTP2);
    const { cpuSeconds } = timed([
      node,
      script,
      String(connections),
      String(streams),
      String(duration),
      out,
    ]);
    const ms = readFileSync(out, 'utf8').trim().split('\n').map(Number);
    const sorted = Float64Array.from(ms).sort();
    return {
      rps: ms.length / duration,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      cpuUsPerRequest: (cpuSeconds * 1e6) / ms.length,
    };
  },
};

function compare(streams: number): void {
  const names = (values.tools as string).split(',');
  const results = new Map<string, Measured[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const m = (tools[name] as (streams: number) => Measured)(streams);
      results.get(name)!.push(m);
      console.error(
        `-c ${connections} -m ${streams} round ${round + 1} ${name}: ${Math.round(m.rps)} req/s, p50 ${m.p50Ms.toFixed(3)} ms, p99 ${m.p99Ms.toFixed(3)} ms, ${m.cpuUsPerRequest.toFixed(1)} us CPU/request`,
      );
    }
  }
  const of = (name: string, pick: (m: Measured) => number) =>
    median(results.get(name)?.map(pick) ?? [Number.NaN]);
  const h2load = of('h2load', (m) => m.rps);
  console.log(
    `\n-c ${connections} -m ${streams} (fiml-perf -p ${streams}): ${rounds} rounds x ${duration}s, nginx 1 worker on core 1, generator on core 0\n`,
  );
  console.log(
    '| generator | req/s (median) | vs h2load | p50 ms (median) | p99 ms (median) | CPU us/request (median) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const name of names) {
    const rps = of(name, (m) => m.rps);
    console.log(
      `| ${name} | ${Math.round(rps)} | ${(rps / h2load).toFixed(2)}x | ${of(name, (m) => m.p50Ms).toFixed(3)} | ${of(name, (m) => m.p99Ms).toFixed(3)} | ${of(name, (m) => m.cpuUsPerRequest).toFixed(1)} |`,
    );
  }
}

const nginx = startNginx(listenDirective(), 'http2_max_concurrent_streams 256;');
try {
  await new Promise((r) => setTimeout(r, 500));
  for (const streams of (values.streams as string).split(',').map(Number)) compare(streams);
} finally {
  nginx.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(work, { recursive: true, force: true });
}
