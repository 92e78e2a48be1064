/**
 * openDatabaseWatch's user errors that need no PostgreSQL: a port nobody listens on, and a server
 * that accepts the connection but never speaks (the connect timeout ends it). One line each,
 * FP_ERR_DATABASE, the password shown as ***.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabaseWatch } from '../../src/database/index.js';

const listen = (server: Server) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

describe('openDatabaseWatch refuses a database it cannot reach', () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
  });
  let silentPort = 0;
  let closedPort = 0;

  beforeAll(async () => {
    silentPort = await listen(silent);
    const probe = createServer();
    closedPort = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a port nobody listens on: refused', async () => {
    await expect(
      openDatabaseWatch(`postgres://u:Pw-42@127.0.0.1:${closedPort}/db`, { source: 'service' }),
    ).rejects.toMatchObject({
      code: 'FP_ERR_DATABASE',
      message: `PostgreSQL at postgres://u:***@127.0.0.1:${closedPort}/db refused the connection; start the server, or fix the host and port in the URL`,
    });
  });

  it('a server that never answers: the connect timeout, said in the message', async () => {
    await expect(
      openDatabaseWatch(`postgres://u:Pw-42@127.0.0.1:${silentPort}/db`, {
        source: 'service',
        connectTimeoutMs: 300,
      }),
    ).rejects.toMatchObject({
      code: 'FP_ERR_DATABASE',
      message: `PostgreSQL at postgres://u:***@127.0.0.1:${silentPort}/db did not answer within 0.3 s; check the host and port, and that the server is up`,
    });
  });

  it('a URL that is not one, before any connection', async () => {
    await expect(
      openDatabaseWatch('host=db password=Pw-42', { source: 'service' }),
    ).rejects.toMatchObject({
      code: 'FP_ERR_DATABASE',
      message:
        'the database must be given as a URL postgres://USER:PASSWORD@HOST:PORT/DATABASE, not host=db password=***',
    });
  });
});
