/**
 * Database credentials never reach a log, a result or a report (issue 27): every URL or conninfo
 * string fiml-perf prints or stores goes through `redactUrl`, every message that may echo one
 * through `redactSecrets`.
 */

const MASK = '***';

/** `password=...` in a URL's query string (`?password=x&sslmode=require`), `sslpassword` too. */
const QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&#]*/gi;

/** `password=...` in a key=value conninfo string, quoted (`'it''s'`, `'a\'b'`) or not. */
const CONNINFO_PASSWORD = /(?<![?&\w])((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)/gi;

/** A URL with user information, as it may appear inside a longer message. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s@/]*@/gi;

/**
 * The URL (or key=value conninfo string) with its password replaced by `***`: in the user
 * information (`postgres://user:***@host/db`), and as `password=` in a query string or a conninfo
 * string. A password that breaks the URL's syntax (an unencoded `@`, `/`, `?` or `#`) is masked up
 * to the last `@`, so a malformed URL hides too much rather than too little.
 */
export function redactUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return url.replace(CONNINFO_PASSWORD, `$1${MASK}`);
  const rest = url.slice(scheme[0].length);
  const query = rest.indexOf('?');
  // The user information ends at the last `@` before the query string; a password holding a
  // `?` leaves none there, and then the last `@` of all is taken.
  const before = query === -1 ? rest : rest.slice(0, query);
  let at = before.lastIndexOf('@');
  // Ambiguous (`host:5432/db?x=a@b` has no password, `u:5432/x?y@h/db` has one): masked.
  if (at === -1) at = rest.lastIndexOf('@');
  let out = rest;
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon !== -1) out = `${userinfo.slice(0, colon)}:${MASK}${rest.slice(at)}`;
  }
  return scheme[0] + out.replace(QUERY_PASSWORD, `$1${MASK}`);
}

/**
 * The password a URL carries, as written and percent-decoded, or none: what `redactSecrets` must
 * take out of a message that might echo it (a driver's error, a parser's complaint).
 */
export function secretsOf(url: string): string[] {
  const secrets = new Set<string>();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme) {
    const rest = url.slice(scheme[0].length);
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at !== -1 && colon !== -1 && colon < at) secrets.add(rest.slice(colon + 1, at));
  }
  for (const match of url.matchAll(
    /(?:^|[?&\s])(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s#]*)/gi,
  ))
    secrets.add(match[1]!.replace(/^'|'$/g, ''));
  for (const secret of [...secrets]) {
    try {
      secrets.add(decodeURIComponent(secret));
    } catch {
      // not percent-encoded: the raw form is already in the set
    }
  }
  return [...secrets].filter((secret) => secret.length > 0);
}

/**
 * `text` with the URL's password taken out wherever it appears, and any URL or conninfo password
 * in it masked: for messages of the driver or the server that a user will read.
 */
export function redactSecrets(text: string, url?: string): string {
  let out = text;
  // Longest first, so a decoded form that contains the encoded one is not left half masked.
  const secrets = url ? secretsOf(url).sort((a, b) => b.length - a.length) : [];
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out
    .replace(URL_IN_TEXT, `$1:${MASK}@`)
    .replace(QUERY_PASSWORD, `$1${MASK}`)
    .replace(CONNINFO_PASSWORD, `$1${MASK}`);
}
