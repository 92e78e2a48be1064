/**
 * What FIML's database costs and what its history index is worth (issue 27), in one run:
 *  1. cached get_price on FIML with no database and with the embedded one, in interleaved
 *     rounds (wrk, pinned to the other core when taskset exists): the database must not slow
 *     the cached path.
 *  2. the standard mix (`fiml-perf load`) on a fresh FIML with the embedded database and a 1 s
 *     cache lifetime (as `stress faults` runs it: with the default hour, histories are read
 *     from the database once and then from memory, and the index cannot matter), its history
 *     index present and dropped (the missing-index fault), interleaved: each endpoint's p99,
 *     from each run's result.json.
 * Loopback only; bounded by --rounds and --duration.
 *
 *   node --import tsx scripts/database-bench.ts [--rounds 5] [--duration 10] [--mix 20]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    mix: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const mixSeconds = Number(values.mix);
const connections = Number(values.connections);
const node = process.execPath;
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
if (!has('wrk')) throw new Error('wrk is needed: apt-get install wrk');
const pin = has('taskset') && cpus().length >= 2;
const pinned = (core: number, cmd: string, args: string[]): [string, string[]] =>
  pin ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];

async function serve(
  database: string,
  extra: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const [cmd, args] = pinned(1, node, [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'serve',
    '--port',
    '0',
    '--database',
    database,
    '--enable-fault-injection',
    ...extra,
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  while (!out.includes('Press Ctrl-C')) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: /listening on (\S+)/.exec(out)![1]! };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}

function wrk(url: string): number {
  const [cmd, args] = pinned(0, 'wrk', ['-t1', `-c${connections}`, `-d${duration}s`, url]);
  const out = execFileSync(cmd, args, { encoding: 'utf8' });
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

console.error(
  `1. cached get_price: wrk -c${connections} -d${duration}s x ${rounds} rounds, pinned: ${pin}`,
);
const rps: Record<string, number[]> = { none: [], embedded: [] };
for (let round = 0; round < rounds; round++) {
  for (const database of round % 2 ? ['embedded', 'none'] : ['none', 'embedded']) {
    const { child, url } = await serve(database);
    const price = `${url}/mcp/tools/get_price?symbol=AAPL`;
    wrk(price); // warm-up
    const r = wrk(price);
    await stop(child);
    rps[database]!.push(r);
    console.error(`round ${round + 1}  database ${database.padEnd(8)} ${r.toFixed(0)} req/s`);
  }
}

console.error(`2. the standard mix, ${mixSeconds}s a run, history index present and dropped`);
const dir = mkdtempSync(join(tmpdir(), 'fiml-db-bench-'));
const p99s: Record<string, Record<string, number[]>> = { present: {}, dropped: {} };
for (let round = 0; round < rounds; round++) {
  for (const index of round % 2 ? ['dropped', 'present'] : ['present', 'dropped']) {
    const { child, url } = await serve('embedded', ['--cache-ttl', '1']);
    await fetch(`${url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ history_index_missing: index === 'dropped' }),
    });
    const json = join(dir, `${round}-${index}.json`);
    const [cmd, args] = pinned(0, node, [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'load',
      '--host',
      url,
      '-u',
      '20',
      '-r',
      '10',
      '-t',
      `${mixSeconds}s`,
      '--quiet',
      '--exit-code-on-error',
      '0',
      '--json',
      json,
    ]);
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const result = JSON.parse(readFileSync(json, 'utf8')) as {
      endpoints: { name: string; latencyMs: { p99: number } }[];
    };
    for (const e of result.endpoints) {
      const list = p99s[index]![e.name] ?? [];
      list.push(e.latencyMs.p99);
      p99s[index]![e.name] = list;
    }
    await stop(child);
    console.error(`round ${round + 1}  index ${index}`);
  }
}

const none = median(rps.none!);
const embedded = median(rps.embedded!);
console.log(`| FIML | cached get_price req/s (median of ${rounds}) |`);
console.log('| --- | ---: |');
console.log(`| no database | ${none.toFixed(0)} |`);
console.log(`| embedded database | ${embedded.toFixed(0)} |`);
console.log(`\nembedded / none: ${(embedded / none).toFixed(3)}\n`);
console.log(`| endpoint | p99 ms, index present | p99 ms, index dropped | ratio |`);
console.log('| --- | ---: | ---: | ---: |');
for (const name of Object.keys(p99s.present!).sort()) {
  const a = median(p99s.present![name]!);
  const b = median(p99s.dropped![name] ?? [Number.NaN]);
  console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
}
