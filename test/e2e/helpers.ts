import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

export { tempDir };

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'cluster-bench.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Where spawned runs work: a scratch directory, so the reports/ every run saves never land
 * in the checkout; and a calibration cache of their own, so tests never overwrite the
 * user's cache with figures measured on a machine busy running tests.
 */
export const WORK_DIR = tempDir();
const CACHE_DIR = tempDir();

export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: '1', CLUSTER_BENCH_CACHE_DIR: CACHE_DIR, ...extra };
  delete env['FORCE_COLOR'];
  delete env['GITHUB_STEP_SUMMARY'];
  return { ...env, ...extra };
}

/** Runs the real binary (the build `npm test` makes first), as a user would. */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? WORK_DIR, env: testEnv(opts.env), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
