import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant, task, User, UserConnections, UserHttpClient } from '../../src/load/index.js';
import { StatsRecorder } from '../../src/stats/index.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { closed, runScenario } from '../helpers/load.js';
import { until } from '../helpers/until.js';

/**
 * A site with a login (POST /login sets `session`, GET /account needs it), a redirect chain, a
 * redirect loop, and a redirect that sets a cookie on the way.
 */
let server: TestServer;
/** Another origin, which shows the headers it got. */
let other: TestServer;
const seen: Array<{ method: string; url: string; body: string; cookie?: string }> = [];
beforeAll(async () => {
  other = await startHttpServer((req, res) => res.end(JSON.stringify(req.headers)));
  server = await startHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const url = req.url ?? '/';
      seen.push({ method: req.method ?? '', url, body, cookie: req.headers.cookie });
      const chain = url.match(/^\/chain\/(\d+)$/);
      if (url === '/login' && req.method === 'POST') {
        const { user } = JSON.parse(body) as { user: string };
        res.setHeader('set-cookie', [
          `session=${user}; Path=/; HttpOnly`,
          'theme=dark; Path=/prefs',
        ]);
        res.end('welcome');
      } else if (url === '/account') {
        const session = /(?:^|; )session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
        if (!session) res.writeHead(401).end('log in first');
        else res.end(session);
      } else if (url === '/logout') {
        res.setHeader('set-cookie', 'session=; Max-Age=0; Path=/');
        res.end('bye');
      } else if (chain) {
        const n = Number(chain[1]);
        if (n === 0) res.end(`arrived by ${req.method}`);
        else res.writeHead(302, { location: `/chain/${n - 1}` }).end('moved');
      } else if (url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (url === '/see-other') res.writeHead(303, { location: '/chain/0' }).end();
      else if (url === '/keep') res.writeHead(307, { location: '/echo' }).end();
      else if (url === '/moved-put') res.writeHead(302, { location: '/echo' }).end();
      else if (url === '/broken') res.writeHead(302, { location: 'http://[not-an-ip/x' }).end();
      else if (url === '/away') res.writeHead(302, { location: `${other.url}/headers` }).end();
      else if (url === '/echo') res.end(`${req.method} ${body}`);
      else if (url === '/stamp')
        res.writeHead(302, { location: '/account', 'set-cookie': 'session=stamped; Path=/' }).end();
      else res.writeHead(404).end();
    });
  });
});
afterAll(() => Promise.all([server.close(), other.close()]));

function client(recorder = new StatsRecorder()) {
  return {
    recorder,
    client: new UserHttpClient(new UserConnections(), { host: server.url, sink: recorder }),
  };
}

class LoginUser extends User {
  static override waitTime = constant(0.05);
  static override tasks = [task(1, 'account')];
  override async onStart() {
    await this.client.post('/login', { json: { user: `user-${this.id}` } });
  }
  async account() {
    await this.client.get('/account', {
      check: (r) => r.text === `user-${this.id}` || `saw ${r.text}, not user-${this.id}`,
    });
  }
}

describe('cookies', () => {
  it('a login flow works, and each user sees only its own session', async () => {
    // Counted, not timed: the run ends once the server has answered 25 accounts (in a fixed
    // 0.5 s a loaded machine answered 16).
    seen.length = 0;
    const stop = new AbortController();
    const accounts = () => seen.filter((s) => s.url === '/account').length;
    const enough = until(() => accounts() >= 25, 'the users to ask for 25 accounts').finally(() =>
      stop.abort(),
    );
    const result = await runScenario(server.url, [LoginUser], closed(5, 30_000), {}, stop.signal);
    await enough;
    const account = result.endpoints.find((e) => e.name === '/account');
    expect(account?.requests).toBeGreaterThan(20);
    // Each user's check compares the session the server saw with its own id.
    expect(result.totals.failures).toBe(0);
  });

  it('sends a cookie only to the path it is for, and forgets one the server expires', async () => {
    const { client: c } = client();
    await c.post('/login', { json: { user: 'ana' } });
    expect(c.cookies.get()).toEqual({ session: 'ana' });
    expect(c.cookies.get('/prefs/colour')).toEqual({ session: 'ana', theme: 'dark' });
    seen.length = 0;
    await c.get('/account');
    expect(seen[0]?.cookie).toBe('session=ana');
    await c.get('/logout');
    expect(c.cookies.get()).toEqual({});
    expect((await c.get('/account')).status).toBe(401);
  });

  it('a task can set, delete and clear cookies', async () => {
    const { client: c } = client();
    c.cookies.set('session=forged; Path=/');
    expect((await c.get('/account')).text).toBe('forged');
    c.cookies.delete('session');
    expect((await c.get('/account')).status).toBe(401);
    c.cookies.set('session=again');
    c.cookies.clear();
    expect(c.cookies.get()).toEqual({});
  });
});

