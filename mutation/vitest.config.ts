// Vitest as Stryker runs it: only the test files of the module being mutated (mutation/modules.mjs).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { selected } from './modules.mjs';

export default defineConfig({
  root: fileURLToPath(new URL('../', import.meta.url)),
  test: {
    include: (selected() as { tests: string[] }).tests,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
