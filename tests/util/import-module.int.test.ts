// Integration: requiring a CommonJS .ts file goes through esbuild's worker thread (tsx), which the unit tier refuses.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importUserModule, PACKAGE_ENTRIES } from '../../src/util/import-module.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// A folder with no package.json above it: nothing there could find fiml-perf but the hook.
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-entries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the package's entries", () => {
  it("are package.json's exports, each the built form of its source file", () => {
    const exported = Object.keys(manifest.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? 'fiml-perf' : `fiml-perf/${key.slice(2)}`));
    expect(Object.keys(PACKAGE_ENTRIES).sort()).toEqual(exported.sort());
    for (const [name, url] of Object.entries(PACKAGE_ENTRIES)) {
      const key = name === 'fiml-perf' ? '.' : `./${name.slice('fiml-perf/'.length)}`;
      const source = fileURLToPath(url).slice(root.length);
      const built = `./dist/${source.replace(/\.ts$/, '')}`;
      expect(manifest.exports[key]).toEqual({ types: `${built}.d.ts`, default: `${built}.js` });
    }
  });

  it('resolve in a user file as the front does, from ES modules and CommonJS alike', async () => {
    writeFileSync(
      join(dir, 'esm.mts'),
      `import { ScenarioError, User } from 'fiml-perf';
import { bench } from 'fiml-perf/bench';
import { ScenarioError as FromRunner, Steering } from 'fiml-perf/runner';
import { METRIC } from 'fiml-perf/monitor';
export const same = FromRunner === ScenarioError;
export const steering = new Steering({ users: 1, spawnRate: 1, rate: 0 });
export const kinds = [typeof User, typeof bench, typeof METRIC];
`,
    );
    const esm = await importUserModule(join(dir, 'esm.mts'));
    expect(esm.same).toBe(true);
    expect(esm.kinds).toEqual(['function', 'function', 'object']);

    const cjs = join(dir, 'cjs');
    mkdirSync(cjs);
    writeFileSync(join(cjs, 'package.json'), '{"type":"commonjs"}');
    writeFileSync(
      join(cjs, 'entries.ts'),
      `const front = require('fiml-perf');
const runner = require('fiml-perf/runner');
const bench = require('fiml-perf/bench');
const monitor = require('fiml-perf/monitor');
export const same = runner.ScenarioError === front.ScenarioError && bench.bench === front.bench;
export const kinds = [typeof runner.Steering, typeof monitor.ServiceMonitor];
`,
    );
    const required = await importUserModule(join(cjs, 'entries.ts'));
    expect(required.same).toBe(true);
    expect(required.kinds).toEqual(['function', 'function']);
  });
});
