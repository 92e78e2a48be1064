import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../src/load/index.js';
import {
  type HttpsServerOptions,
  startHttp2Server,
  startHttpsServer,
  type TestServer,
  tlsFixture,
} from '../helpers/http-server.js';
import { recordQuick } from '../helpers/quick.js';

const ok = (_req: unknown, res: http.ServerResponse) => res.end('ok');
const ca = tlsFixture('ca');
const clientCert = { cert: tlsFixture('client'), key: tlsFixture('client-key') };

const protocols: Record<string, { start: (o: HttpsServerOptions) => Promise<TestServer> }> = {
  'HTTP/1.1': { start: (o) => startHttpsServer(ok, o) },
  'HTTP/2': { start: (o) => startHttp2Server(ok as never, { ...o, tls: true }) },
};

describe.each(Object.keys(protocols))('quick mode TLS, %s', (protocol) => {
  let server: TestServer | undefined;
  afterEach(() => server?.close());
  const http2 = protocol === 'HTTP/2';

  /** Failure kinds of 3 requests to a server started with `options`, sent with `client`. */
  async function kinds(options: HttpsServerOptions, client: ClientConfig): Promise<string[]> {
    server = await protocols[protocol]!.start(options);
    const { calls } = await recordQuick(`${server.url}/`, 3, { client: { ...client, http2 } });
    return calls.map((c) => c.failure?.kind ?? 'ok');
  }

  it('refuses a self-signed certificate by default (kind tls)', async () => {
    expect(await kinds({ certificate: 'self-signed' }, {})).toEqual(['tls', 'tls', 'tls']);
  });

  it('accepts it with insecure', async () => {
    expect(await kinds({ certificate: 'self-signed' }, { insecure: true })).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
  });

  it('trusts a private CA given as ca, and only then', async () => {
    expect(await kinds({}, { ca })).toEqual(['ok', 'ok', 'ok']);
    await server?.close();
    expect(await kinds({}, {})).toEqual(['tls', 'tls', 'tls']);
  });

  it('shows a client certificate to a server that requires one (mutual TLS)', async () => {
    const refused = await kinds({ requireClientCert: true }, { ca });
    expect(refused).toEqual(['tls', 'tls', 'tls']);
    await server?.close();
    expect(await kinds({ requireClientCert: true }, { ca, ...clientCert })).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
  });
});
