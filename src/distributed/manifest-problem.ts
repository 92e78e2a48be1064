import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';

/** The model classes of the kinds fiml-perf renders, by `apiVersion/kind`. */
const MODELS: Readonly<Record<string, { readonly prototype: { validate(): void } }>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
};

/**
 * What is wrong with a plain object (e.g. parsed back from YAML) as a Kubernetes object of a kind
 * fiml-perf renders, checked with the kubernetes-models class of its apiVersion and kind, and
 * more strictly than its schema: a field the schema does not declare, which the upstream schemas
 * allow, is a problem too. One line naming the object and the field; undefined when it is valid.
 */
export function manifestProblem(object: object): string | undefined {
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    return `expected a Kubernetes object, got ${JSON.stringify(object)}`;
  const { apiVersion, kind, metadata } = object as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown };
  };
  const model = MODELS[`${String(apiVersion)}/${String(kind)}`];
  const label = `${String(kind)} ${typeof metadata?.name === 'string' ? metadata.name : '(no name)'}`;
  if (!model)
    return `${label}: apiVersion ${String(apiVersion)} kind ${String(kind)} is not one fiml-perf renders; expected v1 ConfigMap or Service, apps/v1 Deployment, batch/v1 Job`;
  let data: object;
  try {
    data = structuredClone(object);
  } catch {
    return `${label}: not plain data (functions or class instances in it)`;
  }
  const { proxy, seen } = watchReads(data);
  try {
    // The schema's validate function runs on the watching proxy: it reads every property its
    // schema declares, and enumerates the keys of maps (labels, data, resources.limits).
    model.prototype.validate.call(proxy);
  } catch (error) {
    return `${label}: ${schemaProblem(error)}`;
  }
  const unknown = unknownField(data, '', seen);
  if (unknown !== undefined)
    return `${label}: unknown field ${unknown}; check its spelling against the Kubernetes API reference`;
  return undefined;
}

/** What the validator did with one object of the data. */
interface Reads {
  readonly keys: Set<string>;
  enumerated: boolean;
}

/**
 * A proxy of `root` that records, for each object in it, which properties were read and whether
 * its keys were enumerated. The generated (ajv) validators expose no schema to walk, but they
 * read exactly the properties their schema declares, so what they read is what is known.
 */
function watchReads(root: object): { proxy: object; seen: WeakMap<object, Reads> } {
  const seen = new WeakMap<object, Reads>();
  const proxies = new WeakMap<object, object>();
  const watch = (target: object): object => {
    const existing = proxies.get(target);
    if (existing) return existing;
    const reads: Reads = seen.get(target) ?? { keys: new Set(), enumerated: false };
    seen.set(target, reads);
    const proxy = new Proxy(target, {
      get(t, key) {
        if (typeof key === 'string') reads.keys.add(key);
        const value: unknown = Reflect.get(t, key);
        return value !== null && typeof value === 'object' ? watch(value) : value;
      },
      has(t, key) {
        if (typeof key === 'string') reads.keys.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        reads.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return { proxy: watch(root), seen };
}

/** The path of the first property the validator never read, or undefined. */
function unknownField(
  value: unknown,
  path: string,
  seen: WeakMap<object, Reads>,
): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unknownField(item, `${path}[${index}]`, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const reads = seen.get(value);
  // Not reached, or reached and not looked into: a free-form value (preserve-unknown-fields).
  if (!reads || (!reads.enumerated && reads.keys.size === 0)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const childPath = joinPath(path, key);
    if (!reads.enumerated && !reads.keys.has(key)) return childPath;
    const found = unknownField(child, childPath, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** The first schema error as `path message`, e.g. `spec.completions must be integer`. */
function schemaProblem(error: unknown): string {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return (error as Error).message;
  const first = errors[0] as {
    instancePath: string;
    message?: string;
    params?: { allowedValues?: unknown[] };
  };
  const path = first.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : joinPath(acc, part)), '');
  const allowed = first.params?.allowedValues
    ? ` (${first.params.allowedValues.map(String).join(', ')})`
    : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${path || '(the object)'} ${first.message ?? 'is invalid'}${allowed}${more}`;
}
