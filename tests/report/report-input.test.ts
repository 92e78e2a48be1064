import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { expectUserError } from '../helpers/cli.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-report-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fiml-perf report: its input', () => {
  it('says in one line when a file is not a result', async () => {
    expectUserError(await runCli(['report', join(dir, 'none.json')]), /none\.json does not exist/);
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# Load test summary\n\n- Requests: 10\n');
    expectUserError(await runCli(['report', summary]), /summary\.md is not JSON/);
  });
});
