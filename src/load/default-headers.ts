import { VERSION } from '../version.js';

/** A header's value, or `null` to send none (a default or an earlier layer's taken away). */
export type HeaderValue = string | null;

/** What fiml-perf calls itself in `User-Agent`. */
export const USER_AGENT = `fiml-perf/${VERSION}`;

/**
 * What every scenario request carries unless its user or the request says otherwise (issue 26,
 * item 7): servers answer a client that sends none differently (no compression, another content
 * type, bot rules). Locust's HttpUser sends the same three (python-requests' defaults).
 */
export const DEFAULT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'user-agent': USER_AGENT,
  accept: '*/*',
  'accept-encoding': 'gzip, deflate, br',
});

/**
 * Quick mode's defaults: the same name and `Accept`, and no `Accept-Encoding` unless asked (`-H`),
 * so its figures compare with wrk's and autocannon's, which ask for no compression.
 */
export const QUICK_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'user-agent': USER_AGENT,
  accept: '*/*',
});

/**
 * Header layers as one, names compared without case: a later layer's value replaces an earlier
 * one's (keeping the later name's case), and `null` or `undefined` removes the header.
 */
export function mergeHeaders(
  ...layers: ReadonlyArray<Readonly<Record<string, HeaderValue | undefined>> | undefined>
): Record<string, string> {
  const byName = new Map<string, [string, HeaderValue | undefined]>();
  for (const layer of layers) {
    if (!layer) continue;
    for (const name of Object.keys(layer)) byName.set(name.toLowerCase(), [name, layer[name]]);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of byName.values()) if (value != null) out[name] = value;
  return out;
}
