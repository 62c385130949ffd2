#!/usr/bin/env node
// Thin shim: everything lives in the compiled CLI; this only hands over the process edge and the exit code.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cluster-bench: not built yet: run `npm install` (or `npm run build`) in the package directory\n');
  process.exitCode = 3;
} else {
  const [{ main }, { nodeProcess }] = await Promise.all([import(entry.href), import(new URL('../dist/cli/process.js', import.meta.url).href)]);
  process.exitCode = await main(nodeProcess());
}
