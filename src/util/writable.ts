import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A path a command will write at its end: a file, or a folder it fills. */
export interface PlannedOutput {
  /** The flag that named it, for the message (`--json`). */
  readonly flag: string;
  readonly path: string;
  readonly kind: 'file' | 'folder';
}

/**
 * Why `output` could not be written, found before the work that produces it: a file path that
 * is a folder, a parent that is a file, a folder this process may not create files in (tried
 * with an empty file, removed at once). Missing folders are fine: they are made when written.
 * @returns one clause saying what is wrong, or undefined when it can be written
 */
export function unwritable(output: PlannedOutput): string | undefined {
  const { flag, path, kind } = output;
  const full = resolve(path);
  if (existsSync(full)) {
    const isFolder = statSync(full).isDirectory();
    if (kind === 'file' && isFolder)
      return `${flag} ${path} is a folder; give a file name in it, such as ${join(path, 'result.json')}`;
    if (kind === 'folder' && !isFolder) return `${flag} ${path} is a file, not a folder`;
  }
  let dir = kind === 'folder' && existsSync(full) ? full : dirname(full);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return `${flag} ${path}: ${dir} is a file, not a folder`;
  const probe = join(dir, `.fiml-perf-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `${flag} ${path} cannot be written (${code} in ${dir})`;
  }
  rmSync(probe, { force: true });
  return undefined;
}
