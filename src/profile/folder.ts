/**
 * A profile folder's CPU files: cpu.cpuprofile (opens in Chrome DevTools, VS Code, speedscope),
 * stacks.folded (flamegraph.pl, speedscope) and flamegraph.html (offline, one file); and the
 * hot functions as profile.json lists them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  type CpuAnalysis,
  type CpuProfile,
  type FunctionTime,
  foldedStacks,
} from './cpu-profile.js';
import { renderFlamegraph } from './flamegraph.js';
import type { SourceMapper } from './source-map.js';
import type { HotFunctionEntry } from './summary.js';

/** `file:line` of a function in its source (through source maps); '' for natives. */
export function placer(mapper: SourceMapper): (f: FunctionTime) => string {
  return (f) => {
    if (!f.url) return '';
    const p = mapper.place(f.url, f.line, f.column);
    return `${p.file}:${p.line}`;
  };
}

/** Writes the CPU profile, its folded stacks and its flame graph into `out` (made if missing). */
export function writeCpuFiles(
  out: string,
  profile: CpuProfile,
  mapper: SourceMapper,
  page: { readonly title: string; readonly subtitle: string },
): void {
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, 'cpu.cpuprofile'), JSON.stringify(profile));
  writeFileAtomic(
    join(out, 'stacks.folded'),
    foldedStacks(profile, (url, line, column) => mapper.place(url, line, column)),
  );
  writeFileAtomic(join(out, 'flamegraph.html'), renderFlamegraph(profile, { ...page, mapper }));
}

/** The hottest functions as profile.json lists them (at most 100). */
export function hotFunctions(
  analysis: CpuAnalysis,
  place: (f: FunctionTime) => string,
): HotFunctionEntry[] {
  return analysis.functions.slice(0, 100).map((f) => ({
    name: f.name,
    where: place(f),
    class: f.class,
    selfMs: f.selfUs / 1000,
    totalMs: f.totalUs / 1000,
    attributedSelfMs: f.attributedSelfUs / 1000,
    hotLines: f.lines.slice(0, 5).map((l) => ({ line: l.line, ms: l.us / 1000 })),
    ...(f.deoptReason ? { deoptReason: f.deoptReason } : {}),
  }));
}
