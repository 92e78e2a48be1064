import type { Command } from 'commander';
import { z } from 'zod';
import type { StressEnv, StressOutcome } from '../stress/index.js';
import { readClientConfig } from '../util/client-config.js';
import { parseDuration } from '../util/duration.js';
import { databaseOptions } from './database-options.js';
import { bundledScenario, loadOptions, reportPathFor } from './load-options.js';
import { metricsOptions, resolveMetrics } from './metrics-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

/** The stress suite, loaded when a kind runs (not for --help or a wrong flag). */
const suite = () => import('../stress/index.js');

const ms = (v: string) => parseDuration(v) as number;

/** Flags of every stress kind. */
const common = {
  host: loadOptions.host,
  file: {
    flags: '-f, --file <path>',
    description:
      'scenario whose user classes make the traffic (default: the bundled scenarios/fiml.ts)',
    schema: z.string().min(1).optional(),
  },
  normal: {
    flags: '--normal <rate>',
    description: 'normal load in iterations a second (one task each)',
    schema: flag.number(0.1, 1_000_000, 50),
  },
  maxUsers: {
    flags: '--max-users <n>',
    description: 'most users busy at once; past it iterations are dropped and counted',
    schema: flag.int(1, 1_000_000, 2000),
  },
  json: {
    flags: '--json <file>',
    description: 'write the result JSON (with its stress section) here, atomically',
    schema: z.string().min(1).optional(),
  },
  redis: {
    flags: '--redis <url>',
    description: "Redis URL for the embedded FIML's L2 cache",
    schema: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected a URL such as redis://127.0.0.1:6379')
      .optional(),
  },
  timeout: {
    flags: '--timeout <duration>',
    description: 'a request fails as timeout after this long',
    schema: flag.duration('10s', '10s'),
  },
  seed: loadOptions.seed,
  quiet: loadOptions.quiet,
  html: loadOptions.html,
  insecure: loadOptions.insecure,
  ca: loadOptions.ca,
  cert: loadOptions.cert,
  key: loadOptions.key,
  ...metricsOptions,
  ...databaseOptions,
} satisfies OptionTable;

type CommonFlags = ReturnType<typeof resolveOptions<typeof common>>;

interface Kind<T extends OptionTable> {
  readonly name: string;
  readonly description: string;
  readonly help: string;
  readonly options: T;
  /** Extra `serve` flags for the embedded FIML. */
  readonly fimlArgs?: (flags: ReturnType<typeof resolveOptions<T>>) => string[];
  readonly run: (
    env: StressEnv,
    flags: ReturnType<typeof resolveOptions<T>>,
    common: CommonFlags,
  ) => Promise<StressOutcome<unknown>>;
}

const peak: Kind<Record<string, OptionTable[string]>> = {
  name: 'peak',
  description:
    'twice the normal load (configurable) for a while; passes with few errors and a low p95',
  help: `
  fiml-perf stress peak                          2 x 50/s for 60 s on the embedded FIML
  fiml-perf stress peak --normal 200 --factor 3 -t 5m --max-p95 500ms`,
  options: {
    runTime: {
      flags: '-t, --run-time <duration>',
      description: 'how long',
      schema: flag.duration('60s', '60s'),
    },
    factor: {
      flags: '--factor <x>',
      description: 'peak = factor x normal',
      schema: flag.number(1, 1000, 2),
    },
    maxErrorRate: {
      flags: '--max-error-rate <share>',
      description: 'pass only below this error rate, as 5% or 0.05',
      schema: flag.share(0, 1, 0.05),
    },
    maxP95: {
      flags: '--max-p95 <duration>',
      description: 'pass only below this p95',
      schema: flag.duration('1s', '1s'),
    },
  },
  run: async (env, f, c) =>
    (await suite()).runPeak(env, {
      normalRate: c.normal,
      factor: f.factor as number,
      durationMs: ms(f.runTime as string),
      maxErrorRate: f.maxErrorRate as number,
      maxP95Ms: ms(f.maxP95 as string),
    }),
};

