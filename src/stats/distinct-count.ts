/** 2^12 registers: 4 KB, a standard error of 1.6%. */
const BITS = 12;
const REGISTERS = 1 << BITS;
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);
const TWO_32 = 2 ** 32;

/**
 * FNV-1a over the UTF-16 code units of `prefix`, a separator and `text` (no string is built), then
 * murmur3's finalizer so every bit depends on every input.
 */
function hash32(text: string, prefix: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < prefix.length; i++) {
    h ^= prefix.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ 0xffff, 0x01000193);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * How many distinct strings were seen, in fixed memory (HyperLogLog, Flajolet et al. 2007): how
 * many request names went past the cap, however many there were. Counters merge exactly (register
 * by register), so workers' counts add up to the count one counter would have given.
 */
export class DistinctCounter {
  readonly #registers = new Uint8Array(REGISTERS);
  /** True when a register changed since the last `takeChange()`. */
  #changed = false;

  /** Counts `text` (within `prefix`: the same text under two prefixes counts twice). */
  add(text: string, prefix = ''): void {
    const h = hash32(text, prefix);
    const index = h >>> (32 - BITS);
    const rest = (h << BITS) >>> 0;
    const rank = rest === 0 ? 32 - BITS + 1 : Math.clz32(rest) + 1;
    if (rank > (this.#registers[index] as number)) {
      this.#registers[index] = rank;
      this.#changed = true;
    }
  }

  /** The estimated count of distinct strings added here and in every merged counter. */
  get estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const r of this.#registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    let e = (ALPHA * REGISTERS * REGISTERS) / sum;
    if (e <= 2.5 * REGISTERS && zeros > 0) e = REGISTERS * Math.log(REGISTERS / zeros);
    else if (e > TWO_32 / 30) e = -TWO_32 * Math.log(1 - e / TWO_32);
    return Math.round(e);
  }

  /** The registers, base64, when they changed since the last call (a worker's delta); else undefined. */
  takeChange(): string | undefined {
    if (!this.#changed) return undefined;
    this.#changed = false;
    return Buffer.from(this.#registers).toString('base64');
  }

  /** Adds what another counter saw, given as `takeChange()` returned it. */
  merge(encoded: string): void {
    const other = Buffer.from(encoded, 'base64');
    const n = Math.min(other.length, REGISTERS);
    for (let i = 0; i < n; i++)
      if ((other[i] as number) > (this.#registers[i] as number)) {
        this.#registers[i] = other[i] as number;
        this.#changed = true;
      }
  }
}
