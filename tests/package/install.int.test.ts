import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/stats/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

// Issue 24: the package as a user gets it. Packed, installed from the tarball into a fresh
// project (`npm init -y`, which says "type": "commonjs"), then used there as the README says:
// the user's own tsc, `fiml-perf check`, and `fiml-perf load` against a local server. One install
// of the package for every test of the file; npm and the type checks make it slow on purpose.

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fiml-perf-install-'));
const project = join(work, 'project');
/** The TypeScript a user gets from `npm install -D typescript` today. */
const USER_TYPESCRIPT = 'typescript@7';
const OPTIONAL = [
  '@electric-sql/pglite',
  '@electric-sql/pglite-socket',
  'fastify',
  'ioredis',
  'kubernetes-models',
  'lru-cache',
  'prom-client',
];

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a command run in the project: npm's variables from `npm test` (the
 * repository's package, its prefix) would make npm there act on the repository.
 */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(npm_package_|npm_lifecycle_|npm_config_(local_prefix|prefix)$|npm_command$|INIT_CWD$)/i.test(
        key,
      ),
  ),
);

function run(command: string, args: readonly string[], cwd: string = project): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `npx fiml-perf ...` in the project: its own install, never a download. */
const fimlPerf = (...args: string[]) => run('npx', ['--no', '--', 'fiml-perf', ...args]);

/** Bytes on disk under `dir`, as du counts them: 512-byte blocks, a file linked twice once. */
function diskUsage(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const stat = lstatSync(path);
    const inode = `${stat.dev}:${stat.ino}`;
    if (seen.has(inode)) continue;
    seen.add(inode);
    total += stat.blocks * 512;
    if (entry.isDirectory()) total += diskUsage(path, seen);
  }
  return total;
}

let install: Ran;
const installed = join(project, 'node_modules', 'fiml-perf');

