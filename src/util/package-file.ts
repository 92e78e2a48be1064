import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped with the package (scenarios/, targets/), from source (src/util) or from dist
 * (dist/src/util); undefined when it is missing.
 */
export function packageFile(relative: string): string | undefined {
  for (const up of ['../../', '../../../']) {
    const path = fileURLToPath(new URL(`${up}${relative}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}
