import { Command, CommanderError } from 'commander';
import { isPerfError } from '../errors.js';
import { registerAb } from './ab.js';
import { registerBench } from './bench.js';
import { registerCheck } from './check.js';
import { registerCompare } from './compare.js';
import { EXIT, EXIT_BUG } from './exit-codes.js';
import { registerLoad } from './load.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerStress } from './stress.js';
import { registerTargets } from './targets.js';
import { registerTrend } from './trend.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const stdio: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The `fiml-perf` command and its subcommands; errors throw instead of exiting. */
export function buildProgram(io: Io = stdio): Command {
  const program = new Command('fiml-perf')
    .description(
      'Performance testing for HTTP services, with FIML as the service it tests by default',
    )
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nDocs: README.md and docs/ in the fiml-perf repository.');
  registerServe(program);
  registerRun(program);
  registerLoad(program);
  registerTargets(program);
  registerStress(program);
  registerCheck(program);
  registerBench(program);
  registerCompare(program);
  registerAb(program);
  registerTrend(program);
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      // Commander's own errors: one line, then where to look.
      outputError: (message, write) => {
        const name = command.name() === 'fiml-perf' ? 'fiml-perf' : `fiml-perf ${command.name()}`;
        write(
          `${name}: ${message
            .replace(/^error: /, '')
            .replace(/\n+/g, ' ')
            .trim()} (see '${name} --help')\n`,
        );
      },
    });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code; never exits itself. */
export async function runCli(argv: readonly string[], io: Io = stdio): Promise<number> {
  const program = buildProgram(io);
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
        error.code,
      );
      return ok ? EXIT.ok : EXIT.usage;
    }
    if (isPerfError(error)) {
      io.err(`fiml-perf: ${error.message}\n`);
      return EXIT.usage;
    }
    io.err(
      `fiml-perf: internal error, please report it with this trace:\n${(error as Error).stack ?? String(error)}\n`,
    );
    return EXIT_BUG;
  }
}
