import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
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
}

const schema = z.object({
  target: z.string(),
  window: z.object({ fromS: z.number(), toS: z.number() }),
  cpu: z.object({
    busyMs: z.number(),
    functions: z.array(
      z.object({
        name: z.string(),
        where: z.string(),
        class: z.string(),
        attributedSelfMs: z.number(),
      }),
    ),
  }),
  diagnosis: z
    .array(
      z.object({
        title: z.string(),
        evidence: z.array(z.object({ name: z.string(), value: z.string() })),
        actions: z.array(z.string()),
      }),
    )
    .default([]),
  heap: z
    .object({ leak: z.object({ verdict: z.string(), summary: z.string() }) })
    .nullable()
    .default(null),
});

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
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return `${file} is not a fiml-perf profile summary (${parsed.error.issues[0]?.path.join('.')})`;
  const p = parsed.data;
  const flame = join(dir, 'flamegraph.html');
  return {
    flamegraph: existsSync(flame)
      ? relative(dirname(reportPath), flame) || 'flamegraph.html'
      : undefined,
    target: p.target,
    window: p.window,
    busyMs: p.cpu.busyMs,
    hot: p.cpu.functions.filter((f) => f.class !== 'idle').slice(0, 10),
    diagnosis: p.diagnosis,
    leak: p.heap ? p.heap.leak : null,
  };
}

/** The profile's part of "Bottlenecks and recommendations": diagnosis, leak verdict, hot functions. */
export function profileSection(profile: ProfileSummary, id: string): string {
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
