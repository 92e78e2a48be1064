import { runCli } from './program.js';

// The only place that ends the process: every command returns its exit code to here.
process.exit(await runCli(process.argv));
