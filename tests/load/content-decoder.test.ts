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
      wire[0],
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

describe('ContentDecoder', () => {
  it.each([
    ['gzip', gzipSync(BODY)],
    ['x-gzip', gzipSync(BODY)],
    ['br', brotliCompressSync(BODY)],
    ['deflate', deflateSync(BODY)],
    // Raw deflate, as some servers send "deflate": told apart by its first byte.
    ['deflate', deflateRawSync(BODY)],
    ['gzip, br', brotliCompressSync(gzipSync(BODY))],
  ])('undoes %s', async (coding, wire) => {
    const { body, error } = await decode(coding, wire);
    expect(error).toBeUndefined();
    expect(body.equals(BODY)).toBe(true);
  });

  it('ends with the error of a body that is not what it says', async () => {
    const { error } = await decode('gzip', BODY);
    expect(error?.message).toMatch(/header/);
  });

  it('gives what a body cut short of its trailer holds, as browsers do', async () => {
    const wire = gzipSync(BODY);
    const { body, error } = await decode('gzip', wire.subarray(0, wire.length - 8));
    expect(error).toBeUndefined();
    expect(body.equals(BODY)).toBe(true);
  });
});
