import { existsSync } from 'node:fs';
import { type LoadedScenario, loadScenario } from './scenario-loader.js';
import { pickerOf, ScenarioError } from './task-picker.js';
import { formatProblem, typecheckScenario } from './typecheck.js';

/**
 * A scenario file made ready to run, once: type-checked first when `typecheck` and it is
 * TypeScript (the bundled scenario is checked by this repository's CI), then imported, which
 * runs its top-level code. @throws ScenarioError (FP_ERR_SCENARIO) with file and line
 */
export async function prepareScenario(file: string, typecheck: boolean): Promise<LoadedScenario> {
  if (!existsSync(file))
    throw new ScenarioError(`scenario file ${file} not found; pass a .ts or .js file with -f`);
  if (typecheck && /\.[mc]?tsx?$/.test(file)) {
    const problems = await typecheckScenario(file);
    if (problems.length > 0) {
      const more =
        problems.length > 1 ? ` (and ${problems.length - 1} more: fiml-perf check -f ${file})` : '';
      throw new ScenarioError(
        `${formatProblem(problems[0] as (typeof problems)[number])}${more}; fix it or pass --no-typecheck`,
      );
    }
  }
  const scenario = await loadScenario(file);
  // Every class's tasks checked now (a weight, a method it lacks), not when its first user starts.
  for (const cls of scenario.classes.values()) pickerOf(cls);
  return scenario;
}
