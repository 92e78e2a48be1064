import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BenchError } from '../src/bench/index.js';
import { ManifestError } from '../src/distributed/k8s.js';
import { ERROR_CODES, isPerfError } from '../src/errors.js';
import { EXIT } from '../src/exit-codes.js';
import { ScenarioError } from '../src/load/index.js';
import { RegressError } from '../src/regress/index.js';
import { ReportError } from '../src/report/html/index.js';
import { FaultInjectionError } from '../src/stress/index.js';
import { TargetsError } from '../src/targets/index.js';
import { UiError } from '../src/ui/index.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  const documented = [...doc.matchAll(/^## (FP_ERR_[A-Z_]+)/gm)].map((m) => m[1]);

  it('documents every error code, and only those', () => {
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('documents every exit code, by number and name, and only those', () => {
    const rows = [...doc.matchAll(/^\| (\d+) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(rows)).toEqual({ ...EXIT });
  });
});

describe('domain errors carry their code from where they are thrown', () => {
  const cases: Array<[Error, string]> = [
    [new ScenarioError('x'), 'FP_ERR_SCENARIO'],
    [new TargetsError('x'), 'FP_ERR_TARGETS'],
    [new BenchError('x'), 'FP_ERR_BENCH'],
    [new RegressError('x'), 'FP_ERR_BASELINE'],
    [new ReportError('x'), 'FP_ERR_BASELINE'],
    [new FaultInjectionError('x'), 'FP_ERR_FAULTS'],
    [new ManifestError('x'), 'FP_ERR_INVALID_FLAG'],
    [new UiError(400, 'x', 'FP_ERR_TARGETS'), 'FP_ERR_TARGETS'],
  ];
  for (const [error, code] of cases)
    it(`${error.name} is a user error with ${code}`, () => {
      expect(isPerfError(error)).toBe(true);
      expect((error as Error & { code: string }).code).toBe(code);
    });
});
