/**
 * FIML's `/admin/faults` takes only the faults it knows, in range, and only under this machine's
 * names (issue 25, item 12): before, an unknown key or a fault no provider could meet answered
 * 200, and a DNS-rebinding page (a foreign Host over loopback) could set faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';

let fiml: RunningFiml;
let port: string;
beforeAll(async () => {
  fiml = await startFiml({ enableFaultInjection: true, cache: { warm: false } });
  port = new URL(fiml.url).port;
});
afterAll(async () => {
  await fiml?.close();
});

const NONE = {
  provider_outages: [],
  provider_latency_ms: {},
  task_failure_rate: null,
  l2_cache_failure: false,
  history_index_missing: null,
};

const post = (body: unknown, path = '/admin/faults') =>
  call(fiml.url, path, { method: 'POST', body });

describe('/admin/faults validates its body strictly', () => {
  it.each([
    [{ task_failure_rat: 1 }, 'task_failure_rat', /unknown field task_failure_rat; the fields are/],
    [{ l2_cache_failure: true, extra: 1 }, 'extra', /unknown field extra/],
    [{ provider_outages: ['*'] }, 'provider_outages', /unknown provider \*/],
    [{ provider_outages: ['yahoo', 'yahoo'] }, 'provider_outages', /yahoo twice/],
    [{ provider_latency_ms: { YAHOO: 5, yahoo: 6 } }, 'provider_latency_ms', /yahoo twice/],
    [
      { provider_latency_ms: { '*': 60_000, fmp: 60_000 } },
      'provider_latency_ms',
      /fmp would get 120000 ms; at most 60000/,
    ],
    [{ provider_latency_ms: 60_001 }, 'provider_latency_ms', /60000/],
    [{ task_failure_rate: 1.5 }, 'task_failure_rate', /1/],
    [{ provider_outages: 'yahoo' }, 'provider_outages', /array/],
  ])('%j: 400 naming %s, nothing changed', async (body, field, message) => {
    const answer = await post(body);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body).toMatchObject({ error: 'bad_request', field });
    expect(answer.body.message).toMatch(message);
    expect((await call(fiml.url, '/admin/faults')).body).toEqual(NONE);
  });

  it('a query string is refused: faults are a JSON body', async () => {
    const answer = await post({}, '/admin/faults?l2_cache_failure=true');
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/JSON body, not in the query string/);
  });

  it('latency merged with the faults in force must stay in range', async () => {
    expect((await post({ provider_latency_ms: 40_000 })).status).toBe(200);
    const over = await post({ provider_latency_ms: { yahoo: 30_000 } });
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/yahoo would get 70000 ms/);
    expect((await call(fiml.url, '/admin/faults')).body.provider_latency_ms).toEqual({
      '*': 40_000,
    });
    expect((await post({ provider_latency_ms: { yahoo: 20_000 } })).status).toBe(200);
    await call(fiml.url, '/admin/faults', { method: 'DELETE' });
  });

  it('what GET answers can be posted back', async () => {
    const set = await post({ provider_latency_ms: 5, provider_outages: ['fmp'] });
    expect(set.status).toBe(200);
    await call(fiml.url, '/admin/faults', { method: 'DELETE' });
    expect((await post(set.body)).body).toEqual(set.body);
    await call(fiml.url, '/admin/faults', { method: 'DELETE' });
  });
});

describe('/admin/faults refuses a foreign Host header (DNS rebinding)', () => {
  it.each(['GET', 'POST', 'DELETE'] as const)('%s under another name: 403', async (method) => {
    await post({ l2_cache_failure: true });
    const answer = await call(fiml.url, '/admin/faults', {
      method,
      headers: { host: `rebound.example:${port}` },
      ...(method === 'POST' ? { body: { task_failure_rate: 1 } } : {}),
    });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/Host 'rebound\.example:\d+' is not this machine/);
    expect(fiml.app.fiml.faults.taskFailureRate).toBeNull();
    expect(fiml.app.fiml.faults.l2Failure).toBe(true);
    await call(fiml.url, '/admin/faults', { method: 'DELETE' });
  });

  it.each(['localhost', '127.0.0.1', `localhost:${'{port}'}`, `127.0.0.1:${'{port}'}`])(
    'Host %s is served',
    async (host) => {
      const answer = await call(fiml.url, '/admin/faults', {
        headers: { host: host.replace('{port}', port) },
      });
      expect(answer.status).toBe(200);
    },
  );

  it('the rest of FIML answers any Host (it is the service under test)', async () => {
    const answer = await call(fiml.url, '/health', { headers: { host: 'fiml.internal' } });
    expect(answer.status).toBe(200);
  });
});
