/**
 * Reading a V8 CPU profile (`.cpuprofile`, the DevTools protocol's `Profiler.Profile`): self,
 * total and attributed self time per function, the share of each class of code, hot lines, and
 * Brendan Gregg's folded stacks. Pure functions over the file, so every figure can be checked
 * against a hand-built profile.
 */

/** A call frame as V8 reports it; line and column are 0-based. */
export interface CallFrame {
  readonly functionName: string;
  readonly scriptId: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
  readonly deoptReason?: string;
  /** Samples per source line (1-based) while this node was on top. */
  readonly positionTicks?: ReadonlyArray<{ readonly line: number; readonly ticks: number }>;
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds. */
  readonly startTime: number;
  readonly endTime: number;
  /** The node on top of the stack at each sample. */
  readonly samples?: readonly number[];
  /** Microseconds between samples; the first is from `startTime`. */
  readonly timeDeltas?: readonly number[];
}

/**
 * What kind of code a frame is: the service's own (`app`), a package (`dependency`), Node's
 * (`node`), V8 builtins and natives (`native`), and the pseudo-frames: garbage collection, idle
 * (waiting for I/O), and `program` (V8 work no JavaScript frame owns).
 */
export type FrameClass = 'app' | 'dependency' | 'node' | 'native' | 'gc' | 'idle' | 'program';

export function classify(frame: CallFrame): FrameClass {
  const { functionName, url } = frame;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)' || functionName === '(root)') return 'program';
  if (url.startsWith('node:')) return 'node';
  if (url === '' || url.startsWith('wasm://')) return 'native';
  if (/[/\\]node_modules[/\\]/.test(url)) return 'dependency';
  return 'app';
}

/** The package a dependency frame belongs to: `undici`, `@fastify/ajv-compiler`. */
export function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** One function's figures over the profile, in microseconds. */
export interface FunctionTime {
  readonly name: string;
  readonly url: string;
  /** 1-based, as editors count; 0 when unknown. */
  readonly line: number;
  /** 0-based, as V8 reports it: with the line, where a source map looks. */
  readonly column: number;
  readonly class: FrameClass;
  /** Time with the function on top of the stack. */
  readonly selfUs: number;
  /** Time with the function anywhere on the stack, counted once a sample even when recursive. */
  readonly totalUs: number;
  /**
   * Self time plus that of the V8 builtins and natives it called (JSON.parse, a regular
   * expression): where a fix would go. Zero for natives themselves.
   */
  readonly attributedSelfUs: number;
  /** Hot lines inside it (1-based) by self time, most first. */
  readonly lines: ReadonlyArray<{ readonly line: number; readonly us: number }>;
  /** Why V8 did not optimise it, when it said. */
  readonly deoptReason?: string;
}

/** The whole profile's analysis. */
export interface CpuAnalysis {
  /** The profile's length, in microseconds. */
  readonly durationUs: number;
  /** Time the thread was not idle. */
  readonly busyUs: number;
  readonly samples: number;
  /** Self time by class of code. */
  readonly byClass: Readonly<Record<FrameClass, number>>;
  /** Functions by attributed self time, most first. */
  readonly functions: readonly FunctionTime[];
  /** Self time by dependency package, most first. */
  readonly packages: ReadonlyArray<{ readonly name: string; readonly us: number }>;
}

