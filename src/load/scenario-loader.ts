import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { firstLine, importUserModule, locateError } from '../util/import-module.js';
import { isUserClass, type UserClass } from './scenario.js';
import { ScenarioError } from './task-picker.js';

export interface LoadedScenario {
  readonly file: string;
  /** The default export, when it is a user class. */
  readonly defaultClass: UserClass | undefined;
  /** Every exported user class by its export name. */
  readonly classes: ReadonlyMap<string, UserClass>;
}

/**
 * Imports a scenario file (`.ts` or `.js`, through tsx) and finds its user classes.
 * @throws ScenarioError when the file is missing, does not compile, throws or has no user class
 */
export async function loadScenario(path: string): Promise<LoadedScenario> {
  const file = resolve(path);
  if (!existsSync(file))
    throw new ScenarioError(`scenario file ${path} not found; pass a .ts or .js file with -f`);
  let module: Record<string, unknown>;
  try {
    // Through tsx for .js too: a .js scenario may import .ts helpers (and, run from source,
    // 'fiml-perf' itself is .ts).
    module = await importUserModule(file);
  } catch (error) {
    const err = error as Error;
    throw new ScenarioError(`${locateError(err, file)}: ${firstLine(err, file)}`);
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
