import { describe, expect, it } from 'vitest';
import { QuickRunner } from '../../src/load/index.js';
import { startTcpServer } from '../helpers/http-server.js';

/** Resolves once `count()` reaches `n`, checked whenever `poke` is called. */
function reach(n: number, count: () => number): { poke: () => void; reached: Promise<void> } {
  let resolve: () => void = () => undefined;
  const reached = new Promise<void>((r) => {
    resolve = r;
  });
  return { poke: () => count() >= n && resolve(), reached };
}

describe.each([
  ['HTTP/1.1', false],
  ['HTTP/2', true],
])('quick mode stop, %s', (_name, http2) => {
  it('cuts off open-model requests still in flight after the grace', async () => {
    let opened = 0;
    let closed = 0;
    const open = reach(3, () => opened);
    const gone = reach(3, () => closed);
    // Reads every request and never answers.
    const server = await startTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        closed++;
        gone.poke();
      });
      socket.resume();
      opened++;
      open.poke();
    });
    const recorded: unknown[] = [];
    const runner = new QuickRunner({
      url: `${server.url}/`,
      sink: { record: (...call) => recorded.push(call), error: () => undefined },
      maxConnections: 3,
      client: { http2 },
    });
    for (let i = 0; i < 3; i++) runner.startIteration(performance.now());
    await open.reached;
    await runner.stop(50);
    await gone.reached;
    await server.close();
    // Cut off by the stop: not counted.
    expect(recorded).toEqual([]);
  });
});
