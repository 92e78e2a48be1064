import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from '../../src/database/index.js';
import { secretsOf } from '../../src/database/redact.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://fiml:s3cret@127.0.0.1:5432/fiml', 'postgres://fiml:***@127.0.0.1:5432/fiml'],
    [
      'postgresql://u:p%40ss@db.example/app?sslmode=require',
      'postgresql://u:***@db.example/app?sslmode=require',
    ],
    // Passwords that break the URL's syntax: masked to the last @.
    ['postgres://u:p@ss@host/db', 'postgres://u:***@host/db'],
    ['postgres://u:pa/ss@host/db', 'postgres://u:***@host/db'],
    ['postgres://u:pa#ss@host/db', 'postgres://u:***@host/db'],
    ['postgres://u:pa?ss@host/db', 'postgres://u:***@host/db'],
    ['postgres://u:@host/db', 'postgres://u:***@host/db'],
    // In the query string.
    [
      'postgres://u@host/db?password=s3cret&sslmode=require',
      'postgres://u@host/db?password=***&sslmode=require',
    ],
    [
      'postgres://host/db?sslmode=require&sslpassword=k3y',
      'postgres://host/db?sslmode=require&sslpassword=***',
    ],
    // Nothing to hide.
    ['postgres://u@host:5432/db', 'postgres://u@host:5432/db'],
    ['postgres://host/db', 'postgres://host/db'],
    ['postgres:///db?host=/var/run/postgresql', 'postgres:///db?host=/var/run/postgresql'],
    // key=value conninfo strings.
    ['host=db user=u password=s3cret dbname=app', 'host=db user=u password=*** dbname=app'],
    ["host=db password='it s\\'ecret' dbname=app", 'host=db password=*** dbname=app'],
    ['host=db password = s3cret', 'host=db password = ***'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactSecrets takes the password out of a message', () => {
  const url = 'postgres://fiml:p%40ss-w0rd@127.0.0.1:5432/fiml';

  it('in the URL’s form, percent-decoded, anywhere in the text', () => {
    expect(secretsOf(url).sort()).toEqual(['p%40ss-w0rd', 'p@ss-w0rd']);
    expect(redactSecrets('bad port "p@ss-w0rd" and p%40ss-w0rd', url)).toBe(
      'bad port "***" and ***',
    );
  });

  it('and any URL or conninfo password it quotes', () => {
    expect(
      redactSecrets(
        'cannot connect to postgres://a:b@c/d, password=zz or postgres://x@h/?password=q',
      ),
    ).toBe('cannot connect to postgres://a:***@c/d, password=*** or postgres://x@h/?password=***');
  });

  it('leaves a message without secrets as it is', () => {
    const message = 'password authentication failed for user "fiml"';
    expect(redactSecrets(message, url)).toBe(message);
  });
});
