import { pipeline, type Transform, Writable } from 'node:stream';
import zlib from 'node:zlib';

/** Codings a response may come in that the client undoes, as a browser does. */
const CODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** More codings than this on one body is not a real server (undici's fetch stops at 5 too). */
const MAX_CODINGS = 5;

/**
 * The codings of a `Content-Encoding` to undo, last applied first; undefined when there is none,
 * or one the client does not know (the body is then counted and kept as it came).
 */
export function codingsOf(contentEncoding: string): string[] | undefined {
  const list = contentEncoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  if (list.length === 0 || list.length > MAX_CODINGS) return undefined;
  if (!list.every((c) => CODINGS.has(c))) return undefined;
  return list.reverse();
}

// As undici's fetch: a body cut short of its trailer still gives what it holds, as browsers do.
const ZLIB = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI = {
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
};

function decoderOf(coding: string, firstByte: number | undefined): Transform {
  if (coding === 'br') return zlib.createBrotliDecompress(BROTLI);
  if (coding === 'deflate')
    // "deflate" is zlib-wrapped by the RFC, but some servers send it raw: the first byte of a
    // zlib stream says which (its low nibble is 8, the deflate method), as browsers tell them apart.
    return firstByte === undefined || (firstByte & 0x0f) === 0x08
      ? zlib.createInflate(ZLIB)
      : zlib.createInflateRaw(ZLIB);
  return zlib.createGunzip(ZLIB);
}

/**
 * A compressed body undone as it arrives: `onChunk` gets the decoded bytes in order, `onEnd` is
 * called once, after the last of them or with the error that stopped it. zlib works on the thread
 * pool, so decoding adds no time to the event loop's turn that received the bytes.
 */
export class ContentDecoder {
  readonly #first: Transform;
  #cancelled = false;
  /** Ended or failed: a stage destroyed by an error must not be written to again. */
  #over = false;

  constructor(
    codings: readonly string[],
    firstByte: number | undefined,
    onChunk: (chunk: Buffer) => void,
    onEnd: (error: Error | undefined) => void,
  ) {
    const stages = codings.map((c, i) => decoderOf(c, i === 0 ? firstByte : undefined));
    this.#first = stages[0] as Transform;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        onChunk(chunk);
        done();
      },
    });
    pipeline([...stages, sink], (error) => {
      this.#over = true;
      if (!this.#cancelled) onEnd(error ?? undefined);
    });
  }

  write(chunk: Buffer): void {
    if (!this.#over) this.#first.write(chunk);
  }

  /** No more bytes: `onEnd` follows the last decoded ones. */
  end(): void {
    if (!this.#over) this.#first.end();
  }

  /** Stops without calling `onEnd` (the request failed on the wire). */
  cancel(): void {
    this.#cancelled = true;
    if (!this.#over) this.#first.destroy();
  }
}
