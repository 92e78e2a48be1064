import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../src/cli/index.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { if?: string; steps: Step[] }>;
}

const workflow = parse(readFileSync('.github/workflows/performance.yml', 'utf8')) as Workflow;
const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts as object);
const program = await buildProgram();
const commands = program.commands.map((c) => c.name());
const stressKinds = program.commands
  .find((c) => c.name() === 'stress')!
  .commands.map((c) => c.name());

describe('.github/workflows/performance.yml', () => {
  it('runs on pull requests, pushes to main and weekly', () => {
    expect(Object.keys(workflow.on)).toEqual(
      expect.arrayContaining(['pull_request', 'push', 'schedule']),
    );
    expect(Object.keys(workflow.jobs)).toEqual(['pull-request', 'main', 'weekly']);
  });

  it.each([
    [
      'pull-request',
      [
        'Benchmarks against the base branch (A/B)',
        'Performance targets',
        'Comment on the pull request',
        'Upload results',
        'Fail on a regression or a missed target',
      ],
    ],
    [
      'main',
      [
        'Update the baseline',
        'Main job (standard load on embedded FIML, the six targets)',
        'Stress peak',
        'Stress spike',
        'Stress breakpoint',
        'Stress faults',
        'Upload results',
      ],
    ],
    [
      'weekly',
      ['Full benchmark suite', 'Trend report', 'Endurance test (1 hour)', 'Upload results'],
    ],
  ])('job %s has its steps', (job, names) => {
    const steps = workflow.jobs[job]!.steps.map((s) => s.name);
    expect(steps).toEqual(expect.arrayContaining(names));
  });

  it('runs only commands that exist: package.json scripts and fiml-perf commands', () => {
    const runs = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.flatMap((s) => (s.run ? [s.run] : [])),
    );
    expect(runs.length).toBeGreaterThan(8);
    for (const run of runs) {
      for (const [, script] of run.matchAll(/npm run ([\w:-]+)/g))
        expect(scripts, run).toContain(script);
      for (const [, command] of run.matchAll(/npx fiml-perf ([a-z]+)/g))
        expect(commands, run).toContain(command);
      for (const [, kind] of run.matchAll(/npx fiml-perf stress ([a-z]+)/g))
        expect(stressKinds, run).toContain(kind);
      const first = run.trim().split(/\s+/).slice(0, 2).join(' ');
      expect(
        ['npm ci', 'npm start', 'exit 1'].includes(first) || /^(npm run|npx fiml-perf) /.test(run),
        run,
      ).toBe(true);
    }
  });
});
