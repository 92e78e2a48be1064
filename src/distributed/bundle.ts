import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PerfError } from '../errors.js';

/** Bundled CommonJS packages may require() Node's built-ins; also marks a file as our bundle. */
const BANNER =
  "import { createRequire as __fimlPerfRequire } from 'node:module'; const require = __fimlPerfRequire(import.meta.url);";

/**
 * A scenario and its local imports as one ES module, for agents that have no copy of it: its
 * npm dependencies are bundled in too, 'fiml-perf' and its subpaths stay imports (each agent
 * resolves them to itself; esbuild keeps a package's subpaths external with it) and Node's
 * built-ins stay built-ins. Class names are kept: user classes are picked by name.
 */
export async function bundleScenario(file: string): Promise<{ fileName: string; source: string }> {
  const fileName = `${basename(file).replace(/\.[cm]?[jt]sx?$/, '')}.mjs`;
  if (!existsSync(file))
    throw new PerfError(
      'FP_ERR_SCENARIO',
      `scenario file ${file} not found; pass a .ts or .js file with -f`,
    );
  // Already one (fiml-perf k8s bundled it into the coordinator's ConfigMap): as it is.
  const text = readFileSync(file, 'utf8');
  if (text.startsWith(BANNER)) return { fileName, source: text };
  try {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [file],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      external: ['fiml-perf'],
      keepNames: true,
      logLevel: 'silent',
      banner: { js: BANNER },
    });
    const source = result.outputFiles[0]?.text ?? '';
    return { fileName, source };
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { line: number } }> })
      .errors?.[0];
    throw new PerfError(
      'FP_ERR_SCENARIO',
      `${file}${first?.location ? `:${first.location.line}` : ''}: cannot bundle it for the agents: ${first?.text ?? (error as Error).message}`,
    );
  }
}
