import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { find, parsePrometheus } from '../helpers/prometheus.js';
import { until } from '../helpers/until.js';

describe('fiml_active_requests', () => {
  let fiml: RunningFiml;
  // Every provider call 60 s late: an uncached quote ends only when its client goes away, so the
  // count can be waited for without the quote finishing meanwhile.
  beforeAll(async () => {
    fiml = await startFiml({ cache: { warm: false }, enableFaultInjection: true });
    await call(fiml.url, '/admin/faults', {
      method: 'POST',
      body: { provider_latency_ms: 60_000 },
    });
  });
  afterAll(() => fiml.close());

  const active = async () =>
    find(parsePrometheus((await call(fiml.url, '/metrics')).text), 'fiml_active_requests')[0]!
      .value;

  it('counts a request in progress, and forgets one whose client went away', async () => {
    const { port } = new URL(fiml.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /mcp/tools/get_price?symbol=MSFT HTTP/1.1\r\nhost: x\r\n\r\n');
    // Waited for, not slept on: the server sees the request when it sees it (the scrape
    // itself, plus the slow quote, is 2), and the client's going away when it does (1, the
    // scrape), well before the quote could end (60 s; the wait gives up after 20 s).
    await until(async () => (await active()) === 2, 'the slow quote counted as active');
    socket.destroy();
    await until(async () => (await active()) === 1, 'the abandoned quote forgotten');
    expect(await active()).toBe(1);
  });
});