const spike: Kind<Record<string, OptionTable[string]>> = {
  name: 'spike',
  description: 'normal load, a sudden 10x step, then back: peak latency and errors, recovery time',
  help: `
  fiml-perf stress spike                         50/s for 20 s, 500/s for 10 s, 50/s for 30 s
  fiml-perf stress spike --factor 5 --spike 30s --max-recovery 20s`,
  options: {
    factor: {
      flags: '--factor <x>',
      description: 'spike = factor x normal',
      schema: flag.number(1, 1000, 10),
    },
    before: {
      flags: '--before <duration>',
      description: 'normal load before the spike',
      schema: flag.duration('20s', '20s'),
    },
    spike: {
      flags: '--spike <duration>',
      description: 'how long the spike lasts',
      schema: flag.duration('10s', '10s'),
    },
    after: {
      flags: '--after <duration>',
      description: 'normal load after it',
      schema: flag.duration('30s', '30s'),
    },
    maxRecovery: {
      flags: '--max-recovery <duration>',
      description: 'pass only when p95 is back within 10% of before within this long',
      schema: flag.duration('15s', '15s'),
    },
  },
  run: async (env, f, c) =>
    (await suite()).runSpike(env, {
      normalRate: c.normal,
      factor: f.factor as number,
      beforeMs: ms(f.before as string),
      spikeMs: ms(f.spike as string),
      afterMs: ms(f.after as string),
      maxRecoveryMs: ms(f.maxRecovery as string),
    }),
};

const endurance: Kind<Record<string, OptionTable[string]>> = {
  name: 'endurance',
  description:
    'the normal load sustained (1 h): p95, error and memory trends; stable, degrading or leaking',
  help: `
  fiml-perf stress endurance                     50/s for an hour
  fiml-perf stress endurance -t 10m --window 30s`,
  options: {
    runTime: {
      flags: '-t, --run-time <duration>',
      description: 'how long',
      schema: flag.duration('1h', '1h'),
    },
    window: {
      flags: '--window <duration>',
      description:
        'windows the trends are fitted over (default: a twentieth of the run, 5 s at least)',
      schema: flag.optionalDuration('1m'),
    },
    maxP95Growth: {
      flags: '--max-p95-growth <share>',
      description: 'degrading past this fitted p95 growth over the run, as 20% or 0.2',
      schema: flag.share(0, 100, 0.2),
    },
    maxErrorGrowth: {
      flags: '--max-error-growth <share>',
      description: 'degrading past this fitted error-rate growth, in points, as 1% or 0.01',
      schema: flag.share(0, 1, 0.01),
    },
    maxMemoryGrowth: {
      flags: '--max-memory-growth <share>',
      description: "leaking past this fitted growth of the service's memory, as 10% or 0.1",
      schema: flag.share(0, 100, 0.1),
    },
  },
  run: async (env, f, c) =>
    (await suite()).runEndurance(env, {
      normalRate: c.normal,
      durationMs: ms(f.runTime as string),
      windowMs: f.window ? ms(f.window as string) : undefined,
      maxP95Growth: f.maxP95Growth as number,
      maxErrorGrowth: f.maxErrorGrowth as number,
      maxMemoryGrowth: f.maxMemoryGrowth as number,
    }),
};

const breakpoint: Kind<Record<string, OptionTable[string]>> = {
  name: 'breakpoint',
  description:
    'raise the arrival rate step by step until a target breaks: the highest sustainable rate',
  help: `
  fiml-perf stress breakpoint                    50/s, +50/s every 10 s, until p95 >= 1s or errors >= 5%
  fiml-perf stress breakpoint --start 100 --step 100 --max-rate 5000 --target 'p99 < 200ms'`,
  options: {
    start: {
      flags: '--start <rate>',
      description: 'first step, iterations a second',
      schema: flag.number(0.1, 1_000_000, 50),
    },
    step: {
      flags: '--step <rate>',
      description: 'added at each step',
      schema: flag.number(0.1, 1_000_000, 50),
    },
    stepDuration: {
      flags: '--step-duration <duration>',
      description: 'how long each step lasts',
      schema: flag.duration('10s', '10s'),
    },
    maxRate: {
      flags: '--max-rate <rate>',
      description: 'last step',
      schema: flag.number(0.1, 10_000_000, 2000),
    },
    expectRate: {
      flags: '--expect-rate <rate>',
      description: 'pass only when at least this rate is sustained (default: --normal)',
      schema: flag.optionalNumber(0.1, 10_000_000),
    },
    target: {
      flags: '--target <expr>',
      description:
        "what must hold at each step, repeatable (default: 'p95 < 1s' and 'error_rate < 5%')",
      repeatable: true,
      schema: z.array(z.string().min(1)).default([]),
    },
  },
  run: async (env, f, c) => {
    const { targetFromFlag } = await import('../targets/index.js');
    const targets = (f.target as string[]).length
      ? (f.target as string[]).map((e) => targetFromFlag(e))
      : undefined;
    return (await suite()).runBreakpoint(env, {
      startRate: f.start as number,
      stepRate: f.step as number,
      stepMs: ms(f.stepDuration as string),
      maxRate: f.maxRate as number,
      expectRate: (f.expectRate as number | undefined) ?? c.normal,
      targets,
    });
  },
};