beforeAll(async () => {
  // dist/ is built before the integration tier (tests/build-cli.ts; building again here would
  // rewrite it under the CLI other files run): packing need not build (the prepare script).
  const pack = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    root,
  );
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = join(work, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);

  mkdirSync(project);
  expect((await run('npm', ['init', '-y'])).code).toBe(0);
  // npm 11 writes "type": "commonjs"; older npm leaves it out. The CommonJS case needs it said.
  const manifest = join(project, 'package.json');
  writeFileSync(
    manifest,
    JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), type: 'commonjs' }, null, 2),
  );

  install = await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline']);
  expect(install.code, install.stderr).toBe(0);
  const packages = (await run('npm', ['ls', '--all', '--parseable'])).stdout
    .trim()
    .split('\n')
    .slice(1).length;
  const mb = diskUsage(join(project, 'node_modules')) / 1024 / 1024;
  console.log(
    `npm install fiml-perf (packed): ${packages} packages, ${mb.toFixed(1)} MB in node_modules`,
  );
}, 20 * 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fiml-perf installed from its tarball into a fresh project', () => {
  it('installs without a warning about engines on this Node', () => {
    const output = `${install.stdout}\n${install.stderr}`;
    expect(output).not.toMatch(/EBADENGINE/);
    expect(output.split('\n').filter((l) => /warn/i.test(l) && /engine/i.test(l))).toEqual([]);
  });

  it('brings none of the optional packages, and says which to install when a command needs one', async () => {
    for (const name of OPTIONAL)
      expect(existsSync(join(project, 'node_modules', name)), name).toBe(false);
    const serve = await fimlPerf('serve');
    expect(serve.code).toBe(2);
    expect(serve.stderr.trim().split('\n')).toHaveLength(1);
    expect(serve.stderr).toMatch(/needs fastify.*: npm install fastify@\d+\.\d+\.\d+ /);
    const metrics = await fimlPerf(
      'load',
      'http://127.0.0.1:9/',
      '-d',
      '1s',
      '--metrics-port',
      '0',
    );
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toMatch(/needs prom-client, not installed: npm install prom-client@\d+/);
  }, 120_000);

  it('ships its docs (where --help says they are), a LICENSE, and self-contained source maps', async () => {
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(existsSync(join(installed, 'dist', '.tsbuildinfo'))).toBe(false);
    const help = await fimlPerf('bench', '--help');
    const page = /^Docs: (\S+\.md)$/m.exec(help.stdout)?.[1];
    expect(page).toBe('node_modules/fiml-perf/docs/bench.md');
    expect(readFileSync(join(project, page as string), 'utf8')).toMatch(/^# fiml-perf bench/);
    const map = JSON.parse(readFileSync(join(installed, 'dist/src/index.js.map'), 'utf8'));
    expect(map.sourcesContent?.[0]).toMatch(/export/);
  }, 120_000);

  describe('a scenario in the project', () => {
    let server: TestServer;
    let requests = 0;
    beforeAll(async () => {
      server = await startHttpServer((_request, response) => {
        requests++;
        response.end('ok');
      });
      // An ES module by its extension: top-level await, and Buffer from Node's types.
      writeFileSync(
        join(project, 'scenario.mts'),
        `import { constant, task, User } from 'fiml-perf';

const token = Buffer.from(await Promise.resolve('me:secret')).toString('base64');

export default class Visitor extends User {
  static override waitTime = constant(0.05);
  static override tasks = [task(1, 'home')];

  async home(): Promise<void> {
    await this.client.get('/', { headers: { authorization: \`Basic \${token}\` } });
  }
}
`,
      );
      // The other entries, typed as a program would use them.
      writeFileSync(
        join(project, 'program.mts'),
        `import { bench } from 'fiml-perf/bench';
import { type RunResult, type SteeredConfig, Steering } from 'fiml-perf/runner';

const config: SteeredConfig = {
  type: 'steered', model: 'open', users: 0, spawnRate: 1, rate: 10, maxUsers: 10, durationMs: 0,
};
new Steering(config).set({ rate: 20 });
export const p99 = (result: RunResult): number => result.totals.latencyMs.p99;
bench('sum', () => [1, 2, 3].reduce((a, b) => a + b, 0));
`,
      );
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'es2023',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            noEmit: true,
            // The package's declarations are checked too.
            skipLibCheck: false,
          },
          files: ['scenario.mts', 'program.mts'],
        }),
      );
    });
    afterAll(() => server?.close());

    it(
      "type-checks with the user's own tsc and with fiml-perf check",
      async () => {
        const check = await fimlPerf('check', '-f', 'scenario.mts');
        expect(check.code, check.stderr).toBe(0);
        expect(check.stdout).toMatch(/Visitor \(default\)/);
        const typescript = await run('npm', [
          'install',
          '--save-dev',
          USER_TYPESCRIPT,
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
        ]);
        expect(typescript.code, typescript.stderr).toBe(0);
        const tsc = await run('npx', ['--no', '--', 'tsc', '-p', 'tsconfig.json']);
        expect(tsc.code, `${tsc.stdout}${tsc.stderr}`).toBe(0);
      },
      10 * 60_000,
    );

    it(
      'runs against a local server: the result counts every request the server saw',
      async () => {
        const out = join(project, 'out.json');
        const load = await fimlPerf(
          'load',
          '-f',
          'scenario.mts',
          '--host',
          server.url,
          '-t',
          '2s',
          '--json',
          out,
        );
        expect(load.code, load.stderr).toBe(0);
        const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
        // Every request has had its answer when the command exits, so the server has counted it.
        expect(result.totals.requests).toBeGreaterThan(0);
        expect(result.totals.requests).toBe(requests);
        expect(result.totals.failures).toBe(0);
      },
      5 * 60_000,
    );

    // Issue 26: the scenario a new user wrote twice (fiml-perf and Locust) against httpbin, on a
    // small scale against a local httpbin-like server that counts what it answered per path.
    it(
      "the httpbin comparison, small: every figure agrees with the server's count",
      async () => {
        const seen = new Map<string, number>();
        const agents = new Set<string>();
        const encodings = new Set<string>();
        const site = await startHttpServer((request, response) => {
          const path = (request.url ?? '/').split('?')[0] as string;
          seen.set(path, (seen.get(path) ?? 0) + 1);
          agents.add(String(request.headers['user-agent']));
          encodings.add(String(request.headers['accept-encoding']));
          const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
            response.writeHead(status, { 'content-type': 'application/json', ...headers });
            response.end(JSON.stringify(body));
          };
          const redirect = /^\/redirect\/(\d+)$/.exec(path);
          if (redirect) {
            const left = Number(redirect[1]) - 1;
            response.writeHead(302, { location: left > 0 ? `/redirect/${left}` : '/get' });
            response.end();
          } else if (path === '/get') json(200, { headers: request.headers });
          else if (path === '/login' && request.method === 'POST')
            json(200, { ok: true }, { 'set-cookie': 'session=s1; Path=/' });
          else if (path === '/cookies')
            json(200, {
              cookies: { session: /session=s1/.test(request.headers.cookie ?? '') ? 's1' : '' },
            });
          else if (path === '/status/500') json(500, {});
          else if (path === '/uuid') json(200, { uuid: '5f0c1a3e-0000-4000-8000-000000000000' });
          else if (path === '/post' && request.method === 'POST') {
            let body = '';
            request.on('data', (d) => {
              body += d;
            });
            request.on('end', () => json(200, { json: JSON.parse(body) }));
          } else if (path === '/basic-auth/me/secret') {
            const ok =
              request.headers.authorization ===
              `Basic ${Buffer.from('me:secret').toString('base64')}`;
            json(ok ? 200 : 401, { authenticated: ok });
          } else json(404, {});
        });
        try {
          writeFileSync(
            join(project, 'httpbin.mts'),
            `import { constant, task, User } from 'fiml-perf';

export default class HttpbinUser extends User {
  static override waitTime = constant(0.02);
  static override tasks = [
    task(6, 'get'),
    task(2, 'cookies'),
    task(1, 'chain'),
    task(1, 'fail'),
    task(2, 'uuid'),
    task(2, 'post'),
    task(1, 'auth'),
  ];

  override async onStart(): Promise<void> {
    await this.client.post('/login', { json: { user: 'me' } });
  }
  async get(): Promise<void> {
    await this.client.get('/get');
  }
  async cookies(): Promise<void> {
    await this.client.get('/cookies', {
      check: (r) => (r.json() as { cookies: { session: string } }).cookies.session === 's1' || 'no session cookie',
    });
  }
  async chain(): Promise<void> {
    await this.client.get('/redirect/3');
  }
  async fail(): Promise<void> {
    await this.client.get('/status/500');
  }
  async uuid(): Promise<void> {
    await this.client.get('/uuid', { check: (r) => r.text.includes('-4000-') || 'not a v4 uuid' });
  }
  async post(): Promise<void> {
    await this.client.post('/post', { json: { n: this.id } });
  }
  async auth(): Promise<void> {
    await this.client.get('/basic-auth/me/secret', {
      headers: { authorization: \`Basic \${Buffer.from('me:secret').toString('base64')}\` },
    });
  }
}
`,
          );
          const out = join(project, 'httpbin.json');
          const load = await fimlPerf(
            'load',
            '-f',
            'httpbin.mts',
            '--host',
            site.url,
            '-u',
            '5',
            '-t',
            '3s',
            '-q',
            '--json',
            out,
            '--csv',
            join(project, 'httpbin'),
          );
          // Requests failed (the 500s): not green, as Locust exits 1.
          expect(load.code, load.stderr).toBe(1);
          const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
          const count = (name: string, method = 'GET') =>
            result.endpoints.find((e) => e.name === name && e.method === method)?.requests ?? 0;
          const served = (path: string) => seen.get(path) ?? 0;
          // Each chain is one request, named by the URL asked for; its hops are the server's.
          expect(count('/redirect/3')).toBe(served('/redirect/3'));
          expect(served('/redirect/1')).toBe(served('/redirect/3'));
          expect(count('/get')).toBe(served('/get') - served('/redirect/3'));
          for (const path of ['/cookies', '/status/500', '/uuid', '/basic-auth/me/secret'])
            expect(count(path), path).toBe(served(path));
          expect(count('/post', 'POST')).toBe(served('/post'));
          expect(count('/login', 'POST')).toBe(served('/login'));
          // Every request is in the result; the only failures are the 500s (login, cookies,
          // checks and basic auth all held).
          const hops = 3 * served('/redirect/3');
          const total = [...seen.values()].reduce((a, b) => a + b, 0);
          expect(result.totals.requests).toBe(total - hops);
          expect(result.totals.failures).toBe(served('/status/500'));
          // A real client's headers.
          expect([...agents]).toEqual([expect.stringMatching(/^fiml-perf\/\d+\.\d+\.\d+/)]);
          expect([...encodings]).toEqual(['gzip, deflate, br']);
          // Locust's failures file: one row for the 500s, counting what the server answered.
          const failures = readFileSync(join(project, 'httpbin_failures.csv'), 'utf8')
            .trim()
            .split('\n');
          expect(failures[0]).toBe('Method,Name,Error,Occurrences');
          expect(failures.slice(1)).toEqual([
            `GET,/status/500,http: HTTP 500,${served('/status/500')}`,
          ]);
        } finally {
          await site.close();
        }
      },
      5 * 60_000,
    );

    it(
      'a .ts scenario with top-level await, CommonJS here: exit 2, one line naming the fix',
      async () => {
        writeFileSync(
          join(project, 'scenario.ts'),
          readFileSync(join(project, 'scenario.mts'), 'utf8'),
        );
        const load = await fimlPerf('load', '-f', 'scenario.ts', '--host', server.url, '-t', '1s');
        expect(load.code).toBe(2);
        const lines = load.stderr.trim().split('\n');
        expect(lines, load.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(
          /scenario\.ts:\d+:\d+: .*package\.json says "type": "commonjs", .*rename it to scenario\.mts, or set "type": "module" there$/,
        );
      },
      5 * 60_000,
    );
  });
});
