/**
 * The Kubernetes manifests of a distributed load test: a coordinator Job and an Indexed Job of
 * agents meeting in Redis, built with the typed models of `kubernetes-models`, validated against
 * their schemas and, more strictly than those schemas, for unknown fields (a misspelt field is
 * silently dropped by the API server, or refused by `kubectl apply` only when the server's
 * field validation is strict).
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { Service } from 'kubernetes-models/v1/Service';
import { stringify } from 'yaml';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import { manifestProblem } from './manifest-problem.js';

/** What `renderManifests` needs to know of the run. */
export interface K8sOptions {
  /** Prefix of every object's name: a DNS-1123 label of 40 characters at most. @default 'fiml-perf' */
  readonly name: string;
  /** `metadata.namespace` of every object; the namespace of the kubectl context when absent. */
  readonly namespace?: string;
  /** The number of agents (pods of the agents Job), 1 to 1000. */
  readonly instances: number;
  /** The container image of the coordinator and the agents, built from deploy/Dockerfile. */
  readonly image: string;
  /** A redis:// URL of an existing Redis; when absent, a Redis Deployment and Service are rendered. */
  readonly redis?: string;
  /** The run id shared by the coordinator and the agents (a Kubernetes label value). */
  readonly runId: string;
  /** The coordinator's load flags, e.g. `['-f', '/scenario/scenario.ts', '-u', '100']`. */
  readonly loadArgs: readonly string[];
  /** A scenario file put into the ConfigMap and mounted at /scenario in the coordinator. */
  readonly scenario?: { readonly fileName: string; readonly source: string };
  /** Each agent's CPU request and limit, a Kubernetes quantity. @default '1' */
  readonly cpu?: string;
  /** Each agent's memory request and limit, a Kubernetes quantity. @default '512Mi' */
  readonly memory?: string;
}

/** An option that cannot be rendered, or an object that does not validate; one line, with the fix. */
export class ManifestError extends PerfError {
  constructor(message: string) {
    super('FP_ERR_INVALID_FLAG', `${message}; fix the flag`);
    this.name = 'ManifestError';
  }
}

/** The redis image when none is given; a cache only, nothing is persisted. */
const REDIS_IMAGE = 'redis:7-alpine';
const REDIS_PORT = 6379;
/** Finished Jobs (and their pods' logs, the coordinator's output) stay an hour, then go. */
const TTL_SECONDS = 3600;
/** Keys of the settings ConfigMap (read as environment variables). */
const ENV_KEYS = ['RUN_ID', 'REDIS_URL', 'INSTANCES'] as const;
/** Flags the coordinator gets from the options; given in loadArgs too they would be ambiguous. */
const RESERVED_FLAGS = ['--coordinator', '--instances', '--run'] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
// The grammar of resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go).
const QUANTITY =
  /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][-+]?[0-9]+)?$/;

// 40 leaves room for the longest suffix ('-coordinator') and the Job controller's pod names
// within the 63 characters of the `job-name` label Kubernetes puts on each pod. Messages say what
// to give; resolveOptions prefixes each with the option's name.
const optionsSchema = z.object({
  name: z
    .string()
    .max(40, { error: 'at most 40 characters, to leave room for the suffixes' })
    .regex(DNS_LABEL, {
      error: 'use lower-case letters, digits and "-", starting and ending alphanumeric',
    })
    .default('fiml-perf'),
  namespace: z
    .string()
    .max(63, { error: 'at most 63 characters' })
    .regex(DNS_LABEL, { error: 'use lower-case letters, digits and "-"' })
    .optional(),
  instances: z
    .int({ error: 'give a whole number of agents from 1 to 1000' })
    .min(1, { error: 'give a whole number of agents from 1 to 1000' })
    .max(1000, { error: 'at most 1000 agents; run several tests for more' }),
  image: z.string().regex(/^\S+$/, { error: 'give an image such as fiml-perf:latest' }),
  redis: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, { error: 'give a URL such as redis://redis:6379' })
    .optional(),
  runId: z
    .string()
    .max(63, { error: 'at most 63 characters (it is a label value)' })
    .regex(LABEL_VALUE, {
      error: 'use letters, digits, "-", "_" and ".", starting and ending alphanumeric',
    }),
  loadArgs: z.array(z.string()).superRefine((args, context) => {
    for (const arg of args) {
      const flag = arg.split('=')[0] as string;
      if ((RESERVED_FLAGS as readonly string[]).includes(flag))
        context.addIssue({
          code: 'custom',
          message: `remove ${flag}; it is set from the options (redis, instances, runId)`,
        });
    }
  }),
  scenario: z
    .object({
      fileName: z
        .string()
        .max(253, { error: 'at most 253 characters' })
        .regex(CONFIG_KEY, { error: 'use letters, digits, "-", "_" and "."' })
        .refine(
          (key) => key !== '.' && key !== '..' && !(ENV_KEYS as readonly string[]).includes(key),
          { error: `pick a file name other than ., .. and ${ENV_KEYS.join(', ')}` },
        ),
      source: z.string(),
    })
    .optional(),
  cpu: z.string().regex(QUANTITY, { error: "give a quantity such as '1' or '500m'" }).default('1'),
  memory: z
    .string()
    .regex(QUANTITY, { error: "give a quantity such as '512Mi' or '2Gi'" })
    .default('512Mi'),
});

