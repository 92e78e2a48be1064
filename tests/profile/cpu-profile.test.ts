import { describe, expect, it } from 'vitest';
import {
  analyseCpuProfile,
  type CallFrame,
  type CpuProfile,
  classify,
  foldedStacks,
  packageOf,
  trimProfile,
} from '../../src/profile/index.js';

const frame = (functionName: string, url = '', lineNumber = -1): CallFrame => ({
  functionName,
  scriptId: '0',
  url,
  lineNumber,
  columnNumber: 0,
});

/**
 * A hand-built profile with known answers: 10 samples of 100 µs. main calls parse (which calls
 * JSON.parse, a native, and recurse, which calls itself) and is interrupted by GC; the thread is
 * idle for one sample.
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 8] },
    { id: 2, callFrame: frame('main', 'file:///srv/app.js', 10), children: [3, 6] },
    { id: 3, callFrame: frame('parse', 'file:///srv/app.js', 20), children: [4, 5] },
    { id: 4, callFrame: frame('parse', '', -1) },
    {
      id: 5,
      callFrame: frame('recurse', 'file:///srv/app.js', 30),
      children: [7],
      positionTicks: [{ line: 31, ticks: 1 }],
    },
    { id: 6, callFrame: frame('(garbage collector)') },
    {
      id: 7,
      callFrame: frame('recurse', 'file:///srv/app.js', 30),
      positionTicks: [{ line: 32, ticks: 4 }],
      deoptReason: 'Optimized too many times',
    },
    { id: 8, callFrame: frame('(idle)') },
  ],
  startTime: 0,
  endTime: 1000,
  samples: [2, 4, 4, 5, 7, 6, 8, 3, 2, 7],
  timeDeltas: [0, 100, 100, 100, 100, 100, 100, 100, 100, 100],
};

describe('analyseCpuProfile on a hand-built profile', () => {
  const analysis = analyseCpuProfile(profile);
  const fn = (name: string, url = 'file:///srv/app.js') =>
    analysis.functions.find((f) => f.name === name && f.url === url);

  it('self time: the time each function was on top', () => {
    expect(fn('main')?.selfUs).toBe(200);
    expect(fn('parse')?.selfUs).toBe(100);
    expect(fn('parse', '')?.selfUs).toBe(200);
    expect(fn('recurse')?.selfUs).toBe(300);
    expect(fn('(garbage collector)', '')?.selfUs).toBe(100);
  });

  it('total time: anywhere on the stack, a recursive function once a sample', () => {
    expect(fn('main')?.totalUs).toBe(900);
    expect(fn('parse')?.totalUs).toBe(600);
    // Two samples have recurse twice on the stack: 300, not 500.
    expect(fn('recurse')?.totalUs).toBe(300);
    expect(fn('parse', '')?.totalUs).toBe(200);
  });

  it("attributed self: a native's time goes to the app function that called it", () => {
    expect(fn('parse')?.attributedSelfUs).toBe(300);
    expect(fn('parse', '')?.attributedSelfUs).toBe(0);
    expect(fn('main')?.attributedSelfUs).toBe(200);
    // Ranked by attributed self, ties by self: recurse (300, 300), parse (300, 100), main.
    expect(analysis.functions.slice(0, 3).map((f) => `${f.name}:${f.line}`)).toEqual([
      'recurse:31',
      'parse:21',
      'main:11',
    ]);
  });

  it('busy time, classes, hot lines and deopts', () => {
    expect(analysis.durationUs).toBe(1000);
    expect(analysis.samples).toBe(10);
    expect(analysis.busyUs).toBe(900);
    expect(analysis.byClass).toEqual({
      app: 600,
      dependency: 0,
      node: 0,
      native: 200,
      gc: 100,
      idle: 100,
      program: 0,
    });
    expect(fn('recurse')?.lines).toEqual([
      { line: 32, us: 200 },
      { line: 31, us: 100 },
    ]);
    expect(fn('recurse')?.deoptReason).toBe('Optimized too many times');
  });

  it('out-of-order timestamps never give negative time', () => {
    const odd = analyseCpuProfile({
      ...profile,
      timeDeltas: [0, 100, -50, 150, 100, 100, 100, 100, 100, 100],
    });
    for (const f of odd.functions) expect(f.selfUs).toBeGreaterThanOrEqual(0);
    expect(odd.functions.reduce((n, f) => n + f.selfUs, 0)).toBe(1000);
  });
});

describe('trimProfile', () => {
  it('keeps the samples inside the window only, with their times, hits and line ticks', () => {
    const hits = profile.nodes.map((n) => ({
      ...n,
      hitCount: (profile.samples ?? []).filter((s) => s === n.id).length,
    }));
    // Samples at 0, 100, ..., 900 µs: the window 250..650 keeps those at 300, 400, 500, 600.
    const trimmed = trimProfile({ ...profile, nodes: hits }, 250, 650);
    expect(trimmed.samples).toEqual([5, 7, 6, 8]);
    expect(trimmed.timeDeltas).toEqual([50, 100, 100, 100]);
    expect(trimmed.startTime).toBe(250);
    expect(trimmed.endTime).toBe(650);
    const node = (id: number) => trimmed.nodes.find((n) => n.id === id);
    expect(node(7)?.hitCount).toBe(1);
    expect(node(2)?.hitCount).toBe(0);
    // recurse (node 7) kept 1 of its 2 hits: half its line ticks.
    expect(node(7)?.positionTicks).toEqual([{ line: 32, ticks: 2 }]);
    const analysis = analyseCpuProfile(trimmed);
    expect(analysis.durationUs).toBe(400);
    // Each sample lasts to the next: 300 and 400 µs, 100 µs each.
    expect(analysis.functions.find((f) => f.name === 'recurse')?.selfUs).toBe(200);
    // main was only below others inside the window.
    expect(analysis.functions.find((f) => f.name === 'main')?.selfUs).toBe(0);
  });

  it('a window beyond the profile is clamped to it', () => {
    const trimmed = trimProfile(profile, -500, 5000);
    expect(trimmed.samples).toEqual(profile.samples);
    expect(trimmed.startTime).toBe(0);
    expect(trimmed.endTime).toBe(1000);
  });
});

describe('folded stacks', () => {
  it('a line per stack with self time, in µs, idle left out', () => {
    expect(foldedStacks(profile).trim().split('\n')).toEqual([
      'main /srv/app.js:11 200',
      'main /srv/app.js:11;(garbage collector) 100',
      'main /srv/app.js:11;parse /srv/app.js:21 100',
      'main /srv/app.js:11;parse /srv/app.js:21;parse 200',
      'main /srv/app.js:11;parse /srv/app.js:21;recurse /srv/app.js:31 100',
      'main /srv/app.js:11;parse /srv/app.js:21;recurse /srv/app.js:31;recurse /srv/app.js:31 200',
    ]);
  });
});

describe('classify', () => {
  it.each([
    [frame('(garbage collector)'), 'gc'],
    [frame('(idle)'), 'idle'],
    [frame('(program)'), 'program'],
    [frame('readFile', 'node:fs', 1), 'node'],
    [frame('stringify'), 'native'],
    [frame('request', 'file:///srv/node_modules/undici/lib/api.js', 3), 'dependency'],
    [frame('handler', 'file:///srv/src/routes.ts', 3), 'app'],
  ] as const)('%j is %s', (f, cls) => expect(classify(f)).toBe(cls));

  it('names the package of a dependency frame, scoped or not', () => {
    expect(packageOf('file:///a/node_modules/undici/lib/x.js')).toBe('undici');
    expect(packageOf('file:///a/node_modules/@fastify/ajv-compiler/index.js')).toBe(
      '@fastify/ajv-compiler',
    );
    expect(packageOf('file:///a/node_modules/x/node_modules/y/z.js')).toBe('y');
    expect(packageOf('file:///a/src/x.js')).toBeUndefined();
  });
});
