import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { PerfError } from '../errors.js';
import { assertInstalled } from '../util/optional-deps.js';

export interface EmbeddedFiml {
  readonly url: string;
  /** Its inspector's WebSocket address, when started with `inspect` (for `fiml-perf profile`). */
  readonly inspectorUrl?: string;
  /** Its own database (the embedded PostgreSQL), which a run watches over its window. */
  readonly databaseUrl?: string;
  stop(): Promise<void>;
}

// A first start of the day fills the embedded database (about 10 s on 2 busy cores).
const START_TIMEOUT_MS = 60_000;

/** This package's CLI, in the form this module runs in (dist .js, or .ts from source). */
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const CLI = new URL(`../cli/main${OWN_EXTENSION}`, import.meta.url);

/** Run from source, the child needs tsx too (unless this process was started with it). */
function loader(): string[] {
  if (OWN_EXTENSION !== '.ts' || process.execArgv.some((a) => a.includes('tsx'))) return [];
  return ['--import', import.meta.resolve('tsx')];
}

/**
 * Starts FIML in a child process (`fiml-perf serve --port 0`), so the service and the load
 * generator do not share an event loop or a CPU, and waits for `/health`.
 * @throws PerfError FP_ERR_EMBEDDED_FIML
 */
export async function startEmbeddedFiml(
  extraArgs: readonly string[] = [],
  options: {
    readonly inspect?: boolean;
    /** Told when FIML ends before `stop` (killed, crashed): how it ended. */
    readonly onExit?: (how: string) => void;
  } = {},
): Promise<EmbeddedFiml> {
  assertInstalled('fiml');
  // The inspector on loopback, on a free port: it runs any code it is sent.
  const inspect = options.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => !a.startsWith('--inspect')),
      ...loader(),
      ...inspect,
      fileURLToPath(CLI),
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      ...extraArgs,
    ],
    // Its own process group: a Ctrl-C at the terminal reaches the run, which stops FIML last.
    // The IPC channel is its tie to this process: however this process ends (kill -9 too), the
    // channel closes and FIML stops (`serve` watches it).
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true, env: { ...process.env } },
  );
  // The channel must not keep this process alive, nor the child's pipes once it is up.
  child.channel?.unref();
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 60 s'), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new PerfError(
          'FP_ERR_EMBEDDED_FIML',
          `embedded FIML ${why}: ${output.trim().split('\n').slice(-3).join(' | ') || 'no output'}; try 'fiml-perf serve' to see why, or pass --host`,
        ),
      );
    };
    const onData = (data: Buffer) => {
      output += data;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      // The banner's last line: the lines before it (its database) have all arrived.
      const banner = output.includes('Press Ctrl-C to stop.');
      if (match && banner && (!options.inspect || /Debugger listening on ws:\/\//.test(output))) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(`exited with code ${code}`));
  });
  child.removeAllListeners('exit');
  // Up: what it prints from now on is drained, not kept.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  const health = await request(`${url}/health`).catch(() => undefined);
  const body = health ? await health.body.text() : '';
  if (health?.statusCode !== 200) {
    child.kill('SIGKILL');
    throw new PerfError(
      'FP_ERR_EMBEDDED_FIML',
      `embedded FIML at ${url} failed its health check: ${body}`,
    );
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) options.onExit?.(signal ? `killed by ${signal}` : `exited with code ${code}`);
  });
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  // `serve` names it on its banner; the embedded one has no password to hide.
  const databaseUrl = /database\s+(postgres:\/\/\S+) \(embedded/.exec(output)?.[1];
  return {
    url,
    ...(inspectorUrl ? { inspectorUrl } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
