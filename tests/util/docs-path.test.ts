import { describe, expect, it } from 'vitest';
import { docsFromHere } from '../../src/util/docs-path.js';

describe("the help text's docs/ pages, from where the user is (issue 24)", () => {
  const help = 'Docs: docs/bench.md\n  --html FILE  the report (docs/report.md); not src/docs/x.md';
  const docs = '/home/me/shop/node_modules/fiml-perf/docs';

  it('in a project that installed fiml-perf: the path into node_modules', () => {
    expect(docsFromHere(help, '/home/me/shop', docs)).toBe(
      'Docs: node_modules/fiml-perf/docs/bench.md\n  --html FILE  the report (node_modules/fiml-perf/docs/report.md); not src/docs/x.md',
    );
  });

  it('in the package itself: as written', () => {
    expect(docsFromHere(help, '/home/me/shop/node_modules/fiml-perf', docs)).toBe(help);
  });

  it('elsewhere: the absolute path', () => {
    expect(docsFromHere('Docs: docs/run.md', '/tmp/elsewhere', docs)).toBe(`Docs: ${docs}/run.md`);
  });
});
