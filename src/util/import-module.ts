import Module, { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ownExtension = extname(fileURLToPath(import.meta.url));
/** This package's public entry, in the form it runs in (dist .js, or .ts from source). */
export const PACKAGE_ENTRY = new URL(`../index${ownExtension}`, import.meta.url).href;

let hooked = false;

/**
 * Makes `import ... from 'fiml-perf'` in a user's file resolve to the running fiml-perf,
 * wherever the file lives, so scenarios and benchmarks need no install of their own; and loads a
 * user's `.ts` file as an ES module unless its package says `"type": "commonjs"`, as TypeScript
 * users expect (top-level await, import.meta) where Node would pick CommonJS for want of a
 * package.json.
 */
function hookPackageName(): void {
  hooked = true;
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
    if (specifier === 'fiml-perf') return { url: ${JSON.stringify(PACKAGE_ENTRY)}, shortCircuit: true };
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
 */
function hookRequire(namespace: Record<string, unknown>): void {
  const cjs = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = cjs._load;
  cjs._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'fiml-perf' ? namespace : load.call(this, request, ...rest);
  };
}

/** Imports a user's .ts or .js module through tsx, with 'fiml-perf' resolved to this package. */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  if (!hooked) {
    hookPackageName();
    hookRequire(await import(PACKAGE_ENTRY));
  }
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

/** The first line of an error message, without esbuild's prefix noise, with a hint if known. */
export function firstLine(error: Error): string {
  const lines = error.message.split('\n').map((l) => l.trim());
  const detail = lines.find((l) => /ERROR:/.test(l));
  if (detail) return detail.replace(/^.*?ERROR:\s*/, '');
  return lines[0] ?? String(error);
}
