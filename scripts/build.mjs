// The build: tsc into dist/, then zod as one file. Resolving zod's hundred-odd ES modules was
// most of what a command's --help and a wrong flag cost (docs/performance.md, "CLI start-up");
// bundled, the same zod loads in two thirds of the time. Source and tests use zod as installed.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

// The pages' assets (styles and scripts of the report and the live UI) are read from beside
// their modules.
for (const assets of ['src/report/html/assets', 'src/ui/assets'])
  cpSync(join(root, assets), join(dist, assets), { recursive: true });

const vendored = join(dist, 'vendor/zod.js');
await build({
  stdin: { contents: "export * from 'zod';", resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  outfile: vendored,
  logLevel: 'warning',
});

/** Every emitted .js file under `dir`. */
function* emitted(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* emitted(path);
    else if (entry.name.endsWith('.js') && path !== vendored) yield path;
  }
}

for (const dir of ['src', 'fiml'])
  for (const file of emitted(join(dist, dir))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes("from 'zod';")) continue;
    let target = relative(dirname(file), vendored).split(sep).join('/');
    if (!target.startsWith('.')) target = `./${target}`;
    writeFileSync(file, text.replaceAll("from 'zod';", `from '${target}';`));
  }
