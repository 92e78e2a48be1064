import { describe, expect, it } from 'vitest';
import { MARKER } from '../../src/database/index.js';
import { findStatements, type Query } from '../../src/database/statements-source.js';

/** A catalog answering what findStatements asks, as a server in each state would. */
function catalog(state: {
  created?: boolean;
  loaded?: boolean;
  installed?: boolean;
  mayCreate?: boolean;
  info?: boolean;
  track?: string;
}) {
  const sent: string[] = [];
  let created = state.created ?? false;
  const query = (async (marked: string) => {
    // Our SQL carries the marker after its first word; the fake reads it without.
    const text = marked.replace(`${MARKER} `, '');
    sent.push(text);
    if (text.includes('FROM pg_extension')) return created ? [{ schema: 'public' }] : [];
    if (text.includes('pg_available_extensions'))
      return [{ loaded: state.loaded ?? false, installed: state.installed ?? true }];
    if (text.includes('CREATE EXTENSION')) {
      if (!state.mayCreate)
        throw new Error('permission denied to create extension "pg_stat_statements"');
      created = true;
      return [];
    }
    if (text.includes('LIMIT 1')) {
      if (!state.loaded)
        throw Object.assign(
          new Error('pg_stat_statements must be loaded via shared_preload_libraries'),
          {
            code: '55000',
          },
        );
      return [{}];
    }
    if (text.includes("'pg_stat_statements.track'")) return [{ track: state.track ?? 'top' }];
    if (text.includes('FROM pg_attribute'))
      return [{ name: 'queryid' }, { name: 'total_exec_time' }];
    if (text.includes('to_regclass')) return [{ present: state.info ?? true }];
    throw new Error(`unexpected: ${text}`);
  }) as Query;
  return { query, sent };
}

describe('findStatements: where pg_stat_statements is, or one line saying how to enable it', () => {
  it('finds the view in the schema of the extension', async () => {
    const { query } = catalog({ created: true, loaded: true });
    expect(await findStatements(query, 'shop')).toEqual({
      available: true,
      view: 'public.pg_stat_statements',
      infoView: 'public.pg_stat_statements_info',
      totalColumn: 'total_exec_time',
      maxColumn: 'max_exec_time',
    });
  });

  it('not loaded by the server (and not created): shared_preload_libraries, restart, CREATE EXTENSION', async () => {
    const result = await findStatements(catalog({}).query, 'shop');
    expect(result).toEqual({
      available: false,
      note: `no statements: pg_stat_statements is not loaded by the server; set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in database "shop"`,
    });
  });

  it('created but not loaded (the view says 55000): the same line', async () => {
    const result = await findStatements(catalog({ created: true }).query, 'shop');
    expect(result).toMatchObject({
      available: false,
      note: expect.stringContaining('is not loaded by the server; set shared_preload_libraries'),
    });
  });

  it('loaded but not created: CREATE EXTENSION, and the database is left alone', async () => {
    const { query, sent } = catalog({ loaded: true, mayCreate: true });
    expect(await findStatements(query, 'shop')).toEqual({
      available: false,
      note: 'no statements: pg_stat_statements is loaded but not created in database "shop"; run CREATE EXTENSION pg_stat_statements; there (as a superuser)',
    });
    expect(sent.some((text) => text.includes('CREATE EXTENSION'))).toBe(false);
  });

  it('loaded but not created, with createExtension: created', async () => {
    const { query } = catalog({ loaded: true, mayCreate: true });
    expect(await findStatements(query, 'shop', { createExtension: true })).toMatchObject({
      available: true,
    });
  });

  it('createExtension without the right to create: why, in one line', async () => {
    const { query } = catalog({ loaded: true, mayCreate: false });
    expect(await findStatements(query, 'shop', { createExtension: true })).toEqual({
      available: false,
      note: 'no statements: pg_stat_statements could not be created in database "shop" (permission denied to create extension "pg_stat_statements"); run CREATE EXTENSION pg_stat_statements; there as a superuser',
    });
  });

  it('not installed on the server: the contrib package first', async () => {
    const result = await findStatements(catalog({ installed: false }).query, 'shop');
    expect(result).toMatchObject({
      available: false,
      note: expect.stringMatching(
        /^no statements: pg_stat_statements is not installed on the server; install PostgreSQL's contrib package, set shared_preload_libraries/,
      ),
    });
  });

  it('tracking nothing (pg_stat_statements.track = none): how to turn it on', async () => {
    const { query } = catalog({ created: true, loaded: true, track: 'none' });
    expect(await findStatements(query, 'shop')).toEqual({
      available: false,
      note: 'no statements: pg_stat_statements.track is none on the server; set pg_stat_statements.track = top in postgresql.conf and reload PostgreSQL',
    });
  });

  it('every note is one line', async () => {
    for (const state of [{}, { created: true }, { loaded: true }, { installed: false }]) {
      const result = await findStatements(catalog(state).query, 'shop');
      expect(result.available).toBe(false);
      if (!result.available) expect(result.note).not.toContain('\n');
    }
  });
});
