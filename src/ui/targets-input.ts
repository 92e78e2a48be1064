import { type Stats, statSync } from 'node:fs';
import { readTargetsFile, type Target, TargetsError, targetFromFlag } from '../targets/index.js';
import type { StartInput } from './form.js';
import { UiError } from './ui-error.js';

/** The largest targets file read. */
const MAX_TARGETS_FILE = 1024 * 1024;

/**
 * The targets a test's form asks for: its targets file (a regular file of 1 MB at most) and its
 * expressions. @throws UiError 400 naming the file or the expression
 */
export function targetsOf(input: StartInput): Target[] {
  if (input.targetsFile) {
    // Read only a plain file of a sane size: a FIFO would block the UI, /dev/zero fill memory.
    let stats: Stats;
    try {
      stats = statSync(input.targetsFile);
    } catch {
      throw new UiError(400, `targets file ${input.targetsFile} not found`, 'FP_ERR_TARGETS');
    }
    if (!stats.isFile() || stats.size > MAX_TARGETS_FILE)
      throw new UiError(
        400,
        `targets file ${input.targetsFile} is not a file of targets (a regular file up to 1 MB)`,
        'FP_ERR_TARGETS',
      );
  }
  try {
    return [
      ...(input.targetsFile ? readTargetsFile(input.targetsFile) : []),
      ...input.targets.map((expr) => targetFromFlag(expr)),
    ];
  } catch (error) {
    if (error instanceof TargetsError) throw new UiError(400, error.message, 'FP_ERR_TARGETS');
    throw error;
  }
}
