import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { find, parsePrometheus } from '../helpers/prometheus.js';

describe('fiml_active_requests', () => {
  let fiml: RunningFiml;
  // Providers 100 times slower than by default: an uncached quote takes long enough to abort.
  beforeAll(async () => {
    fiml = await startFiml({ cache: { warm: false }, latencyScale: 100 });
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
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The scrape itself, plus the slow quote.
    expect(await active()).toBe(2);
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await active()).toBe(1);
  });
});
