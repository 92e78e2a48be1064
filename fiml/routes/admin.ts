import { hostname } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Fiml } from '../context.js';
import { BadRequestError, HttpError } from '../errors.js';
import { MAX_ADDED_LATENCY_MS } from '../faults.js';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The name in a Host header, without its port; IPv6 keeps its brackets. */
function hostName(host: string): string {
  const at = host.lastIndexOf(':');
  return at > host.lastIndexOf(']') ? host.slice(0, at) : host;
}

/**
 * Whether a Host header names this machine over loopback. A DNS-rebinding page reaches
 * 127.0.0.1 under its own name, which is refused (as the UI does: src/ui/server.ts). The port is
 * not checked: a port forward (ssh -L, kubectl port-forward) arrives over loopback with its own
 * port in Host, and a rebinding page cannot choose the name, which is what stops it.
 */
function isLocalHost(host: string | undefined): boolean {
  const name = hostName((host ?? '').toLowerCase());
  return (
    name === 'localhost' ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === hostname().toLowerCase()
  );
}

function loopbackOnly(request: FastifyRequest): Promise<void> {
  if (!isLoopback(request.socket.remoteAddress)) {
    return Promise.reject(
      new HttpError(403, 'forbidden', 'fault injection is accepted only from loopback'),
    );
  }
  if (!isLocalHost(request.headers.host)) {
    return Promise.reject(
      new HttpError(
        403,
        'forbidden',
        `Host '${request.headers.host ?? ''}' is not this machine; send fault injection to 127.0.0.1 or localhost (requests under another name are refused against DNS rebinding)`,
      ),
    );
  }
  return Promise.resolve();
}

const latency = z.number().min(0).max(MAX_ADDED_LATENCY_MS);

/** POST merges faults into the current set; each field is optional, no other is taken. */
const faultsInput = z
  .object({
    provider_outages: z.array(z.string().toLowerCase()).max(100).optional(),
    provider_latency_ms: z.union([latency, z.record(z.string().max(100), latency)]).optional(),
    task_failure_rate: z.number().min(0).max(1).nullable().optional(),
    l2_cache_failure: z.boolean().optional(),
    // null is what GET answers without a database: posted back, it changes nothing.
    history_index_missing: z.boolean().nullable().optional(),
  })
  .strict();

type FaultsInput = z.output<typeof faultsInput>;

const FIELDS = Object.keys(faultsInput.shape).join(', ');

/** The body as faults, or a 400 naming the field that is wrong. @throws BadRequestError */
function parseFaults(request: FastifyRequest): FaultsInput {
  if (Object.keys(request.query as object).length > 0)
    throw new BadRequestError('query', 'faults are sent as a JSON body, not in the query string');
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('body', 'must be a JSON object');
  const parsed = faultsInput.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    throw new BadRequestError(key, `unknown field ${key}; the fields are ${FIELDS}`);
  }
  throw new BadRequestError(
    issue?.path.map(String).join('.') || 'body',
    issue?.message ?? 'invalid',
  );
}

/** Fault injection for stress tests; mounted only with `enableFaultInjection`. */
export function adminRoutes(app: FastifyInstance, fiml: Fiml): void {
  const { faults } = fiml;
  const store = fiml.database?.store;
  if (store) faults.historyIndexMissing = false;
  /** Drops the history index or creates it again, as the fault asks. */
  const historyIndex = async (missing: boolean) => {
    if (!store)
      throw new BadRequestError(
        'history_index_missing',
        'FIML runs without a database; start it with --database embedded or a postgres:// URL',
      );
    await store.setHistoryIndex(!missing);
    faults.historyIndexMissing = missing;
  };
  const known = new Set(fiml.registry.names());
  const names = [...known].join(', ');

  /** Each provider named once and known (`*` in the latency record: every provider). */
  const checkNames = (field: string, list: readonly string[], any: boolean) => {
    const seen = new Set<string>();
    for (const raw of list) {
      const name = raw.toLowerCase();
      if (!(known.has(name) || (any && name === '*')))
        throw new BadRequestError(field, `unknown provider ${raw}; one of ${names}`);
      if (seen.has(name)) throw new BadRequestError(field, `names ${name} twice`);
      seen.add(name);
    }
  };

  app.get('/admin/faults', { onRequest: loopbackOnly }, async () => faults.toJSON());

  app.post('/admin/faults', { onRequest: loopbackOnly }, async (request) => {
    const input = parseFaults(request);
    checkNames('provider_outages', input.provider_outages ?? [], false);
    const setting = input.provider_latency_ms;
    if (typeof setting === 'object') checkNames('provider_latency_ms', Object.keys(setting), true);
    // Merged with the faults in force, no provider may wait longer than one fault allows.
    if (setting !== undefined)
      for (const [name, ms] of faults.latencyAfter(setting, known))
        if (ms > MAX_ADDED_LATENCY_MS)
          throw new BadRequestError(
            'provider_latency_ms',
            `${name} would get ${ms} ms; at most ${MAX_ADDED_LATENCY_MS} ms in all (its own and every provider's)`,
          );
    for (const name of input.provider_outages ?? []) faults.providerOutages.add(name);
    if (typeof setting === 'number') faults.providerLatencyMs.set('*', setting);
    else if (setting)
      for (const [name, ms] of Object.entries(setting))
        faults.providerLatencyMs.set(name.toLowerCase(), ms);
    if (input.task_failure_rate !== undefined) faults.taskFailureRate = input.task_failure_rate;
    if (input.l2_cache_failure !== undefined) faults.l2Failure = input.l2_cache_failure;
    if (typeof input.history_index_missing === 'boolean')
      await historyIndex(input.history_index_missing);
    return faults.toJSON();
  });

  app.delete('/admin/faults', { onRequest: loopbackOnly }, async () => {
    if (faults.historyIndexMissing) await historyIndex(false);
    faults.clear();
    return faults.toJSON();
  });
}
