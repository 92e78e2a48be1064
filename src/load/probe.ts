import net from 'node:net';

/**
 * Opens and closes one TCP connection to the URL's host and port. Resolves with undefined when it
 * connects, else with the reason (refused, timed out, does not resolve).
 */
export function probeHost(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const parsed = new URL(url);
  const port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ECONNREFUSED'
          ? 'connection refused'
          : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
            ? `host ${host} does not resolve`
            : `${error.code ?? 'error'}: ${error.message}`,
      ),
    );
  });
}
