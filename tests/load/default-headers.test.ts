import { describe, expect, it } from 'vitest';
import { DEFAULT_HEADERS, mergeHeaders } from '../../src/load/default-headers.js';
import { VERSION } from '../../src/version.js';

describe('mergeHeaders', () => {
  it('starts from a user agent, Accept and Accept-Encoding, as real clients send', () => {
    expect(DEFAULT_HEADERS).toEqual({
      'user-agent': `fiml-perf/${VERSION}`,
      accept: '*/*',
      'accept-encoding': 'gzip, deflate, br',
    });
  });

  it('lets a later layer replace a header whatever its case, and null remove it', () => {
    expect(
      mergeHeaders(
        DEFAULT_HEADERS,
        { 'X-Token': 'a' },
        { 'User-Agent': 'bot', 'accept-encoding': null, 'x-token': 'b' },
      ),
    ).toEqual({ 'User-Agent': 'bot', accept: '*/*', 'x-token': 'b' });
  });
});
