import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { PerfError } from '../../src/errors.js';
import { generateToken } from '../../src/ui/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { closedPort } from '../helpers/http-server.js';
import { openEvents, startUi } from './helpers.js';

let fiml: RunningFiml;
let ui: Awaited<ReturnType<typeof startUi>>;

beforeAll(async () => {
  fiml = await startFiml();
  ui = await startUi(fiml.url);
});

afterAll(async () => {
  await ui?.session.close();
  await ui?.server.close();
  await fiml?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(ui.base, path, { method: 'POST', body, headers });

describe('the UI API refuses what could come from another site', () => {
  it('a GET to a route that changes the test is refused (405, Allow: POST) and changes nothing', async () => {
    for (const path of ['/api/start', '/api/stop', '/api/reset', '/api/edit']) {
      const answer = await call(ui.base, path);
      expect(answer.status, path).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(answer.body.error).toMatch(/use POST/);
    }
    expect(ui.session.state).toBe('ready');
  });

  it('a cross-origin POST is refused, by its Origin or its Sec-Fetch-Site', async () => {
    const foreign = await post('/api/start', {}, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatch(/cross-origin request from http:\/\/evil.example refused/);
    const site = await post('/api/start', {}, { 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
    expect(ui.session.state).toBe('ready');
  });

  it('a form post (not JSON) is refused: the only body a page elsewhere can send without asking', async () => {
    const answer = await call(ui.base, '/api/start', {
      method: 'POST',
      body: 'users=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(415);
    expect(ui.session.state).toBe('ready');
  });

  it('a foreign Host header is refused (DNS rebinding), on pages and API alike', async () => {
    for (const path of ['/', '/api/state', '/api/events']) {
      const answer = await call(ui.base, path, {
        headers: { host: `evil.example:${ui.server.port}` },
      });
      expect(answer.status, path).toBe(403);
      expect(answer.body.error).toMatch(/not this UI's address/);
    }
    const port = await call(ui.base, '/api/state', { headers: { host: '127.0.0.1:1' } });
    expect(port.status).toBe(403);
    const ok = await call(ui.base, '/api/state', {
      headers: { host: `localhost:${ui.server.port}` },
    });
    expect(ok.status).toBe(200);
  });

  it('no answer allows other origins: no CORS header, a preflight gets nothing', async () => {
    const page = await call(ui.base, '/');
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect(String(page.headers['content-security-policy'])).toMatch(/default-src 'none'/);
    // A browser asks before a cross-origin JSON POST; the answer allows nothing.
    const preflight = await call(ui.base, '/api/start', {
      method: 'OPTIONS' as 'GET',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(405);
    for (const name of Object.keys(preflight.headers))
      expect(name.startsWith('access-control-'), name).toBe(false);
  });

  it('a body that is not JSON, or too big, gets a 4xx with the reason', async () => {
    const broken = await post('/api/start', '{"users": ');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatch(/not JSON/);
    const big = await post('/api/start', JSON.stringify({ targets: ['x'.repeat(70_000)] }));
    expect(big.status).toBe(413);
    expect((await call(ui.base, '/api/state')).status).toBe(200);
  });

  it('a bind beyond loopback without a token is refused', async () => {
    await expect(startUi(fiml.url, {}, { host: '0.0.0.0' })).rejects.toThrow(PerfError);
    await expect(startUi(fiml.url, {}, { host: '0.0.0.0' })).rejects.toThrow(/--web-token/);
  });

  it('with a token, every request needs it: from the printed URL (as a cookie) or as a bearer', async () => {
    const token = generateToken();
    const guarded = await startUi(fiml.url, {}, { host: '0.0.0.0', token });
    try {
      expect(guarded.server.url).toContain(`?token=${token}`);
      expect((await call(guarded.base, '/')).status).toBe(401);
      expect((await call(guarded.base, '/api/state')).status).toBe(401);
      expect(
        (await call(guarded.base, '/api/state', { headers: { authorization: 'Bearer wrong' } }))
          .status,
      ).toBe(401);
      const bearer = await call(guarded.base, '/api/state', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(bearer.status).toBe(200);
      const entry = await call(guarded.base, `/?token=${token}`);
      expect(entry.status).toBe(303);
      const cookie = String(entry.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const page = await call(guarded.base, '/', {
        headers: { cookie: cookie.split(';')[0] as string },
      });
      expect(page.status).toBe(200);
    } finally {
      await guarded.server.close();
    }
  });
});

describe('bad input gets a 4xx with the reason, and the UI goes on', () => {
  it.each([
    [{ users: -1 }, 400, /^users: /],
    [{ users: 'ten' }, 400, /^users: /],
    [{ classes: ['NoSuchUser'] }, 400, /no user class NoSuchUser .* it has PriceUser, HealthUser/],
    [{ targets: ['p99 <'] }, 400, /target/],
    [{ targetsFile: '/no/such/targets.yaml' }, 400, /targets.yaml/],
    [{ runTime: 'soon' }, 400, /^runTime: expected a duration/],
    [{ model: 'sideways' }, 400, /^model: /],
    [{ users: 1, extra: true }, 400, /extra/],
    [{ host: 'http://[' }, 400, /^host: expected a URL/],
    [{ host: 'http://127.0.0.1:99999' }, 400, /^host: expected a URL/],
    [{ host: 'ftp://127.0.0.1' }, 400, /^host: expected a URL/],
    [{ classes: ['HealthUser', 'HealthUser'] }, 400, /^classes: a user class is named twice/],
    [{ runTime: `1${'0'.repeat(400)}s` }, 400, /^runTime: expected a duration/],
    [{ targetsFile: '/dev/zero' }, 400, /is not under/],
  ])('%j → %i', async (body, status, reason) => {
    const answer = await post('/api/start', body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(reason);
    expect(ui.session.state).toBe('ready');
  });

  it('a host that does not answer: 422 naming it, and no test starts', async () => {
    const port = await closedPort();
    const answer = await post('/api/start', { host: `http://127.0.0.1:${port}` });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatch(new RegExp(`127.0.0.1:${port}`));
    expect(ui.session.state).toBe('ready');
  });

  it('steering, stopping or resetting with no test running: 409 with the reason', async () => {
    expect((await post('/api/edit', { users: 3 })).status).toBe(409);
    expect((await post('/api/stop', {})).status).toBe(409);
    expect((await post('/api/reset', {})).status).toBe(409);
    const download = await call(ui.base, '/api/download/result.json');
    expect(download.status).toBe(409);
    expect(download.body.error).toMatch(/no test has ended yet/);
  });
});

describe('a test driven through the API, watched through the event stream', () => {
  it('starts, follows a change of users, resets, stops, and its files download', async () => {
    const stream = await openEvents(ui.base);
    try {
      const first = stream.events[0];
      expect(first?.type).toBe('snapshot');
      expect(first?.data.state).toBe('ready');
      expect(first?.data.classes).toEqual([
        { name: 'PriceUser', weight: 1 },
        { name: 'HealthUser', weight: 2 },
      ]);

      const started = await post('/api/start', {
        classes: ['PriceUser', 'HealthUser'],
        users: 3,
        spawnRate: 100,
        targets: ['p99 < 0.001ms', 'error_rate < 1%'],
      });
      expect(started.status).toBe(202);
      expect(started.body.run.thresholds).toEqual([{ label: 'p99 < 0.001ms', ms: 0.001 }]);
      expect((await post('/api/start', {})).status).toBe(409);

      const running = await stream.next((e) => e.type === 'tick' && e.data.users === 3);
      expect(running.data.table.map((r: { name: string }) => r.name).sort()).toEqual(
        expect.arrayContaining(['price']),
      );

      expect((await post('/api/edit', { rate: 5 })).status).toBe(400);
      const edited = await post('/api/edit', { users: 6 });
      expect(edited.status).toBe(200);
      expect(edited.body.run.marks.at(-1).label).toBe('users → 6');
      const followed = await stream.next((e) => e.type === 'tick' && e.data.users === 6);
      expect(followed.data.steering.users).toBe(6);

      // The targets are judged as the run goes: an impossible p99 fails, errors pass.
      const judged = await stream.next((e) => e.type === 'tick' && e.data.targets !== null);
      const verdicts = Object.fromEntries(
        judged.data.targets.map((o: { name: string; verdict: string }) => [o.name, o.verdict]),
      );
      expect(verdicts).toEqual({ 'p99 < 0.001ms': 'fail', 'error_rate < 1%': 'pass' });
      expect(judged.data.service.cacheHitRate).not.toBeNull();

      const before = judged.data.total.requests;
      expect(before).toBeGreaterThan(0);
      const resetState = stream.next(
        (e) =>
          e.type === 'state' &&
          e.data.run.marks.some((m: { label: string }) => m.label === 'stats reset'),
      );
      expect((await post('/api/reset', {})).status).toBe(200);
      await resetState;
      const after = await stream.next((e) => e.type === 'tick');
      expect(after.data.total.requests).toBeLessThan(before);

      // A late tab gets the whole run so far: every second the live tab got, no seam.
      const late = await openEvents(ui.base);
      const lateRows = late.events[0]?.data.rows as Array<{ t: number }>;
      late.close();
      const liveTs = stream.events
        .filter((e) => e.type === 'tick')
        .map((e) => e.data.row.t as number);
      expect(lateRows.map((r) => r.t).slice(-liveTs.length)).toEqual(
        liveTs.slice(-lateRows.length),
      );

      const ended = stream.next((e) => e.type === 'snapshot' && e.data.state === 'stopped');
      expect((await post('/api/stop', {})).status).toBe(202);
      const final = await ended;
      expect(final.data.run.ended).toEqual({ code: 1, passed: false });
    } finally {
      stream.close();
    }

    const result = await call(ui.base, '/api/download/result.json');
    expect(result.status).toBe(200);
    expect(String(result.headers['content-disposition'])).toMatch(
      /attachment; filename=".*result.json"/,
    );
    expect(result.body.executor).toBe('steered');
    expect(result.body.totals.requests).toBeGreaterThan(0);
    expect(result.body.targets.summary.fail).toBe(1);
    expect(result.body.config.ui.marks.map((m: { label: string }) => m.label)).toEqual([
      'users → 6',
      'stats reset',
    ]);
    const csv = await call(ui.base, '/api/download/stats.csv');
    expect(csv.text.split('\n')[0]).toMatch(/^Type,Name,Request Count/);
    const report = await call(ui.base, '/api/download/report.html');
    expect(report.text).toMatch(/^<!doctype html>/i);
    expect((await call(ui.base, '/api/download/nothing.txt')).status).toBe(404);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect((await call(ui.base, `/api/download/${name}`)).status, name).toBe(404);
  });

  it('an open model: the rate is recorded each second and follows a change', async () => {
    const started = await post('/api/start', {
      model: 'open',
      rate: 20,
      maxUsers: 50,
      runTime: '3s',
    });
    expect(started.status).toBe(202);
    expect((await post('/api/edit', { users: 5 })).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await post('/api/edit', { rate: 40 })).status).toBe(200);
    await ui.session.settled();
    const result = ui.session.result;
    expect(result?.model).toBe('open');
    const intended = result?.timeseries.map((r) => r.intended);
    expect(intended?.[0]).toBe(20);
    expect(intended?.at(-1)).toBe(40);
    // About 20/s for a second and 40/s for two: the schedule's starts, whatever the latency.
    expect(result?.totals.requests).toBeGreaterThan(60);
    expect(result?.totals.requests).toBeLessThan(140);
  });
});
