import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server | net.Server;
  close(): Promise<void>;
}

function track(server: http.Server | net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(server: http.Server | net.Server, port = 0): Promise<TestServer> {
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A real HTTP server on loopback, port 0 unless given. */
export function startHttpServer(handler: http.RequestListener, port = 0): Promise<TestServer> {
  return listen(http.createServer({ keepAliveTimeout: 30_000 }, handler), port);
}

/** A raw TCP server, for replies no HTTP server would send. */
export function startTcpServer(
  onSocket: (socket: net.Socket) => void,
  port = 0,
): Promise<TestServer> {
  return listen(net.createServer(onSocket), port);
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = await startTcpServer(() => undefined);
  await server.close();
  return server.port;
}
