import { existsSync, readFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ownExtension = extname(fileURLToPath(import.meta.url));
const entry = (path: string) => new URL(`../${path}${ownExtension}`, import.meta.url).href;

/**
 * This package's entries by the name a file imports (package.json's `exports`, which a test
 * keeps in step), in the form they run in (dist .js, or .ts from source).
 */
export const PACKAGE_ENTRIES: Readonly<Record<string, string>> = {
  'fiml-perf': entry('index'),
  'fiml-perf/runner': entry('public/runner'),
  'fiml-perf/bench': entry('public/bench'),
  'fiml-perf/monitor': entry('public/monitor'),
};

/** This package's front, the scenario author's API. */
export const PACKAGE_ENTRY = PACKAGE_ENTRIES['fiml-perf'] as string;

/**
 * The entries a CommonJS `require` gets as the very modules `import` loads: the front, and those
 * that load nothing it does not. `fiml-perf/monitor` loads prom-client, which a scenario rarely
 * wants, so `require` loads it when asked, as a copy of its own (it shares no state with a run).
 */
const PRELOADED = ['fiml-perf', 'fiml-perf/runner', 'fiml-perf/bench'];

let hooked: Promise<void> | undefined;

/**
 * Makes `import ... from 'fiml-perf'` (or one of its subpaths) in a user's file resolve to the
 * running fiml-perf, wherever the file lives, so scenarios and benchmarks need no install of their
 * own; and loads a user's `.ts` file as an ES module unless its package says `"type":
 * "commonjs"`, as TypeScript users expect (top-level await, import.meta) where Node would pick
 * CommonJS for want of a package.json.
 */
function hookPackageName(): void {
  const source = `import { existsSync, readFileSync } from 'node:fs';
  import { dirname, join } from 'node:path';
  import { fileURLToPath } from 'node:url';
  function declaredCommonJs(file) {
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest)) {
        try { return JSON.parse(readFileSync(manifest, 'utf8')).type === 'commonjs'; } catch { return false; }
      }
      if (dirname(dir) === dir) return false;
    }
  }
  export async function resolve(specifier, context, next) {
    const entries = ${JSON.stringify(PACKAGE_ENTRIES)};
    if (Object.hasOwn(entries, specifier)) return { url: entries[specifier], shortCircuit: true };
    const resolved = await next(specifier, context);
    const url = resolved.url;
    if (url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/') &&
        resolved.format !== 'module' && !declaredCommonJs(fileURLToPath(url)))
      return { ...resolved, format: 'module' };
    return resolved;
  }`;
  register(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * A CommonJS file's `require('fiml-perf')` (a `.cts` file, or `.ts` in a package that says
 * `"type": "commonjs"`) gets the running package's own module namespace: loading the package again
 * through require would evaluate a second copy of it and of its dependencies (undici refuses that).
 * An entry not preloaded is required from its own file.
 */
function hookRequire(namespaces: ReadonlyMap<string, unknown>): void {
  const cjs = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = cjs._load;
  cjs._load = function (this: unknown, request: string, ...rest: unknown[]) {
    if (namespaces.has(request)) return namespaces.get(request);
    const url = Object.hasOwn(PACKAGE_ENTRIES, request) ? PACKAGE_ENTRIES[request] : undefined;
    return load.call(this, url ? fileURLToPath(url) : request, ...rest);
  };
}

/** Imports a user's .ts or .js module through tsx, with 'fiml-perf' resolved to this package. */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  hooked ??= (async () => {
    hookPackageName();
    const loaded = await Promise.all(
      PRELOADED.map(async (name) => [name, await import(PACKAGE_ENTRIES[name] as string)] as const),
    );
    hookRequire(new Map(loaded));
  })();
  await hooked;
  const { tsImport } = await import('tsx/esm/api');
  const namespace = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<
    string,
    unknown
  >;
  // A CommonJS module compiled from import/export syntax has its exports under `default`.
  const inner = namespace.default as Record<string, unknown> | undefined;
  return inner && typeof inner === 'object' && inner.__esModule === true ? inner : namespace;
}

/** Where in `file` an error happened (from its stack or esbuild's message): `file:line:col`. */
export function locateError(error: Error, file: string): string {
  const text = `${error.message}\n${error.stack ?? ''}`;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(text);
  return match ? `${file}:${match[1]}:${match[2]}` : file;
}

/**
 * The first line of an error message, without esbuild's prefix noise, with a hint if known (the
 * fix of a problem with `file`, when given).
 */
export function firstLine(error: Error, file?: string): string {
  const lines = error.message.split('\n').map((l) => l.trim());
  const detail = lines.find((l) => /ERROR:/.test(l));
  const line = detail ? detail.replace(/^.*?ERROR:\s*/, '') : (lines[0] ?? String(error));
  return file && /top-level await/i.test(line) ? `${line}; ${commonJsFix(file)}` : line;
}

/** The package.json that decides whether `file` is CommonJS, when it says `"type"`. */
function declaredType(file: string): { manifest: string; type: unknown } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return {
          manifest,
          type: (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type,
        };
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * How to make `file` an ES module, where top-level await works: a fresh project's package.json
 * (`npm init -y` writes `"type": "commonjs"`) makes a `.ts` file CommonJS (issue 24).
 */
function commonJsFix(file: string): string {
  const name = basename(file);
  const esm = name.replace(/\.[cm]?([jt])s$/, '.m$1s');
  if (/\.c[jt]s$/.test(name)) return `${name} is CommonJS by its extension: rename it to ${esm}`;
  const declared = declaredType(file);
  const why =
    declared?.type === 'commonjs'
      ? `${declared.manifest} says "type": "commonjs"`
      : 'it loads as CommonJS';
  const there = declared ? 'there' : 'in its package.json';
  return `${why}, so ${name} is CommonJS, without top-level await: rename it to ${esm}, or set "type": "module" ${there}`;
}
