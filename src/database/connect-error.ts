import { PerfError } from '../errors.js';
import { redactSecrets, redactUrl } from './redact.js';

/** What a URL must look like, for the messages. */
export const URL_SHAPE = 'postgres://USER:PASSWORD@HOST:PORT/DATABASE';

/**
 * The URL checked before the driver sees it: a postgres:// or postgresql:// URL that parses.
 * @throws PerfError FP_ERR_DATABASE, the URL redacted
 */
export function checkUrl(url: string): void {
  const where = redactUrl(url);
  if (!/^postgres(?:ql)?:\/\//i.test(url))
    throw new PerfError(
      'FP_ERR_DATABASE',
      `the database must be given as a URL ${URL_SHAPE}, not ${where}`,
    );
  try {
    new URL(url);
  } catch {
    // The parser's error carries the URL (`input`): it is not kept.
    throw new PerfError(
      'FP_ERR_DATABASE',
      `the database URL ${where} does not parse; write it as ${URL_SHAPE}, with @ / # ? : in the password percent-encoded (encodeURIComponent)`,
    );
  }
}

function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || 'the default user';
  } catch {
    return 'the user';
  }
}

function databaseOf(url: string): string {
  try {
    const path = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
    return path || userOf(url);
  } catch {
    return 'the database';
  }
}

/**
 * The one-line user error for a failed connection or first query: what is wrong and how to fix
 * it, the URL's password masked everywhere (the driver's message included). No `cause` is kept:
 * a driver's error may hold the configuration, password and all.
 */
export function connectError(error: unknown, url: string, timeoutMs: number): PerfError {
  const where = redactUrl(url);
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const said = redactSecrets(typeof e.message === 'string' ? e.message : String(error), url);
  const fail = (message: string) => new PerfError('FP_ERR_DATABASE', message);
  switch (code) {
    case 'ECONNREFUSED':
      return fail(
        `PostgreSQL at ${where} refused the connection; start the server, or fix the host and port in the URL`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`the host of ${where} does not resolve; fix the host in the URL`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(
        `PostgreSQL at ${where} cannot be reached (${code}); check the host and port, and that no firewall drops the connection`,
      );
    case '28P01':
      return fail(
        `PostgreSQL at ${where} refused user "${userOf(url)}": wrong password; fix the password in the URL`,
      );
    case '28000':
      return fail(
        `PostgreSQL at ${where} refused the connection: ${said}; fix the user in the URL, or give it a line in pg_hba.conf`,
      );
    case '3D000':
      return fail(
        `database "${databaseOf(url)}" does not exist at ${where}; create it (createdb ${databaseOf(url)}) or name an existing one in the URL`,
      );
    case '53300':
      return fail(
        `PostgreSQL at ${where} has no connection left (${said}); raise max_connections or close idle connections`,
      );
  }
  if (/timeout/i.test(said))
    return fail(
      `PostgreSQL at ${where} did not answer within ${timeoutMs / 1000} s; check the host and port, and that the server is up`,
    );
  if (/SASL|password must be a string/i.test(said))
    return fail(
      `PostgreSQL at ${where} asks for a password and the URL has none; add it (${URL_SHAPE}) or set PGPASSWORD`,
    );
  if (/does not support SSL/i.test(said))
    return fail(
      `PostgreSQL at ${where} does not speak TLS; drop sslmode from the URL or set sslmode=disable`,
    );
  return fail(
    `cannot read PostgreSQL at ${where}: ${said}${code ? ` (${code})` : ''}; check the URL`,
  );
}
