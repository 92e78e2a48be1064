import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseProfileFile } from '../../profile/index.js';
import { esc } from './escape.js';

/** What the report shows of a `fiml-perf profile` folder. */
export interface ProfileSummary {
  /** The flame graph, relative to the report (a link), if the folder has one. */
  readonly flamegraph: string | undefined;
  readonly target: string;
  readonly window: { readonly fromS: number; readonly toS: number };
  readonly busyMs: number;
  readonly hot: ReadonlyArray<{
    readonly name: string;
    readonly where: string;
    readonly class: string;
    readonly attributedSelfMs: number;
  }>;
  readonly diagnosis: ReadonlyArray<{
    readonly title: string;
    readonly evidence: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    readonly actions: readonly string[];
  }>;
  readonly leak: { readonly verdict: string; readonly summary: string } | null;
  /** Why the profile failed, when it did (the load's figures stand without it). */
  readonly failure?: string;
}

/**
 * Reads a profile folder's profile.json for the report written to `reportPath`.
 * @returns the summary, or the reason it cannot be read (one line)
 */
export function readProfileSummary(dir: string, reportPath: string): ProfileSummary | string {
  const file = join(dir, 'profile.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a folder fiml-perf profile wrote`;
  }
  const p = parseProfileFile(raw, file);
  if (typeof p === 'string') return p;
  if (p.status === 'benchmarks')
    return `${file} profiles benchmarks, not a service under load; give a folder of fiml-perf profile or run --profile`;
  const flame = join(dir, 'flamegraph.html');
  const base = { target: p.target, window: p.window };
  if (p.status === 'failed')
    return {
      ...base,
      flamegraph: undefined,
      busyMs: 0,
      hot: [],
      diagnosis: [],
      leak: null,
      failure: p.reason,
    };
  return {
    ...base,
    flamegraph: existsSync(flame)
      ? relative(dirname(reportPath), flame) || 'flamegraph.html'
      : undefined,
    busyMs: p.cpu.busyMs,
    hot: p.cpu.functions.filter((f) => f.class !== 'idle').slice(0, 10),
    diagnosis: p.diagnosis,
    leak: p.heap ? p.heap.leak : null,
  };
}

/** The profile's part of "Bottlenecks and recommendations": diagnosis, leak verdict, hot functions. */
export function profileSection(profile: ProfileSummary, id: string): string {
  if (profile.failure)
    return `<h3 id="${id}-profile">Profile of the service (${esc(profile.target)})</h3>
<div class="finding warning"><strong>The profile failed</strong><p class="ev">${esc(profile.failure)}. The load's figures above stand; profile again once the service stays up (docs/profile.md).</p></div>`;
  const diagnosis = profile.diagnosis
    .map(
      (d) =>
        `<div class="finding warning"><strong>${esc(d.title)}</strong><p class="ev">Evidence: ${d.evidence.map((e) => `${esc(e.name)} ${esc(e.value)}`).join('; ')}</p>${d.actions.length ? `<ul>${d.actions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : ''}</div>`,
    )
    .join('');
  const busy = profile.busyMs || 1;
  const rows = profile.hot
    .map(
      (f) =>
        `<tr><td class="l">${esc(f.name)}</td><td class="l">${f.where ? `<code>${esc(f.where)}</code>` : ''}</td><td class="l">${esc(f.class)}</td><td>${f.attributedSelfMs.toFixed(1)}</td><td>${((f.attributedSelfMs / busy) * 100).toFixed(1)}%</td></tr>`,
    )
    .join('');
  const link = profile.flamegraph
    ? ` <a href="${esc(profile.flamegraph)}">Open the flame graph</a>.`
    : '';
  return `<h3 id="${id}-profile">Profile of the service (${esc(profile.target)}, ${profile.window.fromS}s to ${profile.window.toS}s)</h3>
<p class="note">From <code>fiml-perf profile</code> under load (docs/profile.md).${link}</p>
${diagnosis}
${profile.leak ? `<p><strong>Heap: ${esc(profile.leak.verdict)}</strong>: ${esc(profile.leak.summary)}.</p>` : ''}
<table><caption>Hot functions by attributed self time (a builtin's time counted for its caller), share of busy time</caption><thead><tr><th scope="col" class="l">Function</th><th scope="col" class="l">Where</th><th scope="col" class="l">Class</th><th scope="col">ms</th><th scope="col">% busy</th></tr></thead><tbody>${rows}</tbody></table>`;
}
