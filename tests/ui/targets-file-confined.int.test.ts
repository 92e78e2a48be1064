/**
 * The form's targets file reads only files under the UI's folder, and quotes nothing of a file
 * that is not a targets file (issue 25, item 11): before, `/etc/redis/redis.conf` answered with
 * one of its lines, and a missing file was told from an existing one anywhere on the machine.
 */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFiml } from '../../fiml/index.js';
import { call, startFiml } from '../helpers/fiml.js';
import { startUi } from './helpers.js';

const SECRET = 's3cret-value';
let fiml: RunningFiml;
let ui: Awaited<ReturnType<typeof startUi>>;
let root: string;
let outside: string;

beforeAll(async () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'fiml-perf-ui-targets-')));
  root = join(base, 'project');
  outside = join(base, 'elsewhere');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'redis.conf'), `bind 127.0.0.1\nrequirepass ${SECRET}\n`);
  writeFileSync(join(outside, 'targets.yaml'), 'targets: ["p99 < 500ms"]\n');
  writeFileSync(join(root, 'good.yaml'), 'targets:\n  - name: p99\n    expr: p99 < 500ms\n');
  writeFileSync(join(root, 'typo.yaml'), 'targets: ["p99 < 500"]\n');
  writeFileSync(join(root, 'redis.conf'), `requirepass ${SECRET}\n`);
  // Parse errors of YAML and JSON quote the line or the text they stopped at.
  writeFileSync(
    join(root, 'conf.yaml'),
    `# comment\nbind 127.0.0.1 -::1\n\n# more\nrequirepass ${SECRET}\n`,
  );
  writeFileSync(join(root, 'conf.json'), `requirepass ${SECRET} {`);
  writeFileSync(join(root, 'keys.json'), `{"requirepass": "${SECRET}"}`);
  symlinkSync(join(outside, 'targets.yaml'), join(root, 'link.yaml'));
  symlinkSync(outside, join(root, 'linked-folder'));
  fiml = await startFiml();
  ui = await startUi(fiml.url, { targetsFiles: { folder: root } });
});

afterAll(async () => {
  await ui?.session.close();
  await ui?.server.close();
  await fiml?.close();
});

const start = (targetsFile: string) =>
  call(ui.base, '/api/start', { method: 'POST', body: { users: 1, targetsFile } });

describe("the UI's targets file", () => {
  it('outside its folder is refused with one answer, whether the file exists or not', async () => {
    const existing = await start(join(outside, 'redis.conf'));
    const missing = await start(join(outside, 'missing.conf'));
    expect(existing.status).toBe(400);
    expect(missing.status).toBe(400);
    expect(existing.body.error).toMatch(/is not under .*project/);
    expect(existing.body.error.replace('redis.conf', 'X')).toBe(
      missing.body.error.replace('missing.conf', 'X'),
    );
    expect(existing.text).not.toContain(SECRET);
    const passwd = await start('/etc/passwd');
    expect(passwd.status).toBe(400);
    expect(passwd.body.error).toMatch(/is not under/);
    expect((await start('/etc/no-such-file')).body.error).toBe(
      passwd.body.error.replace('/etc/passwd', '/etc/no-such-file'),
    );
    expect(ui.session.state).toBe('ready');
  });

  it('a way out of its folder (.., a link to a file or a folder outside) is refused alike', async () => {
    for (const path of [
      join(root, '..', 'elsewhere', 'targets.yaml'),
      join(root, 'link.yaml'),
      join(root, 'linked-folder', 'targets.yaml'),
      join(root, 'linked-folder', 'missing.yaml'),
    ]) {
      const answer = await start(path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error, path).toMatch(/is not under/);
    }
  });

  it('inside its folder, a file that is not a targets file is not quoted', async () => {
    for (const name of ['redis.conf', 'conf.yaml', 'conf.json', 'keys.json']) {
      const answer = await start(join(root, name));
      expect(answer.status, name).toBe(400);
      expect(answer.text, name).not.toContain(SECRET);
      expect(answer.text, name).not.toContain('requirepass');
    }
    expect((await start(join(root, 'redis.conf'))).body.error).toMatch(
      /a \.yaml, \.yml or \.json file/,
    );
    expect((await start(join(root, 'conf.yaml'))).body.error).toMatch(
      /does not parse as YAML.*line 5, column 1/,
    );
    // A missing file in its folder is named as missing.
    expect((await start(join(root, 'nope.yaml'))).body.error).toMatch(/nope\.yaml not found/);
  });

  it('inside its folder, a targets file is used, and its mistakes are quoted', async () => {
    const typo = await start(join(root, 'typo.yaml'));
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatch(/'p99 < 500' at column 7/);
    const good = await start(join(root, 'good.yaml'));
    expect(good.status, good.text).toBe(202);
    expect(good.body.run.input.targetsFile).toBe(join(root, 'good.yaml'));
    await call(ui.base, '/api/stop', { method: 'POST', body: {} });
    await ui.session.settled();
  }, 30_000);
});
