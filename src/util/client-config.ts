import { readFileSync } from 'node:fs';
import net from 'node:net';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { PerfError } from '../errors.js';

/**
 * How requests go out, the same in scenarios and quick mode: whom to trust, which certificate to
 * show, which protocol. Plain data (the PEM text, not file names), so workers get it as it is.
 */
export interface ClientConfig {
  /** Accept any server certificate (`--insecure`). @default false: certificates are verified */
  readonly insecure?: boolean;
  /** PEM of the CAs to trust instead of Node's bundled ones (`--ca FILE`). */
  readonly ca?: string;
  /** PEM of the client certificate and its key, for mutual TLS (`--cert`, `--key`). */
  readonly cert?: string;
  readonly key?: string;
  /** Speak HTTP/2: ALPN over TLS, prior knowledge (h2c) over plain text. @default false */
  readonly http2?: boolean;
  /** Quick mode over HTTP/2: streams in flight on each connection. @default 1 */
  readonly streams?: number;
  /** Scenarios: redirects followed before a request fails as a loop. @default 10 */
  readonly maxRedirects?: number;
}

/** Whom a TLS client trusts and what it shows: verification, CAs, client certificate. */
export function tlsTrust(
  config: ClientConfig | undefined,
): Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'cert' | 'key'> {
  return {
    rejectUnauthorized: config?.insecure !== true,
    ...(config?.ca ? { ca: config.ca } : {}),
    ...(config?.cert ? { cert: config.cert } : {}),
    ...(config?.key ? { key: config.key } : {}),
  };
}

/** Where a TLS connection to `hostname` goes: `tlsTrust`, and SNI for a name. */
export function tlsOptions(config: ClientConfig | undefined, hostname: string): ConnectionOptions {
  const host = hostname.replace(/^\[|\]$/g, '');
  // SNI carries names only, never addresses (RFC 6066).
  return { ...tlsTrust(config), ...(net.isIP(host) ? {} : { servername: host }) };
}

/** A PEM file's text. @throws PerfError FP_ERR_INVALID_FLAG */
function readPem(option: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `${option} ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}; give a PEM file`,
    );
  }
  if (!text.includes('-----BEGIN '))
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      `${option} ${file} is not PEM (no '-----BEGIN' line); convert it with openssl`,
    );
  return text;
}

/** The TLS and protocol flags a ClientConfig is read from: file names, not PEM text. */
export interface ClientFlags {
  readonly insecure: boolean;
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly http2?: boolean | undefined;
  readonly maxRedirects?: number | undefined;
  readonly streams?: number | undefined;
}

/**
 * The client settings from the TLS and protocol flags: the PEM files read, and checked by
 * OpenSSL now, so a mismatch is one line and not an error per connection. @throws PerfError
 * FP_ERR_INVALID_FLAG for a file that is missing or not PEM, FP_ERR_TLS for PEMs that do not fit
 */
export function readClientConfig(flags: ClientFlags): ClientConfig {
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new PerfError(
      'FP_ERR_INVALID_FLAG',
      '--cert and --key go together: give the client certificate and its key',
    );
  const ca = flags.ca ? readPem('--ca', flags.ca) : undefined;
  const cert = flags.cert ? readPem('--cert', flags.cert) : undefined;
  const key = flags.key ? readPem('--key', flags.key) : undefined;
  try {
    createSecureContext({ ca, cert, key });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new PerfError(
      'FP_ERR_TLS',
      `${flags.cert ? `--cert ${flags.cert} and --key ${flags.key}` : `--ca ${flags.ca}`} cannot be used (${err.code ?? 'error'}: ${err.message}); ${
        /MISMATCH/.test(err.code ?? '')
          ? 'give the key that belongs to the certificate'
          : /DECRYPT|PASS/i.test(`${err.code} ${err.message}`)
            ? 'give a key without a passphrase (openssl pkey -in KEY -out PLAIN)'
            : 'check the PEM files'
      }`,
    );
  }
  return {
    insecure: flags.insecure,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    http2: flags.http2 ?? false,
    maxRedirects: flags.maxRedirects,
    ...(flags.streams !== undefined ? { streams: flags.streams } : {}),
  };
}