const faults: Kind<Record<string, OptionTable[string]>> = {
  name: 'faults',
  description:
    'provider outage, asset type down, L2 cache down, task failures, connection flood: expectations and verdicts',
  help: `
  fiml-perf stress faults                        every scenario on an embedded FIML with fault injection
  fiml-perf stress faults --only provider --phase 10s
  fiml-perf stress faults --redis redis://127.0.0.1:6379      includes l2-cache-down
  fiml-perf stress faults --host http://127.0.0.1:8000        a FIML started with --enable-fault-injection

The embedded FIML runs with --enable-fault-injection, --cache-ttl 1 (so requests reach the
providers) and --max-connections 200 (so a flood can exhaust them).`,
  options: {
    only: {
      flags: '--only <name>',
      description: 'run only the scenarios whose names contain this, repeatable',
      repeatable: true,
      schema: z.array(z.string().min(1)).default([]),
    },
    phase: {
      flags: '--phase <duration>',
      description: 'length of each load phase',
      schema: flag.duration('5s', '5s'),
    },
    rate: {
      flags: '--rate <n>',
      description: 'iterations a second in each phase',
      schema: flag.number(0.1, 100_000, 50),
    },
    flood: {
      flags: '--flood <n>',
      description: 'connections the pool-exhaustion flood opens at once',
      schema: flag.int(1, 100_000, 1000),
    },
  },
  fimlArgs: () => ['--enable-fault-injection', '--cache-ttl', '1', '--max-connections', '200'],
  run: async (env, f) => {
    const { runFaults } = await suite();
    return runFaults(env, {
      rate: f.rate as number,
      phaseMs: ms(f.phase as string),
      floodConnections: f.flood as number,
      only: f.only as string[],
    });
  },
};

const KINDS = [peak, spike, endurance, breakpoint, faults];

async function stress(
  kind: Kind<Record<string, OptionTable[string]>>,
  raw: Record<string, unknown>,
): Promise<number> {
  const flags = resolveOptions({ ...common, ...kind.options }, raw);
  const c = flags as unknown as CommonFlags;
  const { runStressJob } = await import('../jobs/index.js');
  return runStressJob({
    kind: kind.name,
    run: (env) => kind.run(env, flags, c),
    scenario:
      kind.name === 'faults'
        ? null
        : { file: c.file ?? bundledScenario(), typecheck: c.file !== undefined },
    host: c.host?.replace(/\/$/, ''),
    fimlArgs: [...(kind.fimlArgs?.(flags) ?? []), ...(c.redis ? ['--redis', c.redis] : [])],
    client: readClientConfig(c),
    seed: c.seed,
    maxUsers: c.maxUsers,
    timeoutMs: ms(c.timeout as string),
    quiet: c.quiet,
    json: c.json,
    // The report goes beside the result, unless --html puts it elsewhere.
    html: c.html ?? (c.json ? reportPathFor(c.json) : undefined),
    metrics: resolveMetrics(c),
    postgres: c.postgres,
  });
}

export function registerStress(group: Command): void {
  group.addHelpText(
    'after',
    `
Each kind writes the standard result JSON (--json) with its own "stress" section and exits 1
when its verdict fails. Normal load is --normal iterations a second of the scenario (50/s).

Docs: docs/stress.md`,
  );
  for (const kind of KINDS) {
    const command = group
      .command(kind.name)
      .description(kind.description)
      .addHelpText('after', `\nExamples:${kind.help}\n\nDocs: docs/stress.md`);
    addOptions(command, { ...common, ...kind.options }).action(
      async (raw: Record<string, unknown>) => {
        process.exitCode = await stress(kind, raw);
      },
    );
  }
}