type Resolved = Readonly<z.infer<typeof optionsSchema>>;

/** Every problem of the options at once, on one line. @throws ManifestError */
function resolveOptions(options: K8sOptions): Resolved {
  const result = optionsSchema.safeParse(options);
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`,
  );
  throw new ManifestError(`invalid k8s options: ${[...new Set(problems)].join('; ')}`);
}

/**
 * Renders the objects of a distributed run, in the order to apply them: the ConfigMap, Redis
 * (a Deployment and a Service, when no `redis` URL is given), the agents Job, the coordinator
 * Job. Each is validated (`validateManifest`) and returned as plain JSON.
 * @throws ManifestError when an option is invalid or an object does not validate
 */
export function renderManifests(options: K8sOptions): object[] {
  const o = resolveOptions(options);
  const redisName = `${o.name}-redis`;
  const configName = `${o.name}-config`;
  const redisUrl = o.redis ?? `redis://${redisName}:${REDIS_PORT}`;

  const scenarioName = `${o.name}-scenario`;
  const objects: { toJSON(): object }[] = [
    // Read as environment variables by every pod (envFrom): the settings only.
    new ConfigMap({
      metadata: metadata(o, configName, 'config'),
      data: { RUN_ID: o.runId, REDIS_URL: redisUrl, INSTANCES: String(o.instances) },
    }),
  ];
  // The scenario in a ConfigMap of its own, mounted as a file in the coordinator (which bundles
  // it into the plan for the agents), never read into anyone's environment.
  if (o.scenario)
    objects.push(
      new ConfigMap({
        metadata: metadata(o, scenarioName, 'scenario'),
        data: { [o.scenario.fileName]: o.scenario.source },
      }),
    );
  if (!o.redis) objects.push(...redisObjects(o, redisName));

  // Any failure of any agent fails the whole run at once: a replaced agent would start its
  // share of the plan from the beginning while the others are half-way, so the merged figures
  // would describe a load that never happened. Hence no retries (backoffLimitPerIndex 0,
  // maxFailedIndexes 0) and FailJob on a non-zero exit. There is deliberately no Ignore rule
  // for DisruptionTarget (a drain, a preemption): a disrupted agent fails the run too.
  objects.push(
    new Job({
      metadata: metadata(o, `${o.name}-agents`, 'agent'),
      spec: {
        completionMode: 'Indexed',
        completions: o.instances,
        parallelism: o.instances,
        backoffLimitPerIndex: 0,
        maxFailedIndexes: 0,
        podFailurePolicy: {
          rules: [
            {
              action: 'FailJob',
              onExitCodes: { containerName: 'agent', operator: 'NotIn', values: [0] },
            },
          ],
        },
        ttlSecondsAfterFinished: TTL_SECONDS,
        template: {
          metadata: { labels: labels(o, 'agent') },
          spec: {
            restartPolicy: 'Never',
            containers: [
              // The agent's index is JOB_COMPLETION_INDEX, which Kubernetes sets in an Indexed
              // Job; the kubelet expands $(VAR) in args from the container's environment.
              container(o, 'agent', ['agent', '$(REDIS_URL)', '--run', '$(RUN_ID)'], {
                cpu: o.cpu,
                memory: o.memory,
              }),
            ],
          },
        },
      },
    }),
  );

  objects.push(
    new Job({
      metadata: metadata(o, `${o.name}-coordinator`, 'coordinator'),
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: TTL_SECONDS,
        template: {
          metadata: { labels: labels(o, 'coordinator') },
          spec: {
            restartPolicy: 'Never',
            // A Redis rendered beside the Jobs may take a while to pull and start: the
            // coordinator waits for it (agents retry by themselves for --wait).
            ...(o.redis ? {} : { initContainers: [waitForRedis(o)] }),
            containers: [
              {
                ...container(
                  o,
                  'coordinator',
                  [
                    'load',
                    ...o.loadArgs,
                    '--coordinator',
                    '$(REDIS_URL)',
                    '--instances',
                    String(o.instances),
                    '--run',
                    '$(RUN_ID)',
                  ],
                  { cpu: '1', memory: '1Gi' },
                ),
                ...(o.scenario
                  ? { volumeMounts: [{ name: 'scenario', mountPath: '/scenario', readOnly: true }] }
                  : {}),
              },
            ],
            ...(o.scenario
              ? {
                  volumes: [
                    {
                      name: 'scenario',
                      configMap: { name: scenarioName },
                    },
                  ],
                }
              : {}),
          },
        },
      },
    }),
  );

  return objects.map((model) => {
    const json = model.toJSON();
    validateManifest(json);
    return json;
  });
}

