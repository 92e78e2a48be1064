import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../stats/index.js';
import type { TargetedResult } from '../targets/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { PlannedOutput } from '../util/writable.js';
import { writeCsv } from './csv.js';
import { writeJson } from './json.js';
import { targetsJunit } from './targets.js';

/** The files a run writes at its end, each optional (`--json`, `--csv`, `--junit`, `--html`). */
export interface OutputPaths {
  readonly json?: string | undefined;
  /**
   * A prefix: PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv,
   * PREFIX_exceptions.csv, PREFIX_phases.csv.
   */
  readonly csv?: string | undefined;
  readonly junit?: string | undefined;
  readonly html?: string | undefined;
  /** The Markdown summary (`run`'s summary.md). */
  readonly markdown?: string | undefined;
}

/** What some outputs need besides the result. */
export interface OutputContext {
  /** JUnit: whether an unknown target passes. @default false */
  readonly allowUnknown?: boolean;
  /** HTML: a profile folder of the same run, shown in "Bottlenecks and recommendations". */
  readonly profileDir?: string | undefined;
}

/** What `writeOutputs` did: the files written, and each one lost with the reason. */
export interface WrittenOutputs {
  readonly written: ReadonlyArray<{ readonly what: string; readonly files: readonly string[] }>;
  readonly lost: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
  /** Where the result JSON went instead, when its own path could not be written. */
  readonly rescued?: string;
}

type Result = RunResult | TargetedResult;

interface Writer {
  /** The flag that names it, for messages. */
  readonly flag: string;
  /** The file whose writability stands for the output's (a CSV prefix's first file). */
  readonly probe: (path: string) => string;
  /** Writes it; returns the files written, or null when this result has nothing for it. */
  readonly write: (result: Result, path: string, context: OutputContext) => string[] | null;
}

type PageBuilder = typeof import('./html/index.js');
let builder: PageBuilder | undefined;

/**
 * Loads the page builder now (it is loaded lazily: most runs write no page), so that pages can
 * then be written synchronously: by a run whose thread a user's task froze (load/watchdog.ts).
 */
export async function loadPageBuilder(): Promise<void> {
  builder ??= await import('./html/index.js');
}

/** One page model for both the HTML report and the Markdown summary of the same result. */
const pages = new WeakMap<Result, { html: string; markdown: string }>();
function report(result: Result, context: OutputContext & { readonly pagePath?: string }) {
  let built = pages.get(result);
  if (!built) {
    if (!builder) throw new Error('the page builder is not loaded (call loadPageBuilder first)');
    const { buildRunReport, readProfileSummary } = builder;
    // The profile's links are relative to the page (the HTML report's, else the summary's).
    const read =
      context.profileDir && context.pagePath
        ? readProfileSummary(context.profileDir, context.pagePath)
        : undefined;
    // A profile folder that cannot be read is shown as a failed profile, not a lost report.
    const profile =
      typeof read === 'string'
        ? {
            target: result.target,
            window: { fromS: 0, toS: 0 },
            flamegraph: undefined,
            busyMs: 0,
            hot: [],
            diagnosis: [],
            leak: null,
            failure: read,
          }
        : read;
    built = buildRunReport(result, undefined, profile);
    pages.set(result, built);
  }
  return built;
}

/**
 * The outputs, in the order they are written: the JSON first (it is the run; every other output
 * can be rebuilt from it), the pages last (the largest, the first to meet a full disk).
 */
