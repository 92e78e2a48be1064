import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constantPacing, task, User } from '../../src/load/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { closed, runScenario } from '../helpers/load.js';

let server: TestServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    setTimeout(() => res.end('ok'), req.url === '/slow' ? 100 : 0);
  });
});
afterAll(() => server.close());

function counting() {
  const events = { starts: 0, stops: 0, tasks: 0, ids: new Set<number>() };
  class Counted extends User {
    static override tasks = [task(1, 'go')];
    override onStart() {
      events.starts++;
      events.ids.add(this.id);
    }
    override onStop() {
      events.stops++;
    }
    async go() {
      events.tasks++;
      await this.client.get('/', { name: 'go' });
    }
  }
  return { Counted, events };
}

describe('the scenario runner', () => {
  it('closed model: starts exactly N users, each starting and stopping once', async () => {
    const { Counted, events } = counting();
    const result = await runScenario(server.url, [Counted], closed(7, 400));
    expect(events.starts).toBe(7);
    expect(events.stops).toBe(7);
    expect(events.ids.size).toBe(7);
    expect(result.totals.requests).toBe(events.tasks);
    expect(result.model).toBe('closed');
  });

  it('open model: one iteration per scheduled arrival, users created only as needed', async () => {
    const { Counted, events } = counting();
    const result = await runScenario(server.url, [Counted], {
      type: 'constant-arrival-rate',
      rate: 200,
      durationMs: 1000,
      maxUsers: 50,
    });
    expect(events.tasks).toBe(200);
    expect(result.totals.requests).toBe(200);
    expect(events.starts).toBeLessThanOrEqual(50);
    expect(events.stops).toBe(events.starts);
    expect(result.model).toBe('open');
    expect(result.generator.dropped).toBe(0);
  });

  it('a request that fails before it leaves (an invalid header) does not starve the run', async () => {
    class Broken extends User {
      static override tasks = [task(1, 'go')];
      async go() {
        await this.client.get('/', { name: 'broken', headers: { 'x-bad': 'a\nb' } });
      }
    }
    const result = await runScenario(server.url, [Broken], closed(2, 300));
    expect(result.totals.requests).toBeGreaterThan(10);
    expect(result.totals.failures).toBe(result.totals.requests);
    expect(result.errors[0]).toMatchObject({ kind: 'other', name: 'broken' });
  });

  it('open model: drops what it cannot start when every user is busy', async () => {
    class Slow extends User {
      static override tasks = [task(1, async (u: User) => u.client.get('/slow'))];
    }
    const result = await runScenario(server.url, [Slow], {
      type: 'constant-arrival-rate',
      rate: 100,
      durationMs: 500,
      maxUsers: 2,
    });
    // Two users, each busy 100 ms: about 10 of the 50 arrivals can start.
    expect(result.generator.dropped).toBeGreaterThan(30);
    expect(result.totals.requests + result.generator.dropped).toBe(50);
    // Each second's row says how many it dropped (the report draws them).
    expect(result.timeseries.reduce((n, row) => n + (row.dropped ?? 0), 0)).toBe(
      result.generator.dropped,
    );
  });

  it('paces tasks with constantPacing: a task starts every interval, whatever it took', async () => {
    const { Counted, events } = counting();
    class Paced extends Counted {
      static override waitTime = constantPacing(0.1);
    }
    await runScenario(server.url, [Paced], closed(1, 1000));
    // Tasks at 0, 100, ... 900 ms (the last may just miss the end).
    expect(events.tasks).toBeGreaterThanOrEqual(9);
    expect(events.tasks).toBeLessThanOrEqual(11);
  });

  it('counts a task that throws as an exception and keeps the user going', async () => {
    let calls = 0;
    class Throws extends User {
      static override tasks = [
        task(1, async () => {
          calls++;
          throw new Error('boom');
        }),
      ];
    }
    const result = await runScenario(server.url, [Throws], closed(1, 200));
    expect(calls).toBeGreaterThan(1);
    expect(result.errors).toEqual([
      expect.objectContaining({
        kind: 'exception',
        method: 'TASK',
        name: 'Throws',
        message: 'boom',
        count: calls,
      }),
    ]);
  });
});
