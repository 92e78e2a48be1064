import { describe, expect, it } from 'vitest';
import { closed, runQuick } from '../helpers/load.js';
import { startServerInThread } from '../helpers/thread-server.js';

// The servers run in a thread of their own: on one event loop with the generator, the
// generator's work delayed the server's timers and the server's the generator's reading of the
// replies, and a busy machine made the figures miss their bounds.

describe('reported latency', () => {
  it('matches a server that answers after a known delay', async () => {
    const delayMs = 40;
    // Its source runs in the thread: the delay is written out there.
    const server = await startServerInThread(() => (_req, res) => {
      setTimeout(() => res.end('ok'), 40);
    });
    const result = await runQuick(`${server.url}/slow`, closed(5, 1000));
    await server.close();
    const { latencyMs, requests } = result.endpoints[0]!;
    expect(requests).toBeGreaterThan(50);
    // Never less than the delay (Node's timers may fire up to a millisecond early, as they
    // count from the event loop's cached time); the upper bound leaves room for a busy machine.
    expect(latencyMs.min).toBeGreaterThanOrEqual(delayMs - 1);
    expect(latencyMs.p50).toBeGreaterThanOrEqual(delayMs);
    // Above it by no more than the generator's own delays, which a busy machine makes long (the
    // result reports them: its event loop's lag).
    expect(latencyMs.p50).toBeLessThan(delayMs * 2 + result.generator.eventLoopLagMs.p99);
  });

  it('shows a stalled server in the open model: latency counts from the scheduled start', async () => {
    const server = await startServerInThread(() => {
      let stallUntil = 0;
      let first = 0;
      return (_req, res) => {
        const now = Date.now();
        first ||= now;
        // 400 ms into the run the server stops answering for 500 ms, then answers everything.
        if (now - first > 400 && stallUntil === 0) stallUntil = now + 500;
        const wait = Math.max(0, stallUntil - now);
        setTimeout(() => res.end('ok'), wait);
      };
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
    // The others did not wait: the median is the server's answer, plus however late the
    // generator started iterations on a busy machine (the result reports it).
    expect(latencyMs.p50).toBeLessThan(100 + (result.generator.scheduleLagMs?.p99 ?? 0));
  });
});
