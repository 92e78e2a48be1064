import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server | net.Server | http2.Http2Server;
  close(): Promise<void>;
}

type AnyServer = http.Server | net.Server | http2.Http2Server;

function track(server: AnyServer): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  // Every kind of server (TLS and HTTP/2 included) emits the raw TCP socket as 'connection'.
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(server: AnyServer, port = 0, scheme = 'http'): Promise<TestServer> {
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${bound}`,
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

/** A PEM from tests/fixtures/tls (made by its make.sh): ca, server, client, self-signed, and their -key. */
export function tlsFixture(name: string): string {
  return readFileSync(
    fileURLToPath(new URL(`../fixtures/tls/${name}.pem`, import.meta.url)),
    'utf8',
  );
}

/** The path of a PEM in tests/fixtures/tls, for flags such as --ca. */
export function tlsFixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/tls/${name}.pem`, import.meta.url));
}

export interface HttpsServerOptions {
  /** `server` (signed by the test CA, the default) or `self-signed`. */
  readonly certificate?: 'server' | 'self-signed';
  /** Ask for a client certificate signed by the test CA, and refuse a connection without one. */
  readonly requireClientCert?: boolean;
}

function tlsServerOptions(options: HttpsServerOptions) {
  const certificate = options.certificate ?? 'server';
  return {
    cert: tlsFixture(certificate),
    key: tlsFixture(`${certificate}-key`),
    ...(options.requireClientCert
      ? { requestCert: true, rejectUnauthorized: true, ca: tlsFixture('ca') }
      : {}),
  };
}

/** A real HTTPS (HTTP/1.1) server on loopback. */
export function startHttpsServer(
  handler: http.RequestListener,
  options: HttpsServerOptions = {},
): Promise<TestServer> {
  return listen(
    https.createServer({ ...tlsServerOptions(options), keepAliveTimeout: 30_000 }, handler),
    0,
    'https',
  );
}

/**
 * A real HTTP/2 server on loopback: over TLS with ALPN (`tls: true`, HTTP/1.1 allowed too, so a
 * test sees which one a client chose in `request.httpVersion`), else h2c with prior knowledge.
 */
export function startHttp2Server(
  handler: (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void,
  options: HttpsServerOptions & { readonly tls?: boolean } = {},
): Promise<TestServer> {
  const server = options.tls
    ? http2.createSecureServer({ ...tlsServerOptions(options), allowHTTP1: true }, handler)
    : http2.createServer(handler);
  return listen(server, 0, options.tls ? 'https' : 'http');
}
