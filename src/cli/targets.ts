import type { Command } from 'commander';
import { databaseOptions } from './database-options.js';
import { loadOptions, reportPathFor, resolveLoad, withStandardLoad } from './load-options.js';
import { addOptions, resolveOptions } from './option-table.js';
import { resolveExitCodeOnError, resolveTargets, targetOptions } from './target-options.js';

export function registerTargets(command: Command): void {
  command.argument('[users...]', 'user classes of the scenario to run').addHelpText(
    'after',
    `
Runs the standard scenario (100 users, 30 s; embedded FIML unless --host) and judges the six
standard targets (targets/standard.yaml) unless --targets or --target say otherwise.

Examples:
  fiml-perf targets                                  the six standard targets
  fiml-perf targets --only p99 --only cache          two of them
  fiml-perf targets --targets my-targets.yaml --host http://127.0.0.1:8000 -t 1m
  fiml-perf targets --target 'endpoint["[Price] Simple Query"].p95 < 50ms' --junit targets.xml
  fiml-perf targets -t 5m --window 30s               every target in every 30 s window too

Docs: docs/targets.md`,
  );
  const table = { ...loadOptions, ...targetOptions, ...databaseOptions };
  addOptions(command, table).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(table, raw);
    const resolved = resolveLoad(withStandardLoad(flags), args);
    // The report goes beside the result, unless --html puts it elsewhere.
    const request = {
      ...resolved,
      html: resolved.html ?? (resolved.json ? reportPathFor(resolved.json) : undefined),
    };
    const targets = await resolveTargets(flags, true);
    const { runLoadJob } = await import('../jobs/index.js');
    const exitCodeOnError = resolveExitCodeOnError(flags, targets);
    process.exitCode = (
      await runLoadJob({ request, targets, exitCodeOnError, postgres: flags.postgres })
    ).code;
  });
}
