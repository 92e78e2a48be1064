import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ContentDecoder, codingsOf } from '../../src/load/content-decoder.js';

const BODY = Buffer.from('decoded as it arrives '.repeat(400));

/** Feeds `wire` in small chunks, as a socket would, and resolves with what came out. */
function decode(coding: string, wire: Buffer): Promise<{ body: Buffer; error?: Error }> {
  const codings = codingsOf(coding);
  if (!codings) throw new Error(`${coding} is not decoded`);
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const decoder = new ContentDecoder(
      codings,
      (chunk) => out.push(chunk),
      (error) => resolve({ body: Buffer.concat(out), error }),
    );
    for (let i = 0; i < wire.length; i += 100) decoder.write(wire.subarray(i, i + 100));
    decoder.end();
  });
}

describe('codingsOf', () => {
  it('lists the codings to undo, last applied first, and none for identity or one it does not know', () => {
    expect(codingsOf('gzip')).toEqual(['gzip']);
    expect(codingsOf('GZIP')).toEqual(['gzip']);
    expect(codingsOf('deflate, br')).toEqual(['br', 'deflate']);
    expect(codingsOf('identity')).toBeUndefined();
    expect(codingsOf('zstd')).toBeUndefined();
    expect(codingsOf('gzip, compress')).toBeUndefined();
  });
});

/** Each path through the decoder: at once, as it arrives, and at once given up for the streams. */
const BODIES = {
  'a small body (decoded at once)': BODY,
  'a body big on the wire (decoded as it arrives)': randomBytes(200 << 10),
  'a body small on the wire that decodes big (too big to decode at once)': Buffer.alloc(3 << 20),
};

describe.each(Object.entries(BODIES))('ContentDecoder, %s', (_, plain) => {
  it.each([
    ['gzip', gzipSync(plain)],
    ['x-gzip', gzipSync(plain)],
    ['br', brotliCompressSync(plain)],
    ['deflate', deflateSync(plain)],
    // Raw deflate, as some servers send "deflate": told apart by its first byte.
    ['deflate', deflateRawSync(plain)],
    ['gzip, br', brotliCompressSync(gzipSync(plain))],
  ])('undoes %s', async (coding, wire) => {
    const { body, error } = await decode(coding, wire);
    expect(error).toBeUndefined();
    expect(body.equals(plain)).toBe(true);
  });

  it('gives what a body cut short of its trailer holds, as browsers do', async () => {
    const wire = gzipSync(plain);
    const { body, error } = await decode('gzip', wire.subarray(0, wire.length - 8));
    expect(error).toBeUndefined();
    expect(body.equals(plain)).toBe(true);
  });
});

describe('ContentDecoder', () => {
  it.each([
    ['small', BODY],
    ['big', randomBytes(200 << 10)],
  ])('ends with the error of a %s body that is not what it says', async (_, wire) => {
    const { error } = await decode('gzip', wire);
    expect(error?.message).toMatch(/header/);
  });
});
