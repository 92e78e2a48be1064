import { PerfError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * Type-checks a scenario and loads it without running it: prints every type error with file and
 * line (exit 2), or its user classes and each task's share of the traffic (exit 0).
 */
export async function runCheckJob(file: string, print: (line: string) => void): Promise<ExitCode> {
  const { formatProblem, loadScenario, pickerOf, typecheckScenario } = await import(
    '../load/index.js'
  );
  if (/\.[mc]?tsx?$/.test(file)) {
    const problems = await typecheckScenario(file);
    if (problems.length > 0) {
      for (const problem of problems.slice(1)) print(formatProblem(problem));
      throw new PerfError(
        'FP_ERR_SCENARIO',
        `${formatProblem(problems[0] as (typeof problems)[number])}${problems.length > 1 ? ` (${problems.length} type errors, all listed above)` : ''}`,
      );
    }
  }
  const scenario = await loadScenario(file);
  // Every class's tasks checked before anything is said to be OK.
  const shares = new Map(
    [...scenario.classes].map(([name, cls]) => [name, pickerOf(cls).shares()]),
  );
  print(`${file}: OK`);
  for (const [name, cls] of scenario.classes) {
    const marker = scenario.defaultClass === cls ? ' (default)' : '';
    print(`  ${name}${marker}: weight ${cls.weight}, wait ${cls.waitTime.description}`);
    for (const [task, share] of Object.entries(shares.get(name) ?? {}))
      print(`    ${percent(share).padStart(6)}  ${task}`);
  }
  return EXIT.ok;
}
