import { Command, CommanderError } from 'commander';
import { InterruptedError, isPerfError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { docsFromHere } from '../util/docs-path.js';
import { VERSION } from '../version.js';

export { VERSION } from '../version.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const stdio: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Every command, with what the root help shows; a command's module (its options, and everything
 * it runs) is imported only when that command runs, so `--help` and a wrong flag answer at once.
 */
const COMMANDS: ReadonlyArray<{
  readonly name: string;
  readonly description: string;
  readonly register: () => Promise<(command: Command) => void>;
}> = [
  {
    name: 'serve',
    description: 'run FIML, the financial-data API that fiml-perf tests by default',
    register: async () => (await import('./serve.js')).registerServe,
  },
  {
    name: 'run',
    description:
      'the main job (npm start): embedded FIML, the standard scenario, the six targets, reports/',
    register: async () => (await import('./run.js')).registerRun,
  },
  {
    name: 'load',
    description:
      'run a load test: a TypeScript scenario (closed or open model), or one URL (quick mode)',
    register: async () => (await import('./load.js')).registerLoad,
  },
  {
    name: 'agent',
    description:
      'one instance of a distributed run: joins the coordinator through Redis and runs its share',
    register: async () => (await import('./agent.js')).registerAgent,
  },
  {
    name: 'k8s',
    description:
      'render the Kubernetes manifests of a distributed run: an Indexed Job of agents, a coordinator, Redis',
    register: async () => (await import('./k8s.js')).registerK8s,
  },
  {
    name: 'ui',
    description:
      'the live web UI: start, steer and watch load tests from the browser (http://127.0.0.1:8089)',
    register: async () => (await import('./ui.js')).registerUi,
  },
  {
    name: 'profile',
    description:
      'profile the service under load: hot functions, a flame graph, .cpuprofile (docs/profile.md)',
    register: async () => (await import('./profile.js')).registerProfile,
  },
  {
    name: 'targets',
    description:
      'run a short standard load and judge it against performance targets; exit 1 when one fails',
    register: async () => (await import('./targets.js')).registerTargets,
  },
  {
    name: 'stress',
    description: 'stress suite: peak, spike, endurance, breakpoint, faults',
    register: async () => (await import('./stress.js')).registerStress,
  },
  {
    name: 'report',
    description:
      'one self-contained HTML report (charts, targets, analysis) from stored results; --baseline compares',
    register: async () => (await import('./report.js')).registerReport,
  },
  {
    name: 'check',
    description:
      'type-check a scenario file and show its user classes and task mix, without running it',
    register: async () => (await import('./check.js')).registerCheck,
  },
  {
    name: 'bench',
    description:
      'run component benchmarks (bench/**/*.bench.ts) with calibrated sampling and statistics',
    register: async () => (await import('./bench.js')).registerBench,
  },
  {
    name: 'compare',
    description:
      'statistical verdict per benchmark or endpoint: regression, improvement, within threshold, no change or inconclusive',
    register: async () => (await import('./compare.js')).registerCompare,
  },
  {
    name: 'ab',
    description:
      'benchmark the working tree against a git ref in alternating fresh processes, then compare',
    register: async () => (await import('./ab.js')).registerAb,
  },
  {
    name: 'trend',
    description:
      'each benchmark across saved runs: drift and change points (a creeping regression no single PR showed)',
    register: async () => (await import('./trend.js')).registerTrend,
  },
];

/** The command an argument list runs (`help X` and `X --help` included), if it names one. */
function commandOf(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.some((c) => c.name === first) ? first : undefined;
}

/**
 * The `fiml-perf` command and its subcommands; errors throw instead of exiting. Only the command
 * `argv` runs is loaded whole; the others are listed by name and description. Without `argv`,
 * every command is loaded (what the workflow test inspects).
 */
export async function buildProgram(io: Io = stdio, argv?: readonly string[]): Promise<Command> {
  const program = new Command('fiml-perf')
    .description(
      'Performance testing for HTTP services, with FIML as the service it tests by default',
    )
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nDocs: docs/, a page per command, and README.md beside it.');
  const wanted = argv ? commandOf(argv) : undefined;
  for (const { name, description, register } of COMMANDS) {
    const command = program.command(name).description(description);
    if (!argv || name === wanted) (await register())(command);
  }
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.out(docsFromHere(text)),
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
  const program = await buildProgram(io, argv);
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
    if (error instanceof InterruptedError) {
      io.err(`fiml-perf: ${error.message}\n`);
      return EXIT.interrupted;
    }
    io.err(
      `fiml-perf: internal error, please report it with this trace:\n${(error as Error).stack ?? String(error)}\n`,
    );
    return EXIT.bug;
  }
}
