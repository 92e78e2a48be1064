import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Fiml } from '../context.js';
import { HttpError } from '../errors.js';
import { parseInput } from './input.js';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function loopbackOnly(request: FastifyRequest): Promise<void> {
  if (!isLoopback(request.socket.remoteAddress)) {
    return Promise.reject(
      new HttpError(403, 'forbidden', 'fault injection is accepted only from loopback'),
    );
  }
  return Promise.resolve();
}

/** POST merges faults into the current set; each field is optional. */
const faultsInput = z.object({
  provider_outages: z.array(z.string().toLowerCase()).optional(),
  provider_latency_ms: z
    .union([
      z.number().min(0).max(60_000),
      z.record(z.string().toLowerCase(), z.number().min(0).max(60_000)),
    ])
    .optional(),
  task_failure_rate: z.number().min(0).max(1).nullable().optional(),
  l2_cache_failure: z.boolean().optional(),
});

/** Fault injection for stress tests; mounted only with `enableFaultInjection`. */
export function adminRoutes(app: FastifyInstance, fiml: Fiml): void {
  const { faults } = fiml;
  const known = new Set(fiml.registry.names());

  app.get('/admin/faults', { onRequest: loopbackOnly }, async () => faults.toJSON());

  app.post('/admin/faults', { onRequest: loopbackOnly }, async (request) => {
    const input = parseInput(request, faultsInput);
    const named = [
      ...(input.provider_outages ?? []),
      ...(typeof input.provider_latency_ms === 'object'
        ? Object.keys(input.provider_latency_ms)
        : []),
    ].filter((n) => n !== '*');
    const unknown = named.find((n) => !known.has(n));
    if (unknown !== undefined) {
      throw new HttpError(
        400,
        'bad_request',
        `unknown provider ${unknown}; one of ${[...known].join(', ')}`,
        {
          field: 'provider',
        },
      );
    }
    for (const name of input.provider_outages ?? []) faults.providerOutages.add(name);
    if (typeof input.provider_latency_ms === 'number') {
      faults.providerLatencyMs.set('*', input.provider_latency_ms);
    } else if (input.provider_latency_ms) {
      for (const [name, ms] of Object.entries(input.provider_latency_ms))
        faults.providerLatencyMs.set(name, ms);
    }
    if (input.task_failure_rate !== undefined) faults.taskFailureRate = input.task_failure_rate;
    if (input.l2_cache_failure !== undefined) faults.l2Failure = input.l2_cache_failure;
    return faults.toJSON();
  });

  app.delete('/admin/faults', { onRequest: loopbackOnly }, async () => {
    faults.clear();
    return faults.toJSON();
  });
}
