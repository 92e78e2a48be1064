/**
 * `fiml-perf ui` reads the form's targets files from the folder it was started in, or the one
 * `--targets-dir` names, and no other (issue 25, item 11).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { expectUserError, spawnCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { call, startFiml } from '../helpers/fiml.js';
import { until } from '../helpers/until.js';
import { UI_SCENARIO } from './helpers.js';

let fiml: RunningFiml;
let folder: string;
beforeAll(async () => {
  folder = realpathSync(mkdtempSync(join(tmpdir(), 'fiml-perf-ui-dir-')));
  writeFileSync(join(folder, 'mine.yaml'), 'targets: ["p99 < 500ms"]\n');
  fiml = await startFiml();
});
afterAll(async () => {
  await fiml?.close();
});

/** Runs `fiml-perf ui` in `cwd` until `use` is done with its address, then Ctrl-C. */
async function withUi(
  args: readonly string[],
  cwd: string | undefined,
  use: (base: string) => Promise<void>,
): Promise<void> {
  const child: ChildProcess = spawnCli(
    ['ui', '-f', UI_SCENARIO, '--no-typecheck', '--host', fiml.url, '--web-port', '0', ...args],
    {},
    cwd,
  );
  let stderr = '';
  const port = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
      const match = /fiml-perf UI: http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  try {
    await use(`http://127.0.0.1:${port}`);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
}

async function startsWith(base: string, targetsFile: string) {
  const answer = await call(base, '/api/start', {
    method: 'POST',
    body: { users: 1, runTime: '1s', targetsFile },
  });
  if (answer.status === 202) {
    await call(base, '/api/stop', { method: 'POST', body: {} });
    await until(
      async () => (await call(base, '/api/state')).body.state === 'stopped',
      'the test stopped',
    );
  }
  return answer;
}

describe('fiml-perf ui: where the form may read a targets file', () => {
  it('by default, the folder it was started in: a relative path there, nothing elsewhere', async () => {
    await withUi([], folder, async (base) => {
      expect((await startsWith(base, 'mine.yaml')).status).toBe(202);
      const passwd = await startsWith(base, '/etc/passwd');
      expect(passwd.status).toBe(400);
      expect(passwd.body.error).toContain(`is not under ${folder}`);
    });
  }, 60_000);

  it('--targets-dir FOLDER: that folder, and not the one it was started in', async () => {
    await withUi(['--targets-dir', folder], undefined, async (base) => {
      expect((await startsWith(base, join(folder, 'mine.yaml'))).status).toBe(202);
      const own = await startsWith(base, 'targets/standard.yaml');
      expect(own.status).toBe(400);
      expect(own.body.error).toMatch(/is not under .*--targets-dir/);
    });
  }, 60_000);

  it('--targets-dir naming no folder: one line, exit 2', async () => {
    expectUserError(
      await runCliInProcess(['ui', '--targets-dir', join(folder, 'mine.yaml')]),
      /--targets-dir ".*mine\.yaml": expected a folder that exists/,
    );
  });
});
