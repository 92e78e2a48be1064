/**
 * What the load benches share (bench-load.ts, bench-h2.ts): a work folder, core pinning (nginx
 * on core 1, the generator on core 0), one nginx worker serving static JSON, a command timed by
 * the CPU it used, and medians.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The JSON nginx serves: FIML's cached get_price answer, 140 bytes. */
export const BODY =
  '{"symbol":"AAPL","asset_type":"equity","price":189.84,"change":1.23,"change_percent":0.65,"volume":51234567,"provider":"yahoo","cached":true}';

export function benchKit(prefix: string) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const pin = cpus().length >= 2;
  const pinned = (core: number, args: string[]) =>
    pin ? ['taskset', '-c', String(core), ...args] : args;

  /** One nginx worker on core 1: `listen` is the server's listen lines, `extra` more directives. */
  function startNginx(listen: string, extra = ''): ChildProcess {
    const conf = join(work, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes 1;
daemon off;
user root;
pid ${work}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${work};
  server {
    ${listen}${extra ? `\n    ${extra}` : ''}
    location / { default_type application/json; return 200 '${BODY}'; }
  }
}
`,
    );
    const [cmd, ...args] = pinned(1, ['nginx', '-c', conf]);
    return spawn(cmd as string, args, { stdio: 'inherit' });
  }

  /** Runs a command on core 0 under bash; its output and the CPU seconds it used (`times`). */
  function timed(command: string[]): { out: string; cpuSeconds: number } {
    const script = '"$@" > "$OUT"; times > "$TIMES"';
    const out = join(work, 'out.txt');
    const times = join(work, 'times.txt');
    execFileSync('bash', ['-c', script, '_', ...pinned(0, command)], {
      env: { ...process.env, OUT: out, TIMES: times },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // Second line of `times`: children's user and system time, such as "0m1.234s 0m0.567s".
    const line = readFileSync(times, 'utf8').trim().split('\n')[1] ?? '';
    const cpuSeconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
      (sum, m) => sum + Number(m[1]) * 60 + Number(m[2]),
      0,
    );
    return { out: readFileSync(out, 'utf8'), cpuSeconds };
  }

  return { work, pinned, startNginx, timed };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
