import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../helpers/http-server.js';
import { closed, runQuick } from '../helpers/load.js';

describe('reported latency', () => {
  it('matches a server that answers after a known delay', async () => {
    const delayMs = 40;
    const server = await startHttpServer((_req, res) => {
      setTimeout(() => res.end('ok'), delayMs);
    });
    const result = await runQuick(`${server.url}/slow`, closed(5, 1000));
    await server.close();
    const { latencyMs, requests } = result.endpoints[0]!;
    expect(requests).toBeGreaterThan(50);
    // Never less than the delay (Node's timers may fire up to a millisecond early, as they
    // count from the event loop's cached time); the upper bound leaves room for a busy machine.
    expect(latencyMs.min).toBeGreaterThanOrEqual(delayMs - 1);
    expect(latencyMs.p50).toBeGreaterThanOrEqual(delayMs);
    expect(latencyMs.p50).toBeLessThan(delayMs * 2);
  });

  it('shows a stalled server in the open model: latency counts from the scheduled start', async () => {
    let stallUntil = 0;
    let first = 0;
    const server = await startHttpServer((_req, res) => {
      const now = Date.now();
      first ||= now;
      // 400 ms into the run the server stops answering for 500 ms, then answers everything.
      if (now - first > 400 && stallUntil === 0) stallUntil = now + 500;
      const wait = Math.max(0, stallUntil - now);
      setTimeout(() => res.end('ok'), wait);
    });
    const result = await runQuick(`${server.url}/`, {
      type: 'constant-arrival-rate',
      rate: 100,
      durationMs: 1500,
      maxUsers: 200,
    });
    await server.close();
    const { latencyMs, requests } = result.totals;
    // The schedule, not the server, sets the count: 150 iterations whatever the stall.
    expect(requests).toBe(150);
    expect(result.model).toBe('open');
    // About 50 of 150 requests waited out part of the stall: a quarter of them 250+ ms.
    expect(latencyMs.p90).toBeGreaterThan(200);
    expect(latencyMs.max).toBeGreaterThan(400);
    expect(latencyMs.p50).toBeLessThan(100);
  });
});
