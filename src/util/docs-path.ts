import { isAbsolute, relative, sep } from 'node:path';
import { packageFile } from './package-file.js';

/**
 * Help text names its pages as `docs/x.md`, as they are in the package. From anywhere else, such
 * as a project where the package is `node_modules/fiml-perf` (issue 24), the names are rewritten
 * to where the pages are: relative to `cwd` when under it, else absolute.
 * @param docs this package's docs/ folder (it ships with the package)
 */
export function docsFromHere(
  text: string,
  cwd: string = process.cwd(),
  docs: string | undefined = packageFile('docs'),
): string {
  if (!docs) return text;
  const path = relative(cwd, docs);
  if (path === 'docs') return text;
  const shown = path.startsWith('..') || isAbsolute(path) ? docs : path;
  return text.replace(/(?<![\w./-])docs\//g, `${shown.split(sep).join('/')}/`);
}
