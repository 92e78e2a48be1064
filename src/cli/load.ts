import type { Command } from 'commander';
import { databaseOptions } from './database-options.js';
import { distributedOptions, resolveDistributed } from './distributed-options.js';
import { loadOptions, resolveLoad } from './load-options.js';
import { metricsOptions, resolveMetrics } from './metrics-options.js';
import { addOptions, flag, resolveOptions } from './option-table.js';
import { resolveExitCodeOnError, resolveTargets, targetOptions } from './target-options.js';
import { uiOptions } from './ui-options.js';

export function registerLoad(command: Command): void {
  command
    .argument(
      '[url-or-users...]',
      'a URL to hammer (quick mode), or user classes of the scenario to run',
    )
    .addHelpText(
      'after',
      `
Examples:
  fiml-perf load                                   standard FIML mix, 10 users, 30s, embedded FIML
  fiml-perf load -u 100 -r 10 -t 5m --json out.json
  fiml-perf load -f scenarios/fiml.ts HighLoadUser --host http://127.0.0.1:8000
  fiml-perf load --rate 500 --max-users 200 -t 1m    open model: 500 iterations/s
  fiml-perf load -t 5m --targets targets/standard.yaml --window 30s --abort-on-fail
  fiml-perf load --target 'p99 < 500ms' --target 'error_rate < 1%' --junit targets.xml
  fiml-perf load --stages 30s:100,2m:100,30s:0
  fiml-perf load --ui -u 50 -r 5                    the live web UI, its form filled from the flags
  fiml-perf load http://127.0.0.1:8000/health -c 50 -d 10s    quick mode, as autocannon
  fiml-perf load --rate 400 -t 1m --host http://10.0.0.5:8000 --coordinator redis://127.0.0.1:6379 --instances 4
                                                    4 agents (fiml-perf agent) run it together
  fiml-perf load http://127.0.0.1:8000/x --rate 10000 -m POST -H 'content-type: application/json' -b '{}'

Docs: docs/load.md`,
    );
  const table = {
    ...loadOptions,
    ...targetOptions,
    ...metricsOptions,
    ...databaseOptions,
    ...distributedOptions,
    ui: {
      flags: '--ui',
      description:
        'open the live web UI with the form filled from these flags, instead of running at once (docs/ui.md)',
      schema: flag.bool(false),
    },
    ...uiOptions,
  };
  addOptions(command, table).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(table, raw);
    const distributed = resolveDistributed(flags);
    if (flags.ui) {
      const { runUi } = await import('./ui-options.js');
      process.exitCode = await runUi(flags, args);
      return;
    }
    const request = resolveLoad(flags, args);
    const targets = await resolveTargets(flags, false);
    const { runLoadJob } = await import('../jobs/index.js');
    const metrics = resolveMetrics(flags);
    const exitCodeOnError = resolveExitCodeOnError(flags, targets);
    process.exitCode = (
      await runLoadJob({
        request,
        targets,
        metrics,
        distributed,
        exitCodeOnError,
        postgres: flags.postgres,
      })
    ).code;
  });
}
