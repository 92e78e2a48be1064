const INTEGER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A hash or database id: md5, sha1, a MongoDB ObjectId; eight hex digits or more, some digits. */
const HEX = /^(?=[a-f]*\d)[0-9a-f]{8,}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Sixteen or more base64url characters with two digits and a letter (tokens, random keys). */
const TOKEN = /^(?=(?:.*\d){2})(?=.*[A-Za-z])[A-Za-z0-9_-]{16,}={0,2}$/;
/** An e-mail address, but not a file name such as logo@2x.png. */
const EMAIL =
  /^[^@/]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?!(?:png|jpe?g|gif|svg|webp|ico|css|js|json|html?|pdf|txt)$)[A-Za-z]{2,}$/i;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;

function charClass(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  return 0;
}

/**
 * Whether a token reads as random rather than as words: random base64 changes between lower case,
 * upper case and digits at almost every character; `get_market_data_2024` never does inside a word.
 */
function looksRandom(segment: string): boolean {
  let changes = 0;
  let last = 0;
  for (let i = 0; i < segment.length; i++) {
    const now = charClass(segment.charCodeAt(i));
    if (now !== 0 && last !== 0 && now !== last) changes++;
    last = now;
  }
  return changes >= 4;
}

/** The placeholder for a segment with a digit, `@` or `%` in it, or undefined to keep it. */
function placeholder(segment: string, keepIntegers: boolean): string | undefined {
  if (INTEGER.test(segment)) return keepIntegers ? undefined : ':id';
  if (UUID.test(segment) || HEX.test(segment)) return ':id';
  if (DATE.test(segment)) return ':date';
  if (EMAIL.test(segment)) return ':id';
  if (TOKEN.test(segment) && looksRandom(segment)) return ':id';
  return undefined;
}

const SLASH = 47;
const AT = 64;
const PERCENT = 37;

/**
 * The name a request without `name` is recorded under: its path without the query, with each
 * segment that is a variable replaced: integers, UUIDs, hex ids of 8+ digits, base64-like tokens
 * of 16+ characters and e-mail addresses become `:id`, ISO dates `:date`. Words, versions (`v2`,
 * `1.2.3`) and file names stay as they are: `/v2/item/123?x=1` is `/v2/item/:id`. With `keepIntegers`, integers stay as they are (a run
 * folds them by position, `NameFolds`).
 */
export function templatePath(path: string, keepIntegers = false): string {
  // Runs on every request: one pass, a second look only at segments with a digit, @ or %, and a
  // new string only when a segment is replaced.
  const query = path.search(/[?#]/);
  const end = query === -1 ? path.length : query;
  let out = '';
  let copied = 0;
  let start = 0;
  let candidate = false;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? SLASH : path.charCodeAt(i);
    if (c === SLASH) {
      const name = candidate ? placeholder(path.slice(start, i), keepIntegers) : undefined;
      if (name) {
        out += path.slice(copied, start) + name;
        copied = i;
      }
      start = i + 1;
      candidate = false;
    } else if ((c >= 48 && c <= 57) || c === AT || c === PERCENT) candidate = true;
  }
  return copied === 0 ? path.slice(0, end) : out + path.slice(copied, end);
}
