import { register } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ownExtension = extname(fileURLToPath(import.meta.url));
/** This package's public entry, in the form it runs in (dist .js, or .ts from source). */
export const PACKAGE_ENTRY = new URL(`../index${ownExtension}`, import.meta.url).href;

let hooked = false;

/**
 * Makes `import ... from 'fiml-perf'` in a user's file resolve to the running fiml-perf,
 * wherever the file lives, so scenarios and benchmarks need no install of their own.
 */
function hookPackageName(): void {
  if (hooked) return;
  hooked = true;
  const source = `export async function resolve(specifier, context, next) {
    if (specifier === 'fiml-perf') return { url: ${JSON.stringify(PACKAGE_ENTRY)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** Imports a user's .ts or .js module through tsx, with 'fiml-perf' resolved to this package. */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  hookPackageName();
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(file).href, import.meta.url);
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
  const first = lines[0] ?? String(error);
  // require() (a .ts file outside an ESM package is CommonJS) does not see the name hook.
  if (/Cannot find module 'fiml-perf'/.test(first))
    return `${first}: the file is loaded as CommonJS; name it .mts, or add "type": "module" to the nearest package.json`;
  return first;
}
