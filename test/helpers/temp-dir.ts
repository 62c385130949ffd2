import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh scratch directory under the system's temp dir. */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cluster-bench-test-'));
}
