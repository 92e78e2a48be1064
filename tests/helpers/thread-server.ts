import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';

export interface ThreadServer {
  readonly url: string;
  /** Ends the thread, and with it the server and its connections. */
  close(): Promise<void>;
}

/**
 * An HTTP server on loopback in a worker thread of its own: its timers do not wait behind the
 * load generator's work, nor the generator's behind its (a test of measured latency needs
 * both on time). `makeHandler` runs in the thread from its source, so it uses nothing from
 * around it: it builds its state inside and returns the request handler.
 */
export function startServerInThread(
  makeHandler: () => (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ThreadServer> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
const server = require('node:http').createServer((${makeHandler.toString()})());
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
    { eval: true },
  );
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (port: number) =>
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          await worker.terminate();
        },
      }),
    );
  });
}