const keyOf = (f: CallFrame) =>
  `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;

/**
 * The profile cut to the samples taken from `fromUs` to `toUs` (the profile's clock, V8's
 * monotonic microseconds): hit counts recounted, and each node's line ticks scaled to the hits it
 * kept. The profiler runs from the start of the load, so code the JIT optimises in the warm-up
 * carries the positions of what it inlined, and only the window is kept.
 */
export function trimProfile(
  profile: CpuProfile,
  fromUs: number,
  toUs = profile.endTime,
): CpuProfile {
  const from = Math.max(fromUs, profile.startTime);
  const to = Math.min(toUs, profile.endTime);
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  const hits = new Map<number, number>();
  let t = profile.startTime;
  let last = from;
  const all = profile.samples ?? [];
  for (let i = 0; i < all.length; i++) {
    t += profile.timeDeltas?.[i] ?? 0;
    if (t < from || t > to) continue;
    const id = all[i] as number;
    samples.push(id);
    timeDeltas.push(t - last);
    last = t;
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  return {
    ...profile,
    nodes: profile.nodes.map((node) => {
      const kept = hits.get(node.id) ?? 0;
      const was = node.hitCount ?? kept;
      const positionTicks = node.positionTicks
        ?.map((p) => ({ line: p.line, ticks: was ? Math.round((p.ticks * kept) / was) : 0 }))
        .filter((p) => p.ticks > 0);
      return {
        ...node,
        hitCount: kept,
        ...(positionTicks ? { positionTicks } : {}),
      };
    }),
    startTime: from,
    endTime: to,
    samples,
    timeDeltas,
  };
}

/** Each sample's duration: the gap to the next one (the last runs to `endTime`); never negative. */
function sampleDurations(profile: CpuProfile): number[] {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const times: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    // Out-of-order timestamps happen; a sample never goes back in time (speedscope's rule).
    times.push(i > 0 ? Math.max(t, times[i - 1] as number) : t);
  }
  return times.map((start, i) =>
    Math.max(0, (i + 1 < times.length ? (times[i + 1] as number) : profile.endTime) - start),
  );
}

/** The profile's nodes by id, each node's parent, and the time each node was on top. */
export function indexProfile(profile: CpuProfile) {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const durations = sampleDurations(profile);
  const selfByNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (durations[i] ?? 0));
  }
  return { byId, parent, durations, samples, selfByNode };
}

/**
 * Self, total and attributed self time for every function in the profile. Time comes from the
 * samples and their deltas (not `hitCount` x interval), so an uneven sampling interval is exact.
 */
export function analyseCpuProfile(profile: CpuProfile): CpuAnalysis {
  const { byId, parent, durations, samples, selfByNode } = indexProfile(profile);

  interface Acc {
    frame: CallFrame;
    cls: FrameClass;
    self: number;
    total: number;
    attributed: number;
    lines: Map<number, number>;
    deoptReason?: string;
  }
  const functions = new Map<string, Acc>();
  const acc = (node: ProfileNode): Acc => {
    const key = keyOf(node.callFrame);
    let found = functions.get(key);
    if (!found) {
      found = {
        frame: node.callFrame,
        cls: classify(node.callFrame),
        self: 0,
        total: 0,
        attributed: 0,
        lines: new Map(),
      };
      functions.set(key, found);
    }
    if (node.deoptReason && !found.deoptReason) found.deoptReason = node.deoptReason;
    return found;
  };
  const byClass: Record<FrameClass, number> = {
    app: 0,
    dependency: 0,
    node: 0,
    native: 0,
    gc: 0,
    idle: 0,
    program: 0,
  };
  const packages = new Map<string, number>();

  // Self, hot lines and attributed self: per node, once.
  for (const [id, us] of selfByNode) {
    const node = byId.get(id);
    if (!node) continue;
    const f = acc(node);
    f.self += us;
    byClass[f.cls] += us;
    if (f.cls === 'dependency') {
      const name = packageOf(node.callFrame.url) as string;
      packages.set(name, (packages.get(name) ?? 0) + us);
    }
    // Lines: V8 counts ticks per line; share the node's time out by them.
    const ticks = node.positionTicks ?? [];
    const allTicks = ticks.reduce((n, p) => n + p.ticks, 0);
    for (const p of ticks)
      f.lines.set(p.line, (f.lines.get(p.line) ?? 0) + (allTicks ? (us * p.ticks) / allTicks : 0));
    // A native's time goes to the nearest caller that is not native (clinic's attributed self).
    let owner: ProfileNode | undefined = node;
    while (owner && classify(owner.callFrame) === 'native') {
      const up = parent.get(owner.id);
      owner = up === undefined ? undefined : byId.get(up);
    }
    const target = owner && owner.id !== profile.nodes[0]?.id ? owner : node;
    acc(target).attributed += us;
  }
  for (const f of functions.values()) if (f.cls === 'native') f.attributed = 0;

  // Total: walk each sample's stack once, counting each function once (recursion).
  const seen = new Set<Acc>();
  samples.forEach((id, i) => {
    const us = durations[i] ?? 0;
    if (us === 0) return;
    seen.clear();
    for (let n = byId.get(id); n; n = byId.get(parent.get(n.id) ?? -1)) {
      if (parent.get(n.id) === undefined) break; // (root)
      const f = acc(n);
      if (seen.has(f)) continue;
      seen.add(f);
      f.total += us;
    }
  });

  const durationUs = Math.max(0, profile.endTime - profile.startTime);
  const list: FunctionTime[] = [...functions.values()]
    .filter((f) => f.frame.functionName !== '(root)')
    .map((f) => ({
      name: f.frame.functionName || '(anonymous)',
      url: f.frame.url,
      line: f.frame.lineNumber >= 0 ? f.frame.lineNumber + 1 : 0,
      column: Math.max(0, f.frame.columnNumber),
      class: f.cls,
      selfUs: f.self,
      totalUs: f.total,
      attributedSelfUs: f.attributed,
      lines: [...f.lines].map(([line, us]) => ({ line, us })).sort((a, b) => b.us - a.us),
      ...(f.deoptReason ? { deoptReason: f.deoptReason } : {}),
    }))
    .sort((a, b) => b.attributedSelfUs - a.attributedSelfUs || b.selfUs - a.selfUs);
  return {
    durationUs,
    busyUs: [...selfByNode.values()].reduce((n, us) => n + us, 0) - byClass.idle,
    samples: samples.length,
    byClass,
    functions: list,
    packages: [...packages].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us),
  };
}

/**
 * The analysis without `us` of garbage collection the profiler caused itself (the full GCs it
 * forces for heap readings): taken from the `(garbage collector)` entry, the gc class and the
 * busy time, so they rank what the service did.
 */
export function withoutForcedGc(analysis: CpuAnalysis, us: number): CpuAnalysis {
  const gc = analysis.functions.find((f) => f.class === 'gc');
  const cut = Math.min(us, gc?.selfUs ?? 0, analysis.byClass.gc);
  if (cut <= 0) return analysis;
  return {
    ...analysis,
    busyUs: analysis.busyUs - cut,
    byClass: { ...analysis.byClass, gc: analysis.byClass.gc - cut },
    functions: analysis.functions
      .map((f) =>
        f === gc
          ? {
              ...f,
              selfUs: f.selfUs - cut,
              totalUs: f.totalUs - cut,
              attributedSelfUs: Math.max(0, f.attributedSelfUs - cut),
            }
          : f,
      )
      .sort((a, b) => b.attributedSelfUs - a.attributedSelfUs || b.selfUs - a.selfUs),
  };
}

/** A frame as a folded stack shows it: `name file:line`, with nothing that breaks the format. */
function frameText(frame: CallFrame, place?: Placer): string {
  const name = frame.functionName || '(anonymous)';
  let where = '';
  if (frame.url) {
    const p = place?.(frame.url, frame.lineNumber + 1, frame.columnNumber);
    where = p
      ? `${p.file}:${p.line}`
      : `${frame.url.replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
  }
  return (where ? `${name} ${where}` : name).replace(/[;\r\n]/g, ' ');
}

/** Maps a frame's place (1-based line) to where it is shown: its source through a source map. */
export type Placer = (
  url: string,
  line: number,
  column: number,
) => { readonly file: string; readonly line: number };

/**
 * Brendan Gregg's folded stacks: a line per stack with self time, `root;caller;callee COUNT`,
 * COUNT in microseconds; idle time left out. flamegraph.pl, speedscope and inferno read it.
 */
export function foldedStacks(profile: CpuProfile, place?: Placer): string {
  const { byId, parent, selfByNode: self } = indexProfile(profile);
  const lines = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node || us <= 0 || classify(node.callFrame) === 'idle') continue;
    const path: string[] = [];
    for (let n: ProfileNode | undefined = node; n && parent.get(n.id) !== undefined; ) {
      path.push(frameText(n.callFrame, place));
      n = byId.get(parent.get(n.id) as number);
    }
    const stack = path.reverse().join(';');
    lines.set(stack, (lines.get(stack) ?? 0) + Math.round(us));
  }
  return [...lines]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([stack, us]) => `${stack} ${us}\n`)
    .join('');
}
