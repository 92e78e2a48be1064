import type { Command } from 'commander';
import { addOptions, resolveOptions } from './option-table.js';
import { runUi, uiTable } from './ui-options.js';

const EXAMPLES = `
Examples:
  fiml-perf ui                                     the UI on http://127.0.0.1:8089, embedded FIML
  fiml-perf ui -f scenarios/fiml.ts HighLoadUser --host http://127.0.0.1:8000
  fiml-perf ui -u 50 -r 5 -t 5m --target 'p99 < 500ms'    the form filled from the flags
  fiml-perf ui --autostart --autoquit 10 -t 1m     run unattended, then quit with its exit code
  fiml-perf ui --web-host 0.0.0.0                  reachable from the network, with a token
  fiml-perf ui --metrics-port 9464                 every test's figures at :9464/metrics for Prometheus
  fiml-perf load --ui -u 100 --rate 50 --max-users 200    the same UI from load

Docs: docs/ui.md`;

export function registerUi(command: Command): void {
  command
    .argument('[users...]', 'user classes of the scenario picked in the form')
    .addHelpText('after', EXAMPLES);
  addOptions(command, uiTable).action(async (args: string[], raw: Record<string, unknown>) => {
    const flags = resolveOptions(uiTable, raw);
    process.exitCode = await runUi(flags, args);
  });
}