export const writers = {
  json: {
    flag: '--json',
    probe: (path) => path,
    write: (result, path) => {
      writeJson(result, path);
      return [path];
    },
  },
  csv: {
    flag: '--csv',
    probe: (prefix) => `${prefix}_stats.csv`,
    write: (result, prefix) => writeCsv(result, prefix),
  },
  junit: {
    flag: '--junit',
    probe: (path) => path,
    write: (result, path, context) => {
      if (!('targets' in result)) return null;
      writeFileAtomic(
        path,
        targetsJunit(result.targets, {
          suite: `fiml-perf targets (${result.target})`,
          timestamp: result.startedAt,
          seconds: result.durationS,
          allowUnknown: context.allowUnknown ?? false,
        }),
      );
      return [path];
    },
  },
  markdown: {
    flag: '--markdown',
    probe: (path) => path,
    write: (result, path, context) => {
      writeFileAtomic(path, report(result, context).markdown);
      return [path];
    },
  },
  html: {
    flag: '--html',
    probe: (path) => path,
    write: (result, path, context) => {
      writeFileAtomic(path, report(result, context).html);
      return [path];
    },
  },
} satisfies Record<keyof OutputPaths, Writer>;

const ORDER = ['json', 'csv', 'junit', 'markdown', 'html'] as const;
const LABEL: Record<(typeof ORDER)[number], string> = {
  json: 'Result',
  csv: 'CSV',
  junit: 'JUnit',
  markdown: 'Summary',
  html: 'HTML report',
};

/** The outputs as paths to check before the run (`unwritable`), with their flags. */
export function plannedOutputs(paths: OutputPaths): PlannedOutput[] {
  return ORDER.flatMap((key) => {
    const path = paths[key];
    return path ? [{ flag: writers[key].flag, path: writers[key].probe(path), kind: 'file' }] : [];
  });
}

/**
 * Writes every output asked for, the JSON first, each atomically; one that fails does not stop
 * the others. A result JSON that cannot go where it was asked is written to the temporary folder
 * instead, so the run is never lost. Never throws for a write; logs each file written.
 */
export async function writeOutputs(
  result: Result,
  paths: OutputPaths,
  context: OutputContext,
  log: (line: string) => void,
): Promise<WrittenOutputs> {
  if (paths.html || paths.markdown) await loadPageBuilder();
  return writeOutputsNow(result, paths, context, log);
}

/**
 * `writeOutputs`, synchronously: for a thread that cannot wait for anything (a frozen one). Its
 * pages need the page builder loaded beforehand (`loadPageBuilder`); without it they are named
 * as lost, with the command that builds them from the JSON.
 */
export function writeOutputsNow(
  result: Result,
  paths: OutputPaths,
  context: OutputContext,
  log: (line: string) => void,
): WrittenOutputs {
  const written: Array<{ what: string; files: string[] }> = [];
  const lost: Array<{ path: string; reason: string }> = [];
  let rescued: string | undefined;
  const pagePath = paths.html ?? paths.markdown;
  const withPage = pagePath ? { ...context, pagePath } : context;
  for (const key of ORDER) {
    const path = paths[key];
    if (!path) continue;
    try {
      const files = writers[key].write(result, path, withPage);
      if (!files) continue;
      written.push({ what: key, files });
      log(`${LABEL[key]}: ${files.join(', ')}`);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      lost.push({ path: key === 'csv' ? `${path}_*.csv` : path, reason: e.code ?? e.message });
      if (key === 'json') rescued = rescue(result);
    }
  }
  return { written, lost, ...(rescued ? { rescued } : {}) };
}

/** The result JSON in the temporary folder; undefined when even that fails. */
function rescue(result: Result): string | undefined {
  const path = join(tmpdir(), `fiml-perf-result-${process.pid}-${Date.now()}.json`);
  try {
    writeJson(result, path);
    return path;
  } catch {
    return undefined;
  }
}

/** One line naming what was written and what was lost, for the error a run ends with. */
export function lostLine(outcome: WrittenOutputs): string {
  const lost = outcome.lost.map((l) => `${l.path} (${l.reason})`).join(', ');
  const kept = outcome.written.flatMap((w) => w.files);
  const rescued = outcome.rescued
    ? `; the result JSON was saved to ${outcome.rescued} instead`
    : '';
  return `could not write ${lost}${kept.length ? `; written: ${kept.join(', ')}` : ''}${rescued}; free some space or pick a writable path`;
}
