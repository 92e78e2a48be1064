import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPerfError } from '../../src/errors.js';
import {
  assertInstalled,
  missingPackages,
  OPTIONAL_PARTS,
  type OptionalPart,
} from '../../src/util/optional-deps.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-optional-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The one-line message `assertInstalled` throws, looked up from `from`. */
function messageOf(part: OptionalPart, from: string, context = {}): string {
  try {
    assertInstalled(part, context, from);
  } catch (error) {
    expect(isPerfError(error) && error.code).toBe('FP_ERR_MISSING_PACKAGE');
    return (error as Error).message;
  }
  throw new Error(`${part} was found from ${from}`);
}

describe('optional packages (issue 24)', () => {
  const names = [...new Set(Object.values(OPTIONAL_PARTS).flatMap((p) => [...p.packages]))];

  it.each(names)(
    '%s: pinned as a devDependency, an optional peer of any version, not a dependency',
    (name) => {
      expect(manifest.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
      expect(manifest.peerDependencies[name]).toBe('*');
      expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
      expect(manifest.dependencies[name]).toBeUndefined();
    },
  );

  it('the repository has every one of them', () => {
    for (const part of Object.keys(OPTIONAL_PARTS) as OptionalPart[])
      expect(missingPackages(part)).toEqual([]);
  });

  it('a missing package is one line naming the exact install, and the alternative', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const {
      fastify,
      'lru-cache': lru,
      'prom-client': prom,
      ioredis,
      '@electric-sql/pglite': pglite,
      '@electric-sql/pglite-socket': socket,
    } = manifest.devDependencies;
    expect(messageOf('fiml', empty)).toBe(
      `FIML, the service fiml-perf embeds when no --host is given, needs fastify, lru-cache, prom-client, ioredis, @electric-sql/pglite and @electric-sql/pglite-socket, not installed: npm install fastify@${fastify} lru-cache@${lru} prom-client@${prom} ioredis@${ioredis} @electric-sql/pglite@${pglite} @electric-sql/pglite-socket@${socket}, or test your own service with --host URL`,
    );
    expect(messageOf('k8s', empty, { who: 'rendering' })).toBe(
      `rendering needs kubernetes-models, not installed: npm install kubernetes-models@${manifest.devDependencies['kubernetes-models']}`,
    );
  });

  it('another major version is refused, saying which is installed; the same major is taken', () => {
    const project = join(dir, 'project');
    const install = (name: string, version: string) => {
      mkdirSync(join(project, 'node_modules', name), { recursive: true });
      writeFileSync(
        join(project, 'node_modules', name, 'package.json'),
        JSON.stringify({ version }),
      );
    };
    install('prom-client', '14.2.0');
    const from = join(project, 'src');
    const pinned = manifest.devDependencies['prom-client'];
    expect(messageOf('metrics', from, { otherwise: false })).toBe(
      `the generator's metrics (--metrics-port, --prometheus-push) needs prom-client ${pinned.split('.')[0]} (14.2.0 is installed): npm install prom-client@${pinned}`,
    );
    install('prom-client', `${pinned.split('.')[0]}.0.0`);
    expect(missingPackages('metrics', from)).toEqual([]);
  });

  it('the README and the docs name the versions pinned here', () => {
    const pages = [
      'README.md',
      ...['errors', 'serve', 'distributed', 'observability'].map((p) => `docs/${p}.md`),
    ];
    for (const page of pages) {
      const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
      for (const name of names)
        for (const [, version] of text.matchAll(new RegExp(`\\b${name}@(\\d+\\.\\d+\\.\\d+)`, 'g')))
          expect(`${page}: ${name}@${version}`).toBe(
            `${page}: ${name}@${manifest.devDependencies[name]}`,
          );
    }
  });
});
