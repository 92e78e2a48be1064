import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { assertInstalled } from '../util/optional-deps.js';
import { distributedOptions, resolveDistributed, runIdSchema } from './distributed-options.js';
import { loadOptions, resolveLoad } from './load-options.js';
import { metricsOptions } from './metrics-options.js';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';
import { targetOptions } from './target-options.js';

/** The k8s command's own flags; every other flag is the coordinator's load flag. */
export const k8sOptions = {
  instances: {
    flags: '--instances <n>',
    description: 'agents: the pods of the Indexed Job, each running its exact share',
    schema: flag.int(1, 1000, 1),
  },
  run: {
    flags: '--run <id>',
    description: 'the run id the coordinator and the agents share (default: random)',
    schema: runIdSchema,
  },
  redis: {
    flags: '--redis <url>',
    description: 'an existing Redis to meet in (default: render a Redis Deployment and Service)',
    schema: z.string().optional(),
  },
  image: {
    flags: '--image <image>',
    description: 'the fiml-perf image, built from deploy/Dockerfile',
    schema: z.string().min(1).default('fiml-perf:latest'),
  },
  name: {
    flags: '--name <name>',
    description: "prefix of every object's name",
    schema: z.string().min(1).default('fiml-perf'),
  },
  namespace: {
    flags: '--namespace <ns>',
    description: 'namespace of every object (default: kubectl’s current one)',
    schema: z.string().min(1).optional(),
  },
  cpu: {
    flags: '--cpu <quantity>',
    description: "each agent's CPU, request = limit",
    schema: z.string().min(1).default('1'),
  },
  memory: {
    flags: '--memory <quantity>',
    description: "each agent's memory, request = limit",
    schema: z.string().min(1).default('512Mi'),
  },
  out: {
    flags: '--out <file>',
    description: 'write the manifests here instead of stdout',
    schema: z.string().min(1).optional(),
  },
} satisfies OptionTable;

const EXAMPLES = `
Examples:
  fiml-perf k8s --instances 4 --rate 2000 -t 5m --host http://fiml:8000 | kubectl apply -f -
  fiml-perf k8s --instances 10 -f scenarios/fiml.ts -u 1000 -r 50 -t 10m --host http://fiml:8000 \\
      --redis redis://redis:6379 --image registry.example/fiml-perf:0.1.0 --out run.yaml

Every flag that is not the command's own is a load flag of the coordinator (fiml-perf load
--help). A scenario given with -f is bundled with its local imports into a ConfigMap.

Docs: docs/distributed.md`;

/** Tokens of the command's own flags, with how many values each takes. */
function ownFlags(): Map<string, number> {
  const own = new Map<string, number>();
  for (const spec of Object.values(k8sOptions))
    for (const token of spec.flags.split(/[ ,]+/).filter((t) => t.startsWith('-')))
      own.set(token, spec.flags.includes('<') ? 1 : 0);
  return own;
}

/** The argv tokens after `k8s` that are load flags (the command's own removed). */
export function loadArgsOf(tokens: readonly string[]): string[] {
  const own = ownFlags();
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const [name] = token.split('=');
    const values = own.get(name as string);
    if (values === undefined) out.push(token);
    else if (!token.includes('=')) i += values;
  }
  return out;
}

export function registerK8s(command: Command): void {
  command
    .argument('[url-or-users...]', 'as fiml-perf load takes them')
    .addHelpText('after', EXAMPLES);
  const table = {
    ...loadOptions,
    ...targetOptions,
    ...metricsOptions,
    readyTimeout: distributedOptions.readyTimeout,
    heartbeatTimeout: distributedOptions.heartbeatTimeout,
    ...k8sOptions,
  };
  addOptions(command, table).action(async (args: string[], raw: Record<string, unknown>) => {
    // Parsed and resolved whole, so a wrong load flag is found now, not in the cluster.
    const flags = resolveOptions(table, raw);
    const fail = (message: string) => new PerfError('FP_ERR_INVALID_FLAG', message);
    const files = (
      ['targets', 'ca', 'cert', 'key', 'json', 'html', 'csv', 'junit'] as const
    ).filter((f) => flags[f] !== undefined);
    if (files.length > 0)
      throw fail(
        `--${files[0]} names a file on this machine, which the coordinator's pod has not; use --target expressions, and read the results from kubectl logs`,
      );
    const isUrl = args.some((a) => /^https?:\/\//.test(a));
    if (!flags.host && !isUrl)
      throw fail(
        '--host is needed: the agents load the service at its address in the cluster (e.g. --host http://fiml.default.svc:8000)',
      );
    resolveLoad(flags, args);
    resolveDistributed({ ...flags, coordinator: 'redis://check', instances: flags.instances });
    const at = process.argv.indexOf('k8s');
    const loadArgs = loadArgsOf(process.argv.slice(at + 1));
    // Pods are scheduled and their images pulled: a minute is short for the agents to be ready.
    if (!loadArgs.some((a) => a.startsWith('--ready-timeout')))
      loadArgs.push('--ready-timeout', '10m');
    assertInstalled('k8s');
    const [{ renderManifests, manifestsYaml, ManifestError }, { bundleScenario }] =
      await Promise.all([import('../distributed/k8s.js'), import('../distributed/bundle.js')]);
    let scenario: { fileName: string; source: string } | undefined;
    if (flags.file) {
      // The agents get the scenario in the plan; the coordinator from this ConfigMap, bundled
      // here with its local imports, since the pod has no copy of them.
      scenario = await bundleScenario(flags.file);
      for (let i = 0; i < loadArgs.length; i++) {
        const token = loadArgs[i] as string;
        if (token === '-f' || token === '--file')
          loadArgs[i + 1] = `/scenario/${scenario.fileName}`;
        else if (token.startsWith('--file=')) loadArgs[i] = `--file=/scenario/${scenario.fileName}`;
      }
    }
    if (scenario && Buffer.byteLength(scenario.source) > 900 * 1024)
      throw fail(
        `the bundled scenario is ${Math.round(Buffer.byteLength(scenario.source) / 1024)} KiB: a ConfigMap holds 1 MiB at most; bundle fewer npm packages into it`,
      );
    let yaml: string;
    try {
      yaml = manifestsYaml(
        renderManifests({
          name: flags.name,
          ...(flags.namespace ? { namespace: flags.namespace } : {}),
          instances: flags.instances,
          image: flags.image,
          ...(flags.redis ? { redis: flags.redis } : {}),
          runId: flags.run ?? randomBytes(4).toString('hex'),
          loadArgs,
          ...(scenario ? { scenario } : {}),
          cpu: flags.cpu,
          memory: flags.memory,
        }),
      );
    } catch (error) {
      if (error instanceof ManifestError)
        throw new PerfError('FP_ERR_INVALID_FLAG', `${error.message}; fix the flag`);
      throw error;
    }
    if (flags.out) {
      const { writeFileAtomic } = await import('../report/index.js');
      try {
        writeFileAtomic(flags.out, yaml);
      } catch (error) {
        throw new PerfError(
          'FP_ERR_WRITE',
          `cannot write ${flags.out}: ${(error as Error).message}; pick a writable path`,
        );
      }
      process.stderr.write(`Manifests: ${flags.out} (kubectl apply -f ${flags.out})\n`);
    } else process.stdout.write(yaml);
  });
}
