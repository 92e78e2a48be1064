/**
 * Setup file of the unit project (vitest.config.ts): unit tests run in process, so listening on
 * a socket, starting a child process or a worker thread throws. A test that needs one is an
 * integration test and is named `*.int.test.ts`; a misfiled one fails here, loudly, instead of
 * making the unit tier slow or timing-dependent.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import workerThreads from 'node:worker_threads';

const MESSAGE = 'unit tests run in process: name this file *.int.test.ts';

function refuse(what: string): never {
  throw new Error(`${what}: ${MESSAGE}`);
}

net.Server.prototype.listen = function listen(): never {
  refuse('net.Server.listen');
};

for (const name of [
  'spawn',
  'spawnSync',
  'fork',
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
] as const) {
  Object.defineProperty(childProcess, name, {
    value: () => refuse(`child_process.${name}`),
    writable: true,
    configurable: true,
  });
}

class RefusedWorker {
  constructor() {
    refuse('new Worker');
  }
}
Object.defineProperty(workerThreads, 'Worker', {
  value: RefusedWorker,
  writable: true,
  configurable: true,
});

// ESM named imports (`import { spawn } from 'node:child_process'`) read a live binding that
// follows the default export only once this is called.
syncBuiltinESMExports();
