import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { FimlOptions } from './options.js';

export interface ListenOptions {
  /** @default 8000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Connections accepted at once; past it new ones are closed at once (Node's maxConnections). */
  readonly maxConnections?: number;
}

export interface RunningFiml {
  readonly app: FastifyInstance;
  /** Base URL, such as http://127.0.0.1:8000 */
  readonly url: string;
  close(): Promise<void>;
}

/** Builds FIML and listens. @throws what buildApp throws, and EADDRINUSE-style listen errors */
export async function startServer(options: FimlOptions & ListenOptions = {}): Promise<RunningFiml> {
  const { port = 8000, host = '127.0.0.1', maxConnections, ...fimlOptions } = options;
  const app = await buildApp(fimlOptions);
  if (maxConnections !== undefined) app.server.maxConnections = maxConnections;
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${urlHost}:${actualPort}`, close: () => app.close() };
}
