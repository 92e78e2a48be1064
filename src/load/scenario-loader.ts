import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isUserClass, type UserClass } from './scenario.js';
import { ScenarioError } from './task-picker.js';

export interface LoadedScenario {
  readonly file: string;
  /** The default export, when it is a user class. */
  readonly defaultClass: UserClass | undefined;
  /** Every exported user class by its export name. */
  readonly classes: ReadonlyMap<string, UserClass>;
}

const ownExtension = extname(fileURLToPath(import.meta.url));
/** This package's public entry, in the form it runs in (dist .js, or .ts from source). */
export const PACKAGE_ENTRY = new URL(`../index${ownExtension}`, import.meta.url).href;

let hooked = false;

/**
 * Makes `import ... from 'fiml-perf'` in a scenario resolve to the running fiml-perf, wherever
 * the scenario file lives, so scenarios need no install of their own and share this instance.
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

/** Where in the scenario file an error happened, from its stack or esbuild's message. */
function locate(error: Error, file: string): string {
  const text = `${error.message}\n${error.stack ?? ''}`;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(text);
  return match ? `${file}:${match[1]}:${match[2]}` : file;
}

/** The first line of an error message, without esbuild's prefix noise. */
function firstLine(error: Error): string {
  const lines = error.message.split('\n').map((l) => l.trim());
  const detail = lines.find((l) => /ERROR:/.test(l));
  if (detail) return detail.replace(/^.*?ERROR:\s*/, '');
  return lines[0] ?? String(error);
}

/**
 * Imports a scenario file (`.ts` or `.js`, through tsx) and finds its user classes.
 * @throws ScenarioError when the file is missing, does not compile, throws or has no user class
 */
export async function loadScenario(path: string): Promise<LoadedScenario> {
  const file = resolve(path);
  if (!existsSync(file))
    throw new ScenarioError(`scenario file ${path} not found; pass a .ts or .js file with -f`);
  hookPackageName();
  let module: Record<string, unknown>;
  try {
    // Through tsx for .js too: a .js scenario may import .ts helpers (and, run from source,
    // 'fiml-perf' itself is .ts).
    const { tsImport } = await import('tsx/esm/api');
    module = await tsImport(pathToFileURL(file).href, import.meta.url);
  } catch (error) {
    const err = error as Error;
    throw new ScenarioError(`${locate(err, file)}: ${firstLine(err)}`);
  }
  const fallback = module.default;
  const defaultClass = isUserClass(fallback) ? fallback : undefined;
  // The default class first, under its class name; then the named exports.
  const classes = new Map<string, UserClass>();
  if (defaultClass) classes.set(defaultClass.name, defaultClass);
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'default' && isUserClass(value) && value !== defaultClass)
      classes.set(name, value);
  }
  if (classes.size === 0)
    throw new ScenarioError(
      `${path} exports no user class: export default class MyUser extends User { ... }`,
    );
  return { file, defaultClass, classes };
}

/**
 * The classes to run: those named (as Locust takes class names on its command line), else the
 * default export, else every exported class. @throws ScenarioError naming what is available
 */
export function selectClasses(scenario: LoadedScenario, names: readonly string[]): UserClass[] {
  if (names.length > 0) {
    const missing = names.filter((n) => !scenario.classes.has(n));
    if (missing.length > 0)
      throw new ScenarioError(
        `no user class ${missing.join(', ')} in ${scenario.file}; it has ${[...scenario.classes.keys()].join(', ')}`,
      );
    return names.map((n) => scenario.classes.get(n) as UserClass);
  }
  if (scenario.defaultClass) return [scenario.defaultClass];
  return [...scenario.classes.values()];
}
