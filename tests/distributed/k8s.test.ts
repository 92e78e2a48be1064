import { describe, expect, it } from 'vitest';
import { type Document, parseAllDocuments } from 'yaml';
import {
  type K8sOptions,
  ManifestError,
  manifestsYaml,
  renderManifests,
  validateManifest,
} from '../../src/distributed/k8s.js';

// The rendered objects are plain JSON; the tests read them through this loose shape.
// biome-ignore lint/suspicious/noExplicitAny: walking arbitrary manifests
type Manifest = any;

const base: K8sOptions = {
  name: 'fiml-perf',
  instances: 4,
  image: 'fiml-perf:latest',
  runId: 'run-42',
  loadArgs: ['-f', '/scenario/scenario.ts', '-u', '100', '-t', '5m', '--host', 'http://fiml:8000'],
  scenario: { fileName: 'scenario.ts', source: 'export default class Users {}\n' },
};

function render(options: Partial<K8sOptions> = {}): Manifest[] {
  return renderManifests({ ...base, ...options }) as Manifest[];
}

function byName(objects: Manifest[], name: string): Manifest {
  const found = objects.find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no object named ${name}`);
  return found;
}

function errorOf(run: () => unknown): ManifestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('renderManifests', () => {
  it('renders the ConfigMap, Redis, the agents and the coordinator, in apply order', () => {
    const objects = render();
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'ConfigMap fiml-perf-config',
      'ConfigMap fiml-perf-scenario',
      'Deployment fiml-perf-redis',
      'Service fiml-perf-redis',
      'Job fiml-perf-agents',
      'Job fiml-perf-coordinator',
    ]);
  });

  it('runs the agents as an Indexed Job of N pods that any failure fails whole', () => {
    const { spec } = byName(render(), 'fiml-perf-agents');
    expect(spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      backoffLimitPerIndex: 0,
      maxFailedIndexes: 0,
      ttlSecondsAfterFinished: 3600,
    });
    // Only FailJob: no Ignore rule for DisruptionTarget, a disrupted agent fails the run too.
    expect(spec.podFailurePolicy).toEqual({
      rules: [
        {
          action: 'FailJob',
          onExitCodes: { containerName: 'agent', operator: 'NotIn', values: [0] },
        },
      ],
    });
    const pod = spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.volumes).toBeUndefined();
    const [agent] = pod.containers;
    expect(agent).toMatchObject({
      name: 'agent',
      image: 'fiml-perf:latest',
      args: ['agent', '$(REDIS_URL)', '--run', '$(RUN_ID)'],
      envFrom: [{ configMapRef: { name: 'fiml-perf-config' } }],
      resources: { requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: false,
      },
    });
    expect(spec.template.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'fiml-perf',
      'app.kubernetes.io/component': 'agent',
      'fiml-perf/run': 'run-42',
    });
  });

  it('gives the agents the cpu and memory asked for, as requests and limits', () => {
    const [agent] = byName(render({ cpu: '500m', memory: '2Gi' }), 'fiml-perf-agents').spec.template
      .spec.containers;
    expect(agent.resources).toEqual({
      requests: { cpu: '500m', memory: '2Gi' },
      limits: { cpu: '500m', memory: '2Gi' },
    });
  });

  it('runs the coordinator with the load flags, the instances, the run and the scenario mounted', () => {
    const { spec } = byName(render(), 'fiml-perf-coordinator');
    expect(spec.backoffLimit).toBe(0);
    expect(spec.template.spec.restartPolicy).toBe('Never');
    const [coordinator] = spec.template.spec.containers;
    expect(coordinator.name).toBe('coordinator');
    expect(coordinator.args).toEqual([
      'load',
      ...base.loadArgs,
      '--coordinator',
      '$(REDIS_URL)',
      '--instances',
      '4',
      '--run',
      '$(RUN_ID)',
    ]);
    expect(coordinator.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(coordinator.volumeMounts).toEqual([
      { name: 'scenario', mountPath: '/scenario', readOnly: true },
    ]);
    expect(spec.template.spec.volumes).toEqual([
      {
        name: 'scenario',
        configMap: { name: 'fiml-perf-scenario' },
      },
    ]);
  });

  it('puts the run, Redis and the instances into the settings, the scenario into one of its own', () => {
    const objects = render();
    expect(byName(objects, 'fiml-perf-config').data).toEqual({
      RUN_ID: 'run-42',
      REDIS_URL: 'redis://fiml-perf-redis:6379',
      INSTANCES: '4',
    });
    expect(byName(objects, 'fiml-perf-scenario').data).toEqual({
      'scenario.ts': 'export default class Users {}\n',
    });
  });

  it('the coordinator waits for a Redis rendered beside it, not for one given', () => {
    const wait = byName(render(), 'fiml-perf-coordinator').spec.template.spec.initContainers;
    expect(wait).toHaveLength(1);
    expect(wait[0].command.join(' ')).toMatch(/until redis-cli -u "\$REDIS_URL" ping/);
    expect(
      byName(render({ redis: 'redis://r:6379' }), 'fiml-perf-coordinator').spec.template.spec
        .initContainers,
    ).toBeUndefined();
  });

  it('renders a Redis Deployment and a Service that selects its pod when no redis is given', () => {
    const objects = render();
    const deployment = byName(objects, 'fiml-perf-redis');
    const service = objects.find((o) => o.kind === 'Service');
    const [redis] = deployment.spec.template.spec.containers;
    expect(redis).toMatchObject({
      name: 'redis',
      image: 'redis:7-alpine',
      args: ['--save', '', '--appendonly', 'no'],
      ports: [{ containerPort: 6379 }],
    });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.metadata.labels).toMatchObject(
      deployment.spec.selector.matchLabels,
    );
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].port).toBe(6379);
  });

  it('renders no Redis and passes the URL on when redis is given', () => {
    const objects = render({ redis: 'redis://r:6379' });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'ConfigMap', 'Job', 'Job']);
    expect(objects[0].data.REDIS_URL).toBe('redis://r:6379');
  });

  it('renders no scenario volume without a scenario', () => {
    const objects = render({ scenario: undefined, loadArgs: ['-u', '10'] });
    const coordinator = byName(objects, 'fiml-perf-coordinator').spec.template.spec;
    expect(coordinator.volumes).toBeUndefined();
    expect(coordinator.containers[0].volumeMounts).toBeUndefined();
    expect(Object.keys(objects[0].data)).toEqual(['RUN_ID', 'REDIS_URL', 'INSTANCES']);
  });

  it('sets the namespace of every object when one is given, and none otherwise', () => {
    expect(render({ namespace: 'perf' }).map((o) => o.metadata.namespace)).toEqual(
      Array(6).fill('perf'),
    );
    expect(render().every((o) => !('namespace' in o.metadata))).toBe(true);
  });
});

describe('manifestsYaml', () => {
  it('parses back to the same objects, each of which validates', () => {
    const objects = render();
    const text = manifestsYaml(objects);
    expect(text.split('\n')[0]).toMatch(/^# .*fiml-perf k8s.*kubectl apply -f FILE/);
    const documents: Document.Parsed[] = parseAllDocuments(text);
    expect(documents).toHaveLength(objects.length);
    const parsed = documents.map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS() as object;
    });
    expect(parsed).toEqual(objects);
    for (const object of parsed) expect(() => validateManifest(object)).not.toThrow();
  });

  it('says how to follow the coordinator, in its namespace', () => {
    expect(manifestsYaml(render({ namespace: 'perf' }))).toContain(
      '`kubectl logs -n perf -f job/fiml-perf-coordinator`',
    );
  });

  // kubectl reads YAML 1.1, where a bare `no` is false: redis's `--appendonly no` must stay a
  // string, as must '' and the numbers among the args.
  it('quotes the strings YAML 1.1 would read as booleans or numbers', () => {
    const text = manifestsYaml(render());
    expect(text).toContain('- "no"');
    expect(text).toContain('- ""');
    expect(text).toContain('INSTANCES: "4"');
  });
});

describe('validateManifest', () => {
  const agents = () => structuredClone(byName(render(), 'fiml-perf-agents'));

  it('refuses a misspelt field in a container, naming the object and the field', () => {
    const job = agents();
    job.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(errorOf(() => validateManifest(job)).message).toMatch(
      /^Job fiml-perf-agents: unknown field spec\.template\.spec\.containers\[0\]\.imagePullPolicyy/,
    );
  });

  it('refuses a misspelt field of the Job spec', () => {
    const job = agents();
    job.spec.completionz = 4;
    expect(errorOf(() => validateManifest(job)).message).toContain(
      'unknown field spec.completionz',
    );
  });

  it('refuses a misspelt field deep in an array of objects', () => {
    const job = agents();
    job.spec.podFailurePolicy.rules[0].onExitCodes.operater = 'In';
    expect(errorOf(() => validateManifest(job)).message).toContain(
      'unknown field spec.podFailurePolicy.rules[0].onExitCodes.operater',
    );
  });

  it('refuses a value of the wrong type, naming the field', () => {
    const job = agents();
    job.spec.completions = 'four';
    expect(errorOf(() => validateManifest(job)).message).toBe(
      'Job fiml-perf-agents: spec.completions must be integer; fix the flag',
    );
  });

  it('refuses a value outside an enum, listing the allowed ones', () => {
    const job = agents();
    job.spec.completionMode = 'Ordered';
    expect(errorOf(() => validateManifest(job)).message).toContain('Indexed, NonIndexed');
  });

  it('takes any key in maps: labels, annotations, resources, ConfigMap data', () => {
    const job = agents();
    job.metadata.labels['example.com/team'] = 'perf';
    job.metadata.annotations = { 'example.com/note': 'any key' };
    job.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = '1';
    expect(() => validateManifest(job)).not.toThrow();
    const config = structuredClone(render()[0]);
    config.data['other.ts'] = 'x';
    expect(() => validateManifest(config)).not.toThrow();
  });

  it('refuses a kind it does not know', () => {
    expect(
      errorOf(() => validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }))
        .message,
    ).toMatch(/^Pod p: apiVersion v1 kind Pod is not one fiml-perf renders/);
  });
});

describe('renderManifests refuses bad options with a one-line message saying what to give', () => {
  it('instances out of range or not whole', () => {
    for (const instances of [0, 1001, 2.5]) {
      const message = errorOf(() => render({ instances })).message;
      expect(message).toMatch(/^invalid k8s options: instances: /);
      expect(message).not.toContain('\n');
    }
    expect(errorOf(() => render({ instances: 0 })).message).toContain('from 1 to 1000');
  });

  it('a name that is not a DNS label, or too long', () => {
    expect(errorOf(() => render({ name: 'Bad_Name' })).message).toBe(
      'invalid k8s options: name: use lower-case letters, digits and "-", starting and ending alphanumeric; fix the flag',
    );
    expect(errorOf(() => render({ name: 'a'.repeat(41) })).message).toContain(
      'name: at most 40 characters',
    );
  });

  it('every problem at once', () => {
    const message = errorOf(() => render({ name: 'Bad_Name', instances: 0, cpu: 'lots' })).message;
    expect(message).toContain('name: ');
    expect(message).toContain('instances: ');
    expect(message).toContain('cpu: ');
  });

  it('load flags the options set, a redis that is no URL, a scenario named like an env key', () => {
    expect(errorOf(() => render({ loadArgs: ['--instances', '2'] })).message).toContain(
      'loadArgs: remove --instances',
    );
    expect(errorOf(() => render({ redis: 'r:6379' })).message).toContain(
      'redis: give a URL such as redis://redis:6379',
    );
    expect(
      errorOf(() => render({ scenario: { fileName: 'RUN_ID', source: '' } })).message,
    ).toContain('scenario.fileName: pick a file name other than');
  });
});
