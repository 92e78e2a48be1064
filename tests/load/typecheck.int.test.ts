import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTypes, typecheckScenario } from '../../src/load/typecheck.js';
import { expectUserError, runCli } from '../helpers/cli.js';

// A type-check runs the TypeScript compiler: 8-20 s of CPU, more on a loaded machine.
const TYPECHECK_MS = 120_000;

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-typecheck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (name: string, body: string) => {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { task, User } from 'fiml-perf';\nexport default class X extends User {\n  static override tasks = [task(1, 'go')];\n  async go() {\n    ${body}\n  }\n}\n`,
  );
  return file;
};

/** Whether this thread has loaded the TypeScript compiler (a CommonJS package). */
const compilerLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    /node_modules[\\/]typescript[\\/]lib[\\/]typescript\.js$/.test(path),
  );

// The compiler takes about 150 MB; a load run must not keep it (issue 10: 318 MB RSS with the
// check, 165 MB without). These run in order: the first must not load it here, the second shows
// that this test would see it if it were.
describe('type-checking a scenario', () => {
  it(
    'runs the compiler in a worker thread: this thread never loads it, and the problems come back',
    async () => {
      const bad = scenario('bad.ts', 'await this.client.get(42);');
      const problems = await typecheckScenario(bad);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 5, column: 27 });
      expect(problems[0]!.message).toMatch(/number.*string/);
      expect(await typecheckScenario(scenario('good.ts', "await this.client.get('/');"))).toEqual(
        [],
      );
      expect(compilerLoaded()).toBe(false);
    },
    TYPECHECK_MS,
  );

  it(
    '(the same check in this thread does load it)',
    async () => {
      await checkTypes(scenario('here.ts', "await this.client.get('/');"), process.cwd());
      expect(compilerLoaded()).toBe(true);
    },
    TYPECHECK_MS,
  );

  it(
    "resolves the package's subpaths to its types too",
    async () => {
      const file = join(dir, 'runner.ts');
      writeFileSync(
        file,
        "import { Steering } from 'fiml-perf/runner';\nimport { bench } from 'fiml-perf/bench';\nconst steering = new Steering({ users: 1, spawnRate: 1, rate: 0 });\nsteering.set({ users: '5' });\nbench('x', () => 1);\n",
      );
      const problems = await checkTypes(file, dir);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 4 });
      expect(problems[0]!.message).toMatch(/string.*number/);
    },
    TYPECHECK_MS,
  );

  it(
    "knows Node's types (Buffer, node: modules) without an install beside the scenario",
    async () => {
      const file = join(dir, 'node.ts');
      writeFileSync(
        file,
        "import { readFileSync } from 'node:fs';\nimport { task, User } from 'fiml-perf';\nconst token = Buffer.from('me:secret').toString('base64');\nexport const size: number = readFileSync;\nexport default class X extends User {\n  static override tasks = [task(1, 'go')];\n  async go() {\n    await this.client.get('/', { headers: { authorization: 'Basic ' + token } });\n  }\n}\n",
      );
      const problems = await checkTypes(file, dir);
      // Only the deliberate mistake, told in Node's own types: readFileSync is not a number.
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 4 });
      expect(problems[0]!.message).toMatch(/PathOrFileDescriptor.*number/);
    },
    TYPECHECK_MS,
  );
});

// Issue 26, item 1: `task(6, 'gett')` type-checks as a string, and the run failed on it later
// without a line to go to; the check names the file, line and column, and the near method.
describe('a task naming a method its class lacks', () => {
  it(
    'check and load say so with the line, before anything is sent (exit 2)',
    async () => {
      const file = join(dir, 'gett.ts');
      writeFileSync(
        file,
        `import { task, User } from 'fiml-perf';\nexport default class HttpbinUser extends User {\n  static override tasks = [task(6, 'gett')];\n  async get() {\n    await this.client.get('/get');\n  }\n}\n`,
      );
      const line = `${file}:3:36: HttpbinUser.tasks[0]: HttpbinUser has no method 'gett' (did you mean 'get'?)`;
      for (const args of [
        ['check', '-f', file],
        ['load', '-f', file, '--host', 'http://127.0.0.1:9', '-t', '1s'],
      ]) {
        const run = await runCli(args);
        expectUserError(run, /has no method 'gett'/);
        expect(run.stderr).toContain(line);
        expect(run.stdout).not.toMatch(/OK/);
      }
    },
    TYPECHECK_MS,
  );
});

it('check without -f names the flag as missing, not as the value "undefined"', async () => {
  const run = await runCli(['check']);
  expectUserError(run, /--file is missing: expected a scenario file: fiml-perf check -f FILE/);
  expect(run.stderr).not.toMatch(/undefined/);
});
