import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateManifest } from '../../src/distributed/k8s.js';
import { runCliInProcess as runCli } from '../helpers/cli-in-process.js';

const EXAMPLE = new URL('../../deploy/k8s/distributed-load.yaml', import.meta.url);
// The command deploy/k8s/README.md gives.
const COMMAND = [
  'k8s',
  '--instances',
  '4',
  '--run',
  'example',
  '--rate',
  '2000',
  '--max-users',
  '400',
  '-t',
  '5m',
  '--host',
  'http://fiml:8000',
  '--target',
  'p99 < 500ms',
  '--target',
  'error_rate < 1%',
];

describe('deploy/k8s', () => {
  it('holds what fiml-perf k8s renders today, and every object validates strictly', async () => {
    const rendered = await runCli(COMMAND);
    expect(rendered.code, rendered.stderr).toBe(0);
    const committed = readFileSync(EXAMPLE, 'utf8');
    expect(committed, 'render it again with the command in deploy/k8s/README.md').toBe(
      rendered.stdout,
    );
    const readme = readFileSync(new URL('../../deploy/k8s/README.md', import.meta.url), 'utf8');
    expect(readme.replace(/\\\n\s*/g, '')).toContain(
      `fiml-perf ${COMMAND.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
    );
    const objects = parseAllDocuments(committed).map((d) => d.toJSON());
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'ConfigMap fiml-perf-config',
      'Deployment fiml-perf-redis',
      'Service fiml-perf-redis',
      'Job fiml-perf-agents',
      'Job fiml-perf-coordinator',
    ]);
    for (const object of objects) validateManifest(object);
  }, 30_000);

  it('a wrong load flag or a misspelt option is one line, exit 2', async () => {
    const bad = await runCli(['k8s', '--instances', '2', '--rat', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--rat'/);
    const name = await runCli([
      'k8s',
      '--instances',
      '2',
      '--host',
      'http://x:1',
      '--name',
      'Bad_Name',
    ]);
    expect(name.code).toBe(2);
    expect(name.stderr.trim().split('\n')).toHaveLength(1);
    expect(name.stderr).toMatch(/name: use lower-case letters/);
  }, 30_000);
});
