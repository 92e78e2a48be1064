import { describe, expect, it } from 'vitest';
import {
  type CpuAnalysis,
  diagnose,
  type LeakVerdict,
  type ServiceSignals,
} from '../../src/profile/index.js';

const signals = (over: Partial<ServiceSignals> = {}): ServiceSignals => ({
  loopDelayMs: { p50: 0, p99: 2, max: 8 },
  loopUtilisation: 0.3,
  cpuPercent: 30,
  gcMs: 10,
  gcShare: 0.01,
  forcedGcMs: 0,
  handles: 10,
  windowMs: 1000,
  ...over,
});

const cpu = (byClass: Partial<CpuAnalysis['byClass']> = {}): CpuAnalysis => {
  const classes = {
    app: 0,
    dependency: 0,
    node: 0,
    native: 0,
    gc: 0,
    idle: 0,
    program: 0,
    ...byClass,
  };
  const busy = Object.entries(classes).reduce((n, [k, v]) => (k === 'idle' ? n : n + v), 0);
  return {
    durationUs: 1_000_000,
    busyUs: busy,
    samples: 1000,
    byClass: classes,
    functions: (['app', 'dependency', 'node'] as const).map((cls) => ({
      name: cls === 'app' ? 'hot' : `${cls}Work`,
      url: cls === 'node' ? 'node:x' : 'file:///srv/a.js',
      line: 3,
      column: 0,
      class: cls,
      selfUs: classes[cls],
      totalUs: classes[cls],
      attributedSelfUs: classes[cls],
      lines: [],
    })),
    packages: [{ name: 'fastify', us: classes.dependency }],
  };
};

const categories = (input: Parameters<typeof diagnose>[0]) =>
  diagnose(input).map((d) => d.category);
const base = { leak: undefined, clientP99Ms: 5, place: () => 'a.js:3' };

describe('diagnose', () => {
  it('CPU-bound in app code, or in a dependency, by where the busy time went', () => {
    expect(
      categories({
        ...base,
        signals: signals({ cpuPercent: 97 }),
        cpu: cpu({ app: 600_000, dependency: 300_000 }),
      }),
    ).toEqual(['cpu-bound-app']);
    const dep = diagnose({
      ...base,
      signals: signals({ cpuPercent: 97 }),
      cpu: cpu({ app: 100_000, dependency: 800_000 }),
    });
    expect(dep.map((d) => d.category)).toEqual(['cpu-bound-dependency']);
    expect(dep[0]?.title).toMatch(/most in fastify/);
    // A socket write's native time counts for Node's HTTP code that called it.
    const node = diagnose({
      ...base,
      signals: signals({ cpuPercent: 97 }),
      cpu: cpu({ app: 100_000, node: 800_000 }),
    });
    expect(node[0]?.title).toMatch(/^CPU-bound in Node's own work/);
  });

  it('CPU-bound too when the host gave it half a core while it waited for the rest', () => {
    // A busy host (other processes had the cores): 50% used and 45% waiting is a service that
    // wanted a core all along, not one idle on I/O.
    const starved = diagnose({
      ...base,
      clientP99Ms: 500,
      signals: signals({ cpuPercent: 50, runQueuePercent: 45 }),
      cpu: cpu({ app: 450_000 }),
    });
    expect(starved.map((d) => d.category)).toEqual(['cpu-bound-app']);
    expect(JSON.stringify(starved[0]?.evidence)).toMatch(/50% of a core, and 45% waiting for one/);
    expect(
      categories({
        ...base,
        clientP99Ms: 500,
        signals: signals({ cpuPercent: 50, runQueuePercent: 5 }),
        cpu: cpu({ app: 450_000 }),
      }),
    ).not.toContain('cpu-bound-app');
  });

  it('event-loop blocking by the delay, with the hot functions as evidence and actions', () => {
    const found = diagnose({
      ...base,
      signals: signals({ loopDelayMs: { p50: 1, p99: 90, max: 180 } }),
      cpu: cpu({ app: 300_000 }),
    });
    expect(found.map((d) => d.category)).toEqual(['event-loop-blocking']);
    expect(found[0]?.evidence.map((e) => e.name)).toContain('hot a.js:3');
    expect(found[0]?.actions.length).toBeGreaterThan(0);
  });

  it('GC pressure by the share of time in GC', () => {
    expect(
      categories({
        ...base,
        signals: signals({ gcShare: 0.15, gcMs: 150 }),
        cpu: cpu({ app: 300_000 }),
      }),
    ).toEqual(['gc-pressure']);
  });

  it('waiting on I/O: an idle service while clients wait', () => {
    expect(
      categories({
        ...base,
        clientP99Ms: 400,
        signals: signals({ cpuPercent: 8 }),
        cpu: cpu({ app: 50_000 }),
      }),
    ).toEqual(['waiting-on-io']);
  });

  it('a growing heap is a finding of its own', () => {
    const leak: LeakVerdict = {
      verdict: 'growing',
      bytesPer1000: 10e6,
      low: 9e6,
      high: 11e6,
      growthBytes: 30e6,
      samples: 5,
      summary: '',
    };
    expect(categories({ ...base, leak, signals: signals(), cpu: cpu({ app: 100_000 }) })).toEqual([
      'memory-growing',
    ]);
  });

  it('none, with the next step, when nothing limited it; the profile alone when the signals are missing', () => {
    const found = diagnose({ ...base, signals: signals(), cpu: cpu({ app: 100_000 }) });
    expect(found.map((d) => d.category)).toEqual(['none']);
    expect(found[0]?.actions[0]).toMatch(/raise the load/);
    expect(categories({ ...base, signals: undefined, cpu: cpu({ app: 950_000 }) })).toEqual([
      'cpu-bound-app',
    ]);
  });
});
