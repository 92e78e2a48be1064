import type {
  DatabaseSection,
  IndexSuggestion,
  StatementWindow,
  TableWindow,
} from '../../database/index.js';
import { THRESHOLDS } from './thresholds.js';

/**
 * What every output says the same way of a run's database (issue 27): where the figures come
 * from, a statement's text in a line, the tables read sequentially that are large.
 */

/** `FIML's own database` or `the service's database`. */
export function databaseSource(database: Pick<DatabaseSection, 'source'>): string {
  return database.source === 'fiml' ? "FIML's own database" : "the service's database";
}

/** A statement's text on one line, cut at `max` characters with an ellipsis. */
export function shortQuery(query: string, max = 80): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A large table read again and again by sequential scans during the window, where an index
 * matters (`THRESHOLDS.dbLargeTableRows` live rows, `THRESHOLDS.dbRepeatedSeqScans` scans).
 */
export function isLargeSequentialTable(table: TableWindow): boolean {
  return (
    table.seqScans >= THRESHOLDS.dbRepeatedSeqScans && table.liveRows >= THRESHOLDS.dbLargeTableRows
  );
}

/** The window's statements whose plans made a suggestion, most time first. */
export function statementsSuggesting(
  database: DatabaseSection,
  suggestion: IndexSuggestion,
): StatementWindow[] {
  return database.statements
    .filter((s) => s.suggestions.some((x) => x.ddl === suggestion.ddl))
    .sort((a, b) => b.totalMs - a.totalMs);
}
