/**
 * Golden files: a renderer's output checked against a file kept beside the test, in its
 * `golden/` folder. `UPDATE_GOLDEN=1 npx vitest run <tests>` rewrites them instead; review
 * the diff before committing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** The checker for the golden/ folder next to the test module at `testUrl` (its import.meta.url). */
export function goldenFiles(testUrl: string): (file: string, actual: string) => void {
  const dir = join(dirname(fileURLToPath(testUrl)), 'golden');
  return (file, actual) => {
    const path = join(dir, file);
    if (UPDATE) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, actual);
      return;
    }
    if (!existsSync(path)) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
    expect(actual).toBe(readFileSync(path, 'utf8'));
  };
}
