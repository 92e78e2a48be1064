import { randomBytes } from 'node:crypto';
import { PerfError } from '../errors.js';
import { assertInstalled } from '../util/optional-deps.js';
import { checkOutputs } from './lifecycle.js';

/** `k8s`: the manifests of a distributed run, rendered for Kubernetes. */
export interface K8sJob {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly instances: number;
  readonly image: string;
  readonly redis: string | undefined;
  readonly run: string | undefined;
  /** The coordinator's load flags as given (the command's own removed). */
  readonly loadArgs: readonly string[];
  /** A scenario to bundle into a ConfigMap (its `-f` in loadArgs is pointed at the mount). */
  readonly scenarioFile: string | undefined;
  readonly cpu: string;
  readonly memory: string;
  /** Write the YAML here; stdout otherwise. */
  readonly out: string | undefined;
}

/** A ConfigMap holds 1 MiB at most; the rest of the object needs some of it. */
const MAX_SCENARIO_BYTES = 900 * 1024;

/** Renders (and validates) every object, then writes the YAML. @throws PerfError */
export async function runK8sJob(job: K8sJob): Promise<void> {
  if (job.out) checkOutputs([{ flag: '--out', path: job.out, kind: 'file' }]);
  assertInstalled('k8s');
  const [{ renderManifests, manifestsYaml }, { bundleScenario }] = await Promise.all([
    import('../distributed/k8s.js'),
    import('../distributed/bundle.js'),
  ]);
  const loadArgs = [...job.loadArgs];
  let scenario: { fileName: string; source: string } | undefined;
  if (job.scenarioFile) {
    // The agents get the scenario in the plan; the coordinator from this ConfigMap, bundled
    // here with its local imports, since the pod has no copy of them.
    scenario = await bundleScenario(job.scenarioFile);
    for (let i = 0; i < loadArgs.length; i++) {
      const token = loadArgs[i] as string;
      if (token === '-f' || token === '--file') loadArgs[i + 1] = `/scenario/${scenario.fileName}`;
      else if (token.startsWith('--file=')) loadArgs[i] = `--file=/scenario/${scenario.fileName}`;
    }
  }
  if (scenario && Buffer.byteLength(scenario.source) > MAX_SCENARIO_BYTES)
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `the bundled scenario is ${Math.round(Buffer.byteLength(scenario.source) / 1024)} KiB: a ConfigMap holds 1 MiB at most; bundle fewer npm packages into it`,
    );
  const yaml = manifestsYaml(
    renderManifests({
      name: job.name,
      ...(job.namespace ? { namespace: job.namespace } : {}),
      instances: job.instances,
      image: job.image,
      ...(job.redis ? { redis: job.redis } : {}),
      runId: job.run ?? randomBytes(4).toString('hex'),
      loadArgs,
      ...(scenario ? { scenario } : {}),
      cpu: job.cpu,
      memory: job.memory,
    }),
  );
  if (!job.out) {
    process.stdout.write(yaml);
    return;
  }
  const { writeFileAtomic } = await import('../util/atomic-write.js');
  try {
    writeFileAtomic(job.out, yaml);
  } catch (error) {
    throw new PerfError(
      'FP_ERR_WRITE',
      `cannot write ${job.out}: ${(error as Error).message}; pick a writable path`,
    );
  }
  process.stderr.write(`Manifests: ${job.out} (kubectl apply -f ${job.out})\n`);
}
