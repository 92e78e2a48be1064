import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TSX = import.meta.resolve('tsx');

/**
 * Runs the CLI in a fresh process on `args` and lists the packages it loaded: a command's --help
 * and a wrong flag should answer from the command's flags alone (issue 10: 0.55 s and 100 MB when
 * every command's modules loaded first).
 */
function packagesLoaded(args: string[]): { code: number; packages: string[] } {
  const script = `
    const { runCli } = await import(${JSON.stringify(`${root}src/cli/program.ts`)});
    const code = await runCli(['node', 'fiml-perf', ...${JSON.stringify(args)}], { out() {}, err() {} });
    const { createRequire } = await import('node:module');
    const paths = Object.keys(createRequire(import.meta.url).cache);
    const packages = [...new Set(paths.map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(p)?.[1]).filter(Boolean))];
    process.stdout.write('\\n@@' + JSON.stringify({ code, packages }));`;
  const out = execFileSync(
    process.execPath,
    ['--import', TSX, '--input-type=module', '-e', script],
    { cwd: root, encoding: 'utf8', env: { ...process.env, REDIS_URL: '' } },
  );
  return JSON.parse(out.slice(out.lastIndexOf('\n@@') + 3));
}

// What the commands run on: none of it is needed to print help or refuse a flag.
const HEAVY = [
  'undici',
  'hdr-histogram-js',
  'fastify',
  'ioredis',
  'prom-client',
  'yaml',
  'typescript',
  'kubernetes-models',
];

describe('the CLI loads a command only to run it', () => {
  it.each([
    [['--help'], 0],
    [['load', '--help'], 0],
    [['load', '-u', '0'], 2],
    [['serve', '--port', 'x'], 2],
    [['stress', 'peak', '--max-error-rate', 'lots'], 2],
    [['compare', 'a.json', 'b.json', '--threshold', 'x'], 2],
    [['run', '--bogus'], 2],
    [['agent', '--help'], 0],
    [['agent', 'redis://127.0.0.1:6379', '--index', 'x'], 2],
    [['k8s', '--help'], 0],
    [['k8s', '--instances', '0'], 2],
  ])('%j loads none of the packages the commands run on', (args, code) => {
    const run = packagesLoaded(args);
    expect(run.code).toBe(code);
    expect(run.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('(running a command does load them)', () => {
    // report, not check: the same proof without a type-check (the compiler took 10-20 s of it).
    const out = join(mkdtempSync(join(tmpdir(), 'fiml-perf-startup-')), 'report.html');
    const run = packagesLoaded(['report', 'tests/fixtures/results/load-v1.json', '-o', out]);
    expect(run.code).toBe(0);
    expect(run.packages).toContain('undici');
    expect(run.packages).toContain('hdr-histogram-js');
  });
});

// The built CLI (what npm start and users run) reads zod from one bundled file (scripts/build.mjs).
describe.skipIf(!existsSync(`${root}dist/vendor/zod.js`))('the built CLI', () => {
  it('imports the bundled zod, and validates flags with it', () => {
    const built = readFileSync(`${root}dist/src/cli/option-table.js`, 'utf8');
    expect(built).toContain("from '../../vendor/zod.js'");
    expect(built).not.toContain("from 'zod'");
    const run = spawnSync(process.execPath, [`${root}bin/fiml-perf.js`, 'load', '-u', '0'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'fiml-perf: --users "0": expected a whole number from 1 to 1000000',
    );
    const share = spawnSync(
      process.execPath,
      [`${root}bin/fiml-perf.js`, 'compare', 'none.json', 'b.json', '--threshold', '5%'],
      { encoding: 'utf8' },
    );
    expect(share.stderr).toMatch(/none\.json does not exist/);
  });
});
