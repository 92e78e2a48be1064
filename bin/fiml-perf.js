#!/usr/bin/env node
// The CLI runs from the compiled output; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "fiml-perf: not built yet; run 'npm install' (or 'npm run build') in the fiml-perf folder\n",
  );
  process.exit(2);
}
await import(entry.href);
