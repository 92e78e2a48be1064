/**
 * The import graph keeps the shape DESIGN.md's "Layout" gives it (issue 24): no import circle
 * between files; folders import one way, `cli -> jobs -> capabilities -> stats -> util`; the
 * capabilities import each other without a circle between folders; `fiml` uses monitor and
 * nothing else of the suite; a folder is entered through its index.ts. Pure: it reads the files
 * and parses them with TypeScript's parser; nothing runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The folders between jobs and stats; they may import each other, without a circle. */
const CAPABILITIES = [
  'load',
  'targets',
  'stress',
  'bench',
  'regress',
  'profile',
  'report',
  'monitor',
  'ui',
  'distributed',
  'convert',
  'database',
];

/**
 * Imports of another folder's internal file that are allowed, each with its reason. A lazy one is
 * an `import()` in a command's action, so `--help` and a wrong flag load none of it
 * (tests/cli/startup.test.ts); it names a file rather than the index because the index would load
 * more than the command runs. The test fails when a lazy one is also imported statically (a
 * static `import type` costs nothing and is allowed), or when an entry is no longer found.
 */
const INTERNAL_IMPORTS: Readonly<Record<string, { lazy: boolean; reason: string }>> = {
  'src/jobs/k8s.ts -> src/distributed/k8s.ts': {
    lazy: true,
    reason:
      "the manifests (kubernetes-models, yaml) are kept out of distributed's index, so a coordinator or an agent never loads them; only `fiml-perf k8s` does",
  },
  'src/jobs/k8s.ts -> src/distributed/bundle.ts': {
    lazy: true,
    reason:
      "`k8s` bundles the scenario only; distributed's index would load the agent and the coordinator (ioredis, the load engine, the HDR histograms)",
  },
};

type Kind = 'static' | 'type' | 'dynamic';

interface Import {
  readonly specifier: string;
  readonly kind: Kind;
}

/**
 * The relative imports of a module's text: `import ... from`, `export ... from`, side-effect
 * imports, `import()` and `import('...')` types. `import type` and `export type` are type-only
 * (erased); comments and strings are not imports.
 */
function importsOf(text: string, fileName = 'file.ts'): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  const add = (node: ts.Node | undefined, kind: Kind) => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.'))
      found.push({ specifier: node.text, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node))
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ? 'type' : 'static');
    else if (ts.isExportDeclaration(node))
      add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'static');
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0], 'dynamic');
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node.argument.literal, 'type');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: Kind;
}

/** Every .ts file under `dir`, relative to the root, with / separators. */
function tsFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = [...tsFiles('src'), ...tsFiles('fiml')].sort();
const known = new Set(files);
const unresolved: string[] = [];
const edges: Edge[] = files.flatMap((from) =>
  importsOf(readFileSync(`${root}${from}`, 'utf8'), from).flatMap(({ specifier, kind }) => {
    const to = posix.join(posix.dirname(from), specifier).replace(/\.js$/, '.ts');
    if (known.has(to)) return [{ from, to, kind }];
    // A relative import out of src/ and fiml/ (package.json) is not the graph's business.
    if (to.startsWith('src/') || to.startsWith('fiml/')) unresolved.push(`${from}: ${specifier}`);
    return [];
  }),
);

/** The package's entry files at the root of src/ (package.json main and exports). */
const ENTRIES = (() => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  const targets = JSON.stringify([pkg.main, pkg.exports]).match(/\.\/dist\/src\/[^"]+\.js/g);
  return new Set(['src/index.ts', ...(targets ?? []).map((t) => `src/${t.slice(11, -3)}.ts`)]);
})();

interface Area {
  /** `cli`, `jobs`, a capability, `stats`, `util` (util/ and the root files), an entry, `fiml`. */
  readonly name: string;
  /** Higher imports lower: cli 4, entries 3.5 (anything below cli), jobs 3, capabilities 2. */
  readonly level: number;
  /** The folder entered through its index.ts; none for util-level files. */
  readonly folder: string | undefined;
}

const LEVELS: Readonly<Record<string, number>> = { cli: 4, jobs: 3, stats: 1, util: 0 };

function areaOf(file: string): Area {
  const parts = file.split('/');
  if (parts[0] === 'fiml') return { name: 'fiml', level: Number.NaN, folder: 'fiml' };
  if (ENTRIES.has(file)) return { name: file, level: 3.5, folder: undefined };
  if (parts.length === 2) return { name: 'util', level: 0, folder: undefined };
  const name = parts[1] as string;
  const level = CAPABILITIES.includes(name) ? 2 : LEVELS[name];
  if (level === undefined) throw new Error(`${file}: src/${name} is in no level; add it above`);
  return { name, level, folder: name === 'util' ? undefined : `src/${name}` };
}

interface Violation {
  /** `from -> to`, as INTERNAL_IMPORTS lists it. */
  readonly key: string;
  readonly message: string;
}

const arrow = (e: Edge) => `${e.from} -> ${e.to}`;

/** Strongly connected components with more than one node (or a node that imports itself). */
function circles(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || next(v).includes(v)) found.push(component.sort());
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return found;
}

