import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^## (FP_ERR_[A-Z_]+)/gm)].map((m) => m[1]);

  it('documents every error code, and only those', () => {
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
