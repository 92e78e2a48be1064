import { existsSync, lstatSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PerfError } from '../errors.js';
import { type LoadJob, type LoadOutcome, runLoadJob } from './load.js';

/** `run`, the main job: a load job whose files all go into one folder of `out`. */
export interface RunJob extends Omit<LoadJob, 'markdown'> {
  /** The folder that gets one folder a run, and `latest` pointing at the newest. */
  readonly out: string;
  /** The run's folder's name in `out` (a timestamp). */
  readonly folder: string;
}

/** Where `run` puts each file of a run in its folder. */
function runFiles(out: string, folder: string) {
  const dir = join(out, folder);
  return {
    dir,
    json: join(dir, 'result.json'),
    html: join(dir, 'report.html'),
    junit: join(dir, 'junit.xml'),
    markdown: join(dir, 'summary.md'),
    profile: join(dir, 'profile'),
  };
}

/** `latest` must be ours to replace: found before the run, not after it. @throws PerfError */
function checkLatest(out: string): void {
  const link = join(out, 'latest');
  if (existsSync(link) && !lstatSync(link).isSymbolicLink())
    throw new PerfError('FP_ERR_WRITE', `${link} exists and is not a link; move it away`);
}

/** Points `out/latest` at the run's folder, replacing any earlier link at once (rename). */
function pointLatest(out: string, folder: string): void {
  const link = join(out, 'latest');
  const temporary = join(out, `.latest.${process.pid}`);
  rmSync(temporary, { force: true });
  symlinkSync(folder, temporary, 'dir');
  renameSync(temporary, link);
}

/**
 * The main job: the load job with result.json, report.html, junit.xml and summary.md (and
 * profile/) in OUT/<folder>/, then OUT/latest pointed at it.
 */
export async function runRunJob(job: RunJob): Promise<LoadOutcome> {
  checkLatest(job.out);
  const files = runFiles(job.out, job.folder);
  const outcome = await runLoadJob({
    ...job,
    request: { ...job.request, json: files.json, html: files.html },
    targets: job.targets ? { ...job.targets, junit: files.junit } : null,
    markdown: files.markdown,
    ...(job.profile ? { profile: { ...job.profile, out: files.profile } } : {}),
  });
  try {
    pointLatest(job.out, job.folder);
  } catch (error) {
    throw new PerfError(
      'FP_ERR_WRITE',
      `cannot point ${join(job.out, 'latest')} at ${job.folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the run's files are in ${files.dir}`,
    );
  }
  process.stderr.write(
    `Report: ${files.dir}/report.html (and summary.md, result.json, junit.xml${outcome.profile ? ', profile/' : ''}); ${join(job.out, 'latest')} -> ${job.folder}\n`,
  );
  return outcome;
}
