import { EXIT } from '../exit-codes.js';
import { runCli } from './program.js';

// A Ctrl-C or SIGTERM never ends this process by signal: while a run's lifecycle is on, its own
// handler stops the run and lets it write; outside one (a command without one, or the moments
// after the files are written and before the exit) the process exits with 130 here.
const exitOnSignal = (signal: NodeJS.Signals) => {
  if (process.listenerCount(signal) === 1) process.exit(EXIT.interrupted);
};
process.on('SIGINT', exitOnSignal);
process.on('SIGTERM', exitOnSignal);

// The only place that ends the process: every command returns its exit code to here.
process.exit(await runCli(process.argv));