function metadata(o: Resolved, name: string, component: string) {
  return {
    name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    labels: labels(o, component),
  };
}

function labels(o: Resolved, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'fiml-perf',
    // Tells apart two runs rendered with different names in one namespace (Redis's selector).
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': component,
    'fiml-perf/run': o.runId,
  };
}

function container(
  o: Resolved,
  name: string,
  args: string[],
  resources: { cpu: string; memory: string },
): IContainer {
  // The node user of the image (uid 1000); with capabilities dropped and the default seccomp
  // profile the pods meet the "restricted" Pod Security Standard. The root filesystem stays
  // writable: scenarios are compiled to a temporary directory.
  const securityContext: ISecurityContext = {
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return {
    name,
    image: o.image,
    args,
    envFrom: [{ configMapRef: { name: `${o.name}-config` } }],
    // Requests equal to limits: the Guaranteed QoS class, so agents are neither throttled below
    // their share nor evicted first, and N agents really are N times one agent.
    resources: { requests: { ...resources }, limits: { ...resources } },
    securityContext,
  };
}

/** An init container that waits until the rendered Redis answers. */
function waitForRedis(o: Resolved): IContainer {
  return {
    name: 'wait-for-redis',
    image: REDIS_IMAGE,
    command: ['sh', '-c', 'until redis-cli -u "$REDIS_URL" ping; do sleep 1; done'],
    envFrom: [{ configMapRef: { name: `${o.name}-config` } }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 999,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function redisObjects(o: Resolved, redisName: string): { toJSON(): object }[] {
  const selector = {
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': 'redis',
  };
  return [
    new Deployment({
      metadata: metadata(o, redisName, 'redis'),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: labels(o, 'redis') },
          spec: {
            containers: [
              {
                name: 'redis',
                image: REDIS_IMAGE,
                // A meeting point for one run: no snapshots, no append-only file.
                args: ['--save', '', '--appendonly', 'no'],
                ports: [{ name: 'redis', containerPort: REDIS_PORT }],
                readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 2 },
              },
            ],
          },
        },
      },
    }),
    new Service({
      metadata: metadata(o, redisName, 'redis'),
      spec: {
        selector,
        ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis' }],
      },
    }),
  ];
}

/**
 * The objects as multi-document YAML, after a comment saying where they come from and how to
 * apply them.
 */
export function manifestsYaml(objects: readonly object[]): string {
  const coordinator = objects
    .map((object) => (object as { metadata?: { name?: unknown; namespace?: unknown } }).metadata)
    .find((meta) => typeof meta?.name === 'string' && meta.name.endsWith('-coordinator'));
  const namespace = coordinator?.namespace ? ` -n ${String(coordinator.namespace)}` : '';
  const header =
    '# Rendered by `fiml-perf k8s`; apply with `kubectl apply -f FILE`' +
    (coordinator
      ? `, then follow the run (its results are printed there) with\n# \`kubectl logs${namespace} -f job/${String(coordinator.name)}\`\n`
      : '\n');
  // YAML 1.1 because kubectl reads it (sigs.k8s.io/yaml): its quoting keeps strings such as
  // redis's `no` strings, where 1.2's would leave `no`, which 1.1 reads as false. lineWidth 0:
  // long args and scenario lines stay whole instead of being folded.
  const options = { lineWidth: 0, version: '1.1' } as const;
  return header + objects.map((object) => stringify(object, options)).join('---\n');
}

/**
 * Validates a plain object (e.g. parsed back from YAML) with the kubernetes-models class of its
 * apiVersion and kind, and refuses any field its schema does not declare, which the upstream
 * schemas allow.
 * @throws ManifestError naming the object and the field
 */
export function validateManifest(object: object): void {
  const problem = manifestProblem(object);
  if (problem !== undefined) throw new ManifestError(problem);
}
