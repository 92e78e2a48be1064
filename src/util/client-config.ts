import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';

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