/** The shortest way from `from` to `to` inside `nodes`, both ends included. */
function shortestPath(
  from: string,
  to: string,
  nodes: ReadonlySet<string>,
  next: (node: string) => readonly string[],
): string[] {
  const cameFrom = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0 && !cameFrom.has(to)) {
    const node = queue.shift() as string;
    for (const w of next(node))
      if (nodes.has(w) && !cameFrom.has(w)) {
        cameFrom.set(w, node);
        queue.push(w);
      }
  }
  const path = [to];
  while (path[0] !== from) path.unshift(cameFrom.get(path[0] as string) as string);
  return path;
}

/** The arrows of a circle written `a -> b -> a`. */
function arrowsOf(circle: string): string[] {
  const nodes = circle.split(' -> ');
  return nodes.slice(1).map((to, i) => `${nodes[i]} -> ${to}`);
}

/**
 * One circle per tangle of nodes that reach each other, as `a -> b -> a`: the shortest one, with
 * the tangle's size.
 */
function tangles(
  nodes: readonly string[],
  next: (node: string) => readonly string[],
): Array<{ circle: string; size: number }> {
  return circles(nodes, next).flatMap((component) => {
    const inside = new Set(component);
    let shortest: string[] | undefined;
    for (const from of component)
      for (const to of next(from)) {
        if (!inside.has(to)) continue;
        const ring = [from, ...(from === to ? [from] : shortestPath(to, from, inside, next))];
        if (!shortest || ring.length < shortest.length) shortest = ring;
      }
    return shortest ? [{ circle: shortest.join(' -> '), size: component.length }] : [];
  });
}

const importsFrom = new Map<string, string[]>();
for (const e of edges) importsFrom.set(e.from, [...(importsFrom.get(e.from) ?? []), e.to]);
const fileNext = (file: string) => [...new Set(importsFrom.get(file) ?? [])].sort();

/** Import circles between files. */
function fileCircles(): string[] {
  return tangles(files, fileNext).map(
    ({ circle, size }) =>
      `import circle: ${circle}${size > arrowsOf(circle).length ? ` (one of the circles among ${size} files)` : ''}`,
  );
}

const ORDER = 'cli -> jobs -> capabilities -> stats -> util';

/** Arrows between folders that go against the order, into fiml, or out of fiml too far. */
function wrongWay(): Violation[] {
  const out: Violation[] = [];
  for (const e of edges) {
    const from = areaOf(e.from);
    const to = areaOf(e.to);
    if (from.name === to.name) continue;
    const say = (why: string) =>
      out.push({ key: arrow(e), message: `${e.from} imports ${e.to}: ${why}` });
    if (from.name === 'fiml') {
      if (e.to !== 'src/monitor/index.ts' && to.name !== 'util')
        say('fiml may import src/monitor/index.ts and util-level files only');
    } else if (to.name === 'fiml') {
      if (from.name !== 'cli' && from.name !== 'jobs') say('only cli and jobs start FIML');
    } else if (to.level > from.level || (to.level === from.level && from.level !== 2))
      say(`${from.name} may not import ${to.name} (${ORDER})`);
  }
  return out;
}

