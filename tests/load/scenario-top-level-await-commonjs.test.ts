import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/load/index.js';

// Issue 24: `npm init -y` writes "type": "commonjs", which makes a .ts scenario CommonJS, where
// top-level await cannot be: the error says how to make the file an ES module.
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-cjs-tla-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = `import { task, User } from 'fiml-perf';
const weight = await Promise.resolve(1);
export default class Tla extends User {
  static override tasks = [task(weight, 'go')];
  async go() {}
}
`;

async function failure(file: string): Promise<string> {
  const error = await loadScenario(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScenarioError);
  return (error as Error).message;
}

describe('top-level await in a scenario that is CommonJS', () => {
  it('a .ts file in a "type": "commonjs" package: rename it to .mts, or set "type": "module"', async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const manifest = join(project, 'package.json');
    writeFileSync(manifest, JSON.stringify({ name: 'project', type: 'commonjs' }));
    const file = join(project, 'scenario.ts');
    writeFileSync(file, source);
    const message = await failure(file);
    expect(message).not.toMatch(/\n/);
    expect(message).toMatch(/^.*scenario\.ts:2:\d+: Top-level await/);
    expect(message).toContain(
      `; ${manifest} says "type": "commonjs", so scenario.ts is CommonJS, without top-level await: rename it to scenario.mts, or set "type": "module" there`,
    );
    // Either fix runs it.
    writeFileSync(join(project, 'scenario.mts'), source);
    expect((await loadScenario(join(project, 'scenario.mts'))).defaultClass?.name).toBe('Tla');
  });

  it('a .cts file: rename it to .mts', async () => {
    const file = join(dir, 'scenario.cts');
    writeFileSync(file, source);
    expect(await failure(file)).toMatch(
      /; scenario\.cts is CommonJS by its extension: rename it to scenario\.mts$/,
    );
  });
});