describe('redirects', () => {
  it('follows a chain and records it under the first name, with the final status', async () => {
    const { client: c, recorder } = client();
    const response = await c.get('/chain/3', { name: 'chain' });
    expect(response.status).toBe(200);
    expect(response.text).toBe('arrived by GET');
    expect(response.redirects).toBe(3);
    expect(response.url).toBe(`${server.url}/chain/0`);
    const stats = recorder.endpoints.get('GET chain');
    expect(stats?.requests).toBe(1);
    expect(stats?.failures).toBe(0);
    expect(recorder.requests).toBe(1);
  });

  it('a loop stops at the limit with a redirect failure that says what to do', async () => {
    const { client: c, recorder } = client();
    seen.length = 0;
    const response = await c.get('/loop');
    expect(seen).toHaveLength(11); // the request and 10 redirects
    expect(response.status).toBe(302);
    expect(response.failure?.kind).toBe('redirect');
    expect(response.failure?.message).toMatch(/more than 10 redirects.*redirect: false/);
    expect(recorder.errors.list()[0]).toMatchObject({ kind: 'redirect', name: '/loop' });
  });

  it('redirect: false keeps the 3xx as it is, and is not a failure', async () => {
    const { client: c } = client();
    const response = await c.get('/chain/2', { redirect: false });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/chain/1');
    expect(response.ok).toBe(true);
  });

  it('303 turns a POST into a GET; 307 keeps the method and the body', async () => {
    const { client: c } = client();
    expect((await c.post('/see-other', { body: 'x' })).text).toBe('arrived by GET');
    expect((await c.post('/keep', { body: 'payload' })).text).toBe('POST payload');
  });

  it('301/302 repeat a PUT with its body; only POST becomes a GET', async () => {
    const { client: c } = client();
    expect((await c.put('/moved-put', { body: 'data' })).text).toBe('PUT data');
  });

  it('credentials are not sent on to another origin, whatever their case', async () => {
    const { client: c } = client();
    const response = await c.get('/away', {
      headers: { Authorization: 'Bearer SECRET', Cookie: 'sid=mine', 'X-Trace': 'kept' },
    });
    const got = response.json<Record<string, string>>();
    expect(got.authorization).toBeUndefined();
    expect(got.cookie).toBeUndefined();
    expect(got['x-trace']).toBe('kept');
  });

  it("a task's own Cookie header and the jar's cookies go out as one header", async () => {
    const { client: c } = client();
    c.cookies.set('session=jar; Path=/');
    seen.length = 0;
    await c.get('/account', { headers: { Cookie: 'extra=1' } });
    expect(seen[0]?.cookie).toBe('extra=1; session=jar');
  });

  it('a Location that is not a URL fails the request as redirect, recorded', async () => {
    const { client: c, recorder } = client();
    const response = await c.get('/broken');
    expect(response.failure).toMatchObject({ kind: 'redirect', status: 302 });
    expect(response.failure?.message).toMatch(/not a URL/);
    expect(recorder.failures).toBe(1);
  });

  it('--max-redirects 0 returns every 3xx as it is', async () => {
    const recorder = new StatsRecorder();
    const c = new UserHttpClient(new UserConnections(), {
      host: server.url,
      sink: recorder,
      maxRedirects: 0,
    });
    const response = await c.get('/chain/1');
    expect(response.status).toBe(302);
    expect(response.ok).toBe(true);
  });

  it('a cookie set by a redirect is sent on the next hop', async () => {
    const { client: c } = client();
    expect((await c.get('/stamp')).text).toBe('stamped');
  });
});