/** Circles between capability folders, each with a file that makes each of its arrows. */
function folderCircles(): string[] {
  const arrows = new Map<string, Edge>();
  for (const e of edges) {
    const from = areaOf(e.from).name;
    const to = areaOf(e.to).name;
    if (from !== to && CAPABILITIES.includes(from) && CAPABILITIES.includes(to))
      if (!arrows.has(`${from} -> ${to}`)) arrows.set(`${from} -> ${to}`, e);
  }
  const next = (folder: string) => CAPABILITIES.filter((to) => arrows.has(`${folder} -> ${to}`));
  return tangles(CAPABILITIES, next).map(
    ({ circle }) =>
      `folder circle: ${circle} (${arrowsOf(circle)
        .map((a) => arrow(arrows.get(a) as Edge))
        .join('; ')})`,
  );
}

/** Imports into another folder that land on a file other than an index.ts. */
function internalImports(): Violation[] {
  const out: Violation[] = [];
  const byArrow = new Map<string, Edge[]>();
  for (const e of edges) byArrow.set(arrow(e), [...(byArrow.get(arrow(e)) ?? []), e]);
  for (const [key, imports] of byArrow) {
    const { from, to } = imports[0] as Edge;
    const folder = areaOf(to).folder;
    if (!folder || areaOf(from).name === areaOf(to).name || posix.basename(to) === 'index.ts')
      continue;
    const allowed = INTERNAL_IMPORTS[key];
    if (allowed?.lazy && imports.every((e) => e.kind !== 'static')) continue;
    if (allowed && !allowed.lazy) continue;
    let face = `${posix.dirname(to)}/index.ts`;
    while (!known.has(face) && posix.dirname(face) !== folder)
      face = `${posix.dirname(posix.dirname(face))}/index.ts`;
    if (!known.has(face)) face = `${folder}/index.ts`;
    out.push({
      key,
      message: `${from} imports ${to}, an internal file${allowed ? ', statically' : ''}: import ${face}`,
    });
  }
  return out;
}

/** What the rules find, as messages. */
const unexpected = (found: readonly Violation[]) => found.map((v) => v.message);

describe('the import graph', () => {
  it('is read from every file, with every relative import resolved', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(files.length);
    expect(unresolved).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(fileCircles()).toEqual([]);
  });

  it(`has folders import one way (${ORDER}), and fiml only monitor's index and util`, () => {
    expect(unexpected(wrongWay())).toEqual([]);
  });

  it('has no circle between the capabilities', () => {
    expect(folderCircles()).toEqual([]);
  });

  it('enters another folder through its index.ts, but for the allowed internal imports', () => {
    expect(unexpected(internalImports())).toEqual([]);
  });

  it('has no command importing another: commands share option tables only', () => {
    // program.ts lists the commands, main.ts and index.ts are the CLI's entries.
    const shared = /^src\/cli\/(.*-options|option-table|program|main|index)\.ts$/;
    const command = (file: string) => file.startsWith('src/cli/') && !shared.test(file);
    expect(edges.filter((e) => command(e.from) && command(e.to)).map(arrow)).toEqual([]);
  });

  it('allows internal imports only while they are there', () => {
    const arrows = new Set(edges.map(arrow));
    expect(Object.keys(INTERNAL_IMPORTS).filter((key) => !arrows.has(key))).toEqual([]);
  });
});

describe('importsOf', () => {
  it('finds static, type-only, re-exported and dynamic imports, and nothing in text', () => {
    const text = `
      import a from './a.js';
      import type { B } from './b.js';
      import { type C } from './c.js';
      export { d } from './d.js';
      export type { E } from './e.js';
      export * from './f.js';
      import './g.js';
      const h = await import('./h.js');
      type I = typeof import('./i.js');
      import fs from 'node:fs';
      // import x from './comment.js';
      const s = "import y from './string.js'";
      const t = \`import('./template.js')\`;`;
    expect(importsOf(text)).toEqual([
      { specifier: './a.js', kind: 'static' },
      { specifier: './b.js', kind: 'type' },
      // Kept as `import {} from './c.js'` under verbatimModuleSyntax: it loads the module.
      { specifier: './c.js', kind: 'static' },
      { specifier: './d.js', kind: 'static' },
      { specifier: './e.js', kind: 'type' },
      { specifier: './f.js', kind: 'static' },
      { specifier: './g.js', kind: 'static' },
      { specifier: './h.js', kind: 'dynamic' },
      { specifier: './i.js', kind: 'type' },
    ]);
  });
});
