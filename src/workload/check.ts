/**
 * Reads every dataset and arrival trace a scenario names before anything runs, so a bad
 * line stops the run at once (an InputError naming the file, the line and the field: exit 2)
 * instead of failing it half-way. The reads are cached (per file, size and mtime), so the
 * run itself does not read them twice to validate, and progress knows a trace's length.
 */
import path from 'node:path';
import type { Scenario } from '../scenarios/types.js';
import { scanDataset } from './dataset.js';
import { loadTrace } from './trace.js';

/** How messages name a file: relative to the working directory when it is under it. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export async function checkWorkloads(scenario: Scenario, cwd: string): Promise<void> {
  for (const phase of scenario.phases) {
    const dataset = phase.params.dataset;
    if (dataset !== undefined) await scanDataset(dataset, displayPath(dataset, cwd));
    const e = phase.executor;
    if (e.kind === 'rate' && e.arrival === 'trace' && e.trace !== undefined) await loadTrace(e.trace, displayPath(e.trace, cwd));
  }
}
