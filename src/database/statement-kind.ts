/**
 * Which statements may be explained. Only plannable statements are: a utility command (CREATE,
 * ALTER, DROP, VACUUM, COPY, SET, BEGIN, ...) is never sent back to the server, even wrapped.
 */

/** The statements PREPARE accepts, and so the only ones fiml-perf explains. */
const PLANNABLE = new Set([
  'SELECT',
  'WITH',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'VALUES',
  'TABLE',
]);

/** The statement's first keyword, upper-cased, past comments, blanks and opening parentheses. */
export function statementVerb(query: string): string {
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s|\(/.test(c)) i++;
    else if (query.startsWith('--', i)) {
      const end = query.indexOf('\n', i);
      i = end === -1 ? query.length : end + 1;
    } else if (query.startsWith('/*', i)) {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      do {
        if (query.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (query.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < query.length);
    } else break;
  }
  return /^[A-Za-z]+/.exec(query.slice(i))?.[0]?.toUpperCase() ?? '';
}

/** True for a statement with a plan (SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE). */
export function isPlannable(query: string): boolean {
  return PLANNABLE.has(statementVerb(query));
}
