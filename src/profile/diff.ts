import type { CpuAnalysis, FunctionTime } from './cpu-profile.js';

/** How one function's share of the busy time changed from profile A to profile B. */
export interface FunctionChange {
  readonly name: string;
  readonly where: string;
  readonly class: FunctionTime['class'];
  /** Attributed self time as a share of busy time, in percent. */
  readonly shareA: number;
  readonly shareB: number;
  /** B minus A, in percentage points. */
  readonly change: number;
}

/**
 * The functions whose share of the busy time changed most between two profiles, by attributed
 * self time. Shares, not milliseconds: two runs of different lengths or loads compare fairly.
 */
export function functionChanges(
  a: CpuAnalysis,
  b: CpuAnalysis,
  place: (f: FunctionTime) => string,
): FunctionChange[] {
  const shares = (analysis: CpuAnalysis) => {
    const busy = analysis.busyUs || 1;
    const out = new Map<string, { f: FunctionTime; share: number }>();
    for (const f of analysis.functions) {
      if (f.class === 'idle') continue;
      const key = `${f.name}\u0000${place(f)}`;
      const share = (f.attributedSelfUs / busy) * 100 + (out.get(key)?.share ?? 0);
      out.set(key, { f, share });
    }
    return out;
  };
  const before = shares(a);
  const after = shares(b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return [...new Set([...before.keys(), ...after.keys()])]
    .map((key) => {
      const f = (after.get(key) ?? before.get(key))?.f as FunctionTime;
      const shareA = before.get(key)?.share ?? 0;
      const shareB = after.get(key)?.share ?? 0;
      return {
        name: f.name,
        where: place(f),
        class: f.class,
        shareA: round(shareA),
        shareB: round(shareB),
        change: round(shareB - shareA),
      };
    })
    .filter((c) => c.change !== 0)
    .sort((x, y) => Math.abs(y.change) - Math.abs(x.change));
}
