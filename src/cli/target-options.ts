import { z } from 'zod';
import { EXIT } from '../exit-codes.js';
import type { TargetsRequest } from '../jobs/index.js';
import { parseDuration } from '../util/duration.js';
import { flag, type OptionTable, type ResolvedOptions } from './option-table.js';

/** Flags that judge a run against targets; `load`, `targets` and `run` share them. */
export const targetOptions = {
  targets: {
    flags: '--targets <file>',
    description: 'YAML or JSON file of targets to judge the run by (see targets/standard.yaml)',
    schema: z.string().min(1).optional(),
  },
  target: {
    flags: '--target <expr>',
    description: "a target such as 'p99 < 500ms' or 'error_rate < 1%', repeatable",
    repeatable: true,
    schema: z.array(z.string().min(1)).default([]),
  },
  only: {
    flags: '--only <name>',
    description: 'judge only the targets whose name or expression contains this, repeatable',
    repeatable: true,
    schema: z.array(z.string().min(1)).default([]),
  },
  window: {
    flags: '--window <duration>',
    description: 'also judge every target in each window of this length, such as 30s',
    schema: flag.optionalDuration('30s', 1000),
  },
  abortOnFail: {
    flags: '--abort-on-fail',
    description: 'stop the run as soon as a target fails (judged every second on the run so far)',
    schema: flag.bool(false),
  },
  abortDelay: {
    flags: '--abort-delay <duration>',
    description: 'with --abort-on-fail, judge only after this much of the run',
    schema: flag.duration('10s', '10s', 0),
  },
  allowUnknown: {
    flags: '--allow-unknown',
    description: 'a target whose figure the service does not provide does not fail the run',
    schema: flag.bool(false),
  },
  junit: {
    flags: '--junit <file>',
    description: 'write the targets as JUnit XML (one test case each) for CI',
    schema: z.string().min(1).optional(),
  },
  exitCodeOnError: {
    flags: '--exit-code-on-error <code>',
    description:
      'exit with this code when a request failed or a task threw, as Locust does; 0 lets failures pass (default: 1 without targets; with targets, only the targets judge the run)',
    schema: flag.optionalInt(0, 255),
  },
  healthPath: {
    flags: '--health-path <path>',
    description: 'path probed every second for uptime',
    schema: z.string().regex(/^\//, 'expected a path such as /health').default('/health'),
  },
  metricsPath: {
    flags: '--metrics-path <path>',
    description: "path of the service's Prometheus metrics, scraped before and after",
    schema: z.string().regex(/^\//, 'expected a path such as /metrics').default('/metrics'),
  },
} satisfies OptionTable;

export type TargetFlags = ResolvedOptions<typeof targetOptions>;

/**
 * The exit code a failed request or a thrown task gives a run that would otherwise end 0: the flag
 * when given; else 1 (Locust's default) for a run without targets, none for one with targets
 * (they judge it: `error_rate < 1%` lets a few failures pass). docs/errors.md.
 */
export function resolveExitCodeOnError(
  flags: Pick<TargetFlags, 'exitCodeOnError'>,
  targets: TargetsRequest | null,
): number | undefined {
  return flags.exitCodeOnError ?? (targets ? undefined : EXIT.failed);
}

/**
 * The targets of a run: the file, the --target flags, or (when `standardByDefault`) the six
 * standard ones; narrowed by --only. @throws PerfError FP_ERR_TARGETS
 */
export async function resolveTargets(
  flags: TargetFlags,
  standardByDefault: boolean,
): Promise<TargetsRequest | null> {
  // Loaded here, not with the flags: a command's --help and flag errors stay fast.
  const { readTargetsFile, selectTargets, standardTargetsFile, TargetsError, targetFromFlag } =
    await import('../targets/index.js');
  const fromFlags = flags.target.map((expr) => targetFromFlag(expr));
  const file =
    flags.targets ??
    (standardByDefault && fromFlags.length === 0 ? standardTargetsFile() : undefined);
  const all = [...(file ? readTargetsFile(file) : []), ...fromFlags];
  if (all.length === 0) {
    const asked = [
      flags.only.length ? '--only' : '',
      flags.window ? '--window' : '',
      flags.abortOnFail ? '--abort-on-fail' : '',
      flags.junit ? '--junit' : '',
    ].filter(Boolean);
    if (asked.length)
      throw new TargetsError(
        `${asked.join(', ')} need targets; add --targets FILE or --target EXPR`,
      );
    return null;
  }
  return {
    targets: selectTargets(all, flags.only),
    windowMs: flags.window ? parseDuration(flags.window) : undefined,
    abortOnFail: flags.abortOnFail,
    abortDelayMs: parseDuration(flags.abortDelay) as number,
    allowUnknown: flags.allowUnknown,
    junit: flags.junit,
    healthPath: flags.healthPath,
    metricsPath: flags.metricsPath,
  };
}
