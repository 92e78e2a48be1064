import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const deploy = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

function promtool(...args: string[]): { ok: boolean; out: string } {
  try {
    const out = execFileSync('promtool', args, { cwd: deploy, encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, out };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: string };
    if (e.code === 'ENOENT') return { ok: false, out: 'ENOENT' };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const hasPromtool = promtool('--version').ok;

describe('deploy/prometheus with promtool (Debian prometheus; .ci/run installs it)', () => {
  it('promtool is here in CI', () => {
    if (process.env.CI) expect(hasPromtool).toBe(true);
  });

  it.skipIf(!hasPromtool)('the config and its rule files are valid', () => {
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config.ok, config.out).toBe(true);
    expect(config.out).toMatch(/2 rule files found/);
    const rules = promtool('check', 'rules', 'rules/recording.yml', 'rules/alerts.yml');
    expect(rules.ok, rules.out).toBe(true);
    expect(rules.out).toMatch(/6 rules found/);
  });

  it.skipIf(!hasPromtool)(
    "every alert fires when its target's figure crosses and stays quiet otherwise (promtool test rules)",
    () => {
      const test = promtool('test', 'rules', 'tests/alerts.test.yml');
      expect(test.ok, test.out).toBe(true);
      expect(test.out).toMatch(/SUCCESS/);
    },
  );
});
