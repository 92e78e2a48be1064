import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** The role and database a private server gives the tests; the password makes redaction testable. */
export const PG_USER = 'fiml';
export const PG_PASSWORD = 'S3cret-pw_fiml';
export const PG_DATABASE = 'fiml';

export interface PrivatePostgres {
  /** `postgres://fiml:PASSWORD@127.0.0.1:PORT/fiml` (scram-sha-256 on loopback). */
  readonly url: string;
  readonly port: number;
  /** The superuser over the server's unix socket (trust), for the tests' own setup. */
  readonly admin: pg.ClientConfig;
  stop(): Promise<void>;
}

/** The newest Debian PostgreSQL's binaries (`/usr/lib/postgresql/<major>/bin`), or null. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? join(root, majors[0]!, 'bin') : null;
}

/** True when Debian's postgresql is installed; tests that need it skip (visibly) otherwise. */
export const hasPostgres = postgresBin() !== null;
if (!hasPostgres) {
  console.warn(
    'PostgreSQL not found (/usr/lib/postgresql/*/bin/initdb): database tests are SKIPPED. Install it: apt-get install postgresql',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * initdb and postgres refuse to run as root (as CI does): then they run as the `postgres` user
 * that Debian's package creates, through spawn's uid/gid (no runuser in between, so signals reach
 * the server itself).
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Starts a private PostgreSQL on a free loopback port in a temporary folder: fsync off, its unix
 * socket in the folder, `pg_stat_statements` preloaded unless `statements: false` (and created
 * in the database unless `createExtension: false`), a role `fiml` with a password (scram on
 * loopback) owning a database `fiml`. Resolves once the server answers.
 */
export async function startPostgres({
  statements = true,
  createExtension = statements,
}: {
  statements?: boolean;
  createExtension?: boolean;
} = {}): Promise<PrivatePostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'fiml-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, 'unused-superuser-password\n');
  if (user) chownSync(pwfile, user.uid, user.gid);
  execFileSync(
    join(bin, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--pwfile',
      pwfile,
      '--no-sync',
      '--encoding=UTF8',
      '--locale=C',
    ],
    { env, stdio: 'pipe', ...user },
  );
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=30',
    '-c',
    'shared_buffers=32MB',
  ];
  if (statements) args.push('-c', 'shared_preload_libraries=pg_stat_statements');
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...user,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const admin: pg.ClientConfig = { host: dir, port, user: 'postgres', database: 'postgres' };

  const end = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGINT is PostgreSQL's fast shutdown: sessions are ended, no wait for clients.
      child.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(admin, child, () => stderr);
    const setup = new pg.Client(admin);
    await setup.connect();
    try {
      await setup.query(`CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}'`);
      await setup.query(`CREATE DATABASE ${PG_DATABASE} OWNER ${PG_USER}`);
    } finally {
      await setup.end();
    }
    if (createExtension) {
      const db = new pg.Client({ ...admin, database: PG_DATABASE });
      await db.connect();
      try {
        await db.query('CREATE EXTENSION pg_stat_statements');
      } finally {
        await db.end();
      }
    }
  } catch (error) {
    await end();
    throw error;
  }
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${PG_DATABASE}`,
    port,
    admin: { ...admin, database: PG_DATABASE },
    stop: end,
  };
}

/** Connects over the socket until the server answers (it takes a moment to start). */
async function waitReady(
  admin: pg.ClientConfig,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`postgres exited at start: ${stderr()}`);
    const probe = new pg.Client({ ...admin, connectionTimeoutMillis: 1000 });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.query('SELECT 1');
      await probe.end();
      return;
    } catch {
      await probe.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`postgres did not answer: ${stderr()}`);
    await sleep(50);
  }
}
