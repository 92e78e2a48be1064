import { describe, expect, it } from 'vitest';
import { checkUrl, connectError } from '../../src/database/connect-error.js';

const URL = 'postgres://fiml:Hunter2-secret@db.example:5433/shop';
const error = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('connectError: one line, what is wrong and how to fix it, no password', () => {
  it.each([
    [error('ECONNREFUSED'), /refused the connection; start the server, or fix the host and port/],
    [error('ENOTFOUND'), /does not resolve; fix the host/],
    [
      error('28P01', 'password authentication failed for user "fiml"'),
      /refused user "fiml": wrong password; fix the password in the URL/,
    ],
    [
      error('28000', 'no pg_hba.conf entry for host "10.0.0.1", user "fiml"'),
      /no pg_hba.conf entry.*give it a line in pg_hba.conf/,
    ],
    [
      error('3D000', 'database "shop" does not exist'),
      /database "shop" does not exist at .*; create it \(createdb shop\)/,
    ],
    [new Error('Connection terminated due to connection timeout'), /did not answer within 3 s/],
    [
      new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
      /asks for a password and the URL has none/,
    ],
    [new Error('The server does not support SSL connections'), /does not speak TLS/],
    [
      error('XX000', 'weird: Hunter2-secret leaked'),
      /cannot read PostgreSQL at .*: weird: \*\*\* leaked \(XX000\); check the URL/,
    ],
  ])('%s', (cause, expected) => {
    const perf = connectError(cause, URL, 3000);
    expect(perf.code).toBe('FP_ERR_DATABASE');
    expect(perf.message).toMatch(expected);
    expect(perf.message).toContain('postgres://fiml:***@db.example:5433/shop');
    expect(perf.message).not.toContain('Hunter2');
    expect(perf.message).not.toContain('\n');
    expect(perf.cause).toBeUndefined();
  });
});

describe('checkUrl', () => {
  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(() => checkUrl(URL)).not.toThrow();
    expect(() => checkUrl('postgresql://localhost/db')).not.toThrow();
  });

  it('refuses another scheme, or a URL that does not parse, without its password', () => {
    expect(() => checkUrl('mysql://u:Hunter2@h/db')).toThrow(
      'the database must be given as a URL postgres://USER:PASSWORD@HOST:PORT/DATABASE, not mysql://u:***@h/db',
    );
    expect(() => checkUrl('host=h password=Hunter2')).toThrow(/not host=h password=\*\*\*$/);
    try {
      checkUrl('postgres://u:Hun/ter2@h/db');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe(
        'the database URL postgres://u:***@h/db does not parse; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE, with @ / # ? : in the password percent-encoded (encodeURIComponent)',
      );
    }
  });
});
