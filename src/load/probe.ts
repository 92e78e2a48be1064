import net from 'node:net';
import tls from 'node:tls';
import { PerfError } from '../errors.js';
import { type ClientConfig, tlsOptions } from '../util/client-config.js';

/** Why the target cannot be used: it does not answer, or its TLS handshake fails. */
export interface ProbeProblem {
  readonly kind: 'unreachable' | 'tls';
  /** What went wrong and, for TLS, the flag that fixes it. */
  readonly reason: string;
}

export interface ProbeOptions {
  /** @default 3000 */
  readonly timeoutMs?: number;
  /** The TLS settings the run will use, so the probe trusts exactly what the run trusts. */
  readonly client?: ClientConfig;
}

/** HTTP/2's client connection preface and an empty SETTINGS frame (RFC 9113, section 3.4). */
const H2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/** An operating system's error (ECONNRESET, ETIMEDOUT), as opposed to a TLS one. */
const SYSTEM_CODE = /^E[A-Z]+$/;

/** What to do about a failed handshake, by OpenSSL's or Node's code. */
function tlsFix(code: string, message: string, config: ClientConfig | undefined): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the certificate is not for this name (${message}); use the name it was issued for, or pass --insecure`;
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|ALERT/.test(code))
    return config?.cert
      ? `the server refused the client certificate (${code}); check --cert and --key`
      : `the server asks for a client certificate (${code}); pass --cert FILE and --key FILE`;
  if (/CERT|SELF_SIGNED|UNABLE_TO|VERIFY/.test(code))
    return `its certificate is not trusted (${code}: ${message}); pass --ca FILE with the CA that signed it, or --insecure to accept any certificate`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO')
    return `it does not speak TLS on this port (${code}); use http:// or the TLS port`;
  return `${code ? `${code}: ` : ''}${message}`;
}

/**
 * Opens and closes one connection to the URL's host and port, with the TLS handshake for https
 * (and one request over it, since a server that wants a client certificate says so only after
 * the handshake). Resolves with undefined when the target can be used, else with the problem.
 */
export function probeHost(
  url: string,
  options: ProbeOptions = {},
): Promise<ProbeProblem | undefined> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  const port = Number(parsed.port) || (secure ? 443 : 80);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let handshaken = false;
    let socket: net.Socket;
    try {
      socket = secure
        ? tls.connect({
            host,
            port,
            ...tlsOptions(options.client, host),
            ALPNProtocols: options.client?.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
          })
        : net.connect({ host, port });
    } catch (error) {
      // Settings OpenSSL refuses (a key that is not the certificate's) throw before connecting.
      const err = error as NodeJS.ErrnoException;
      resolve({ kind: 'tls', reason: tlsFix(err.code ?? '', err.message, options.client) });
      return;
    }
    const finish = (problem: ProbeProblem | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () =>
      finish({
        kind: handshaken || !secure ? 'unreachable' : 'tls',
        reason: `no answer within ${timeoutMs} ms`,
      }),
    );
    if (secure) {
      socket.once('secureConnect', () => {
        handshaken = true;
        // Over HTTP/2 the connection preface and empty settings, which the server answers with
        // its own settings; else a HEAD request. Either way no request reaches the application.
        socket.write(
          (socket as tls.TLSSocket).alpnProtocol === 'h2'
            ? H2_PREFACE
            : `HEAD ${parsed.pathname || '/'} HTTP/1.1\r\nHost: ${parsed.host}\r\nUser-Agent: fiml-perf\r\nConnection: close\r\n\r\n`,
        );
      });
      // Any answer means the server accepted us; an alert arrives as an error instead.
      socket.once('data', () => finish(undefined));
      socket.once('end', () => finish(undefined));
    } else socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (code === 'ECONNREFUSED') finish({ kind: 'unreachable', reason: 'connection refused' });
      else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        finish({ kind: 'unreachable', reason: `host ${host} does not resolve` });
      else if (secure && handshaken && code === 'ECONNRESET')
        finish({
          kind: 'tls',
          reason: options.client?.cert
            ? 'the server closed the connection after the handshake: it may refuse the client certificate; check --cert and --key'
            : 'the server closed the connection after the handshake: it may want a client certificate; pass --cert FILE and --key FILE',
        });
      else if (secure && (code === 'EPROTO' || !SYSTEM_CODE.test(code)))
        finish({ kind: 'tls', reason: tlsFix(code, error.message, options.client) });
      else finish({ kind: 'unreachable', reason: `${code || 'error'}: ${error.message}` });
    });
  });
}

/**
 * Probes `url` and throws the one-line error a user sees when it cannot be used: unreachable
 * (with `fix`, what to check) or a TLS problem (with the flag that solves it). @throws PerfError
 */
export async function assertReachable(
  url: string,
  client: ClientConfig | undefined,
  fix: string,
): Promise<void> {
  const problem = await probeHost(url, { client });
  if (!problem) return;
  const origin = new URL(url).origin;
  if (problem.kind === 'tls')
    throw new PerfError('FP_ERR_TLS', `TLS with ${origin} failed: ${problem.reason}`);
  throw new PerfError(
    'FP_ERR_HOST_UNREACHABLE',
    `cannot reach ${origin}: ${problem.reason}; ${fix}`,
  );
}
