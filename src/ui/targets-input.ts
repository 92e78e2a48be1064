import { realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { readTargetsFile, type Target, TargetsError, targetFromFlag } from '../targets/index.js';
import type { StartInput } from './form.js';
import { UiError } from './ui-error.js';

/** The largest targets file read. */
const MAX_TARGETS_FILE = 1024 * 1024;

/** What a targets file may be named: the form reads YAML and JSON only. */
const TARGETS_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Which files the form's targets file may name. Anyone who can reach the UI can type a path, so
 * it reads only under one folder (issue 25: any file could be read and a line of it shown).
 */
export interface TargetsFiles {
  /** The folder whose files (and subfolders') may be named: `--targets-dir`, or the UI's cwd. */
  readonly folder: string;
  /** The file `--targets` named on the command line, allowed wherever it is. */
  readonly named?: string | undefined;
}

/** `path` with its links resolved; a missing file by its nearest existing folder. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}

function isUnder(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The file a form's targets file names, checked before anything of it is read: under the
 * folder (after links), YAML or JSON, a regular file of 1 MB at most. A file outside the folder
 * gets one answer whether it exists or not. @throws UiError 400
 */
function checkedFile(asked: string, files: TargetsFiles): string {
  const path = resolve(asked);
  const real = realPath(path);
  const folder = realPath(resolve(files.folder));
  const named = files.named !== undefined && real === realPath(resolve(files.named));
  if (!named && !(isUnder(path, folder) && isUnder(real, folder)))
    throw new UiError(
      400,
      `targets file ${asked} is not under ${folder}, the folder the UI reads targets files from; put it there, or start the UI with --targets-dir FOLDER`,
      'FP_ERR_TARGETS',
    );
  if (!named && !TARGETS_EXTENSIONS.has(extname(real).toLowerCase()))
    throw new UiError(
      400,
      `targets file ${asked} is not a targets file: give a .yaml, .yml or .json file`,
      'FP_ERR_TARGETS',
    );
  // Read only a plain file of a sane size: a FIFO would block the UI, /dev/zero fill memory.
  let stats: Stats;
  try {
    stats = statSync(real);
  } catch {
    throw new UiError(400, `targets file ${asked} not found`, 'FP_ERR_TARGETS');
  }
  if (!stats.isFile() || stats.size > MAX_TARGETS_FILE)
    throw new UiError(
      400,
      `targets file ${asked} is not a file of targets (a regular file up to 1 MB)`,
      'FP_ERR_TARGETS',
    );
  return real;
}

/**
 * The targets a test's form asks for: its targets file (see `TargetsFiles`) and its
 * expressions. @throws UiError 400 naming the file or the expression
 */
export function targetsOf(input: StartInput, files: TargetsFiles): Target[] {
  const file = input.targetsFile ? checkedFile(input.targetsFile, files) : undefined;
  try {
    return [
      ...(file ? readTargetsFile(file) : []),
      ...input.targets.map((expr) => targetFromFlag(expr)),
    ];
  } catch (error) {
    if (error instanceof TargetsError) throw new UiError(400, error.message, 'FP_ERR_TARGETS');
    throw error;
  }
}
