/**
 * Worker threads under real signals: only the main thread of the real binary receives them.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir, testEnv } from './helpers.js';

interface Signalled {
  code: number | null;
  stderr: string;
  /** From the signal to the process's exit. */
  afterSignalMs: number;
}

/** Spawns the binary in `cwd`, sends SIGINT `delayMs` after stderr matches `when`. */
function runAndInterrupt(args: string[], cwd: string, when: RegExp, delayMs: number): Promise<Signalled> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: testEnv() });
    let stderr = '';
    let signalledAt = 0;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (signalledAt === 0 && when.test(stderr)) {
        signalledAt = -1;
        setTimeout(() => {
          signalledAt = Date.now();
          child.kill('SIGINT');
        }, delayMs);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, afterSignalMs: signalledAt > 0 ? Date.now() - signalledAt : Number.NaN });
    });
  });
}

describe('Ctrl-C with worker threads', () => {
  it('run stress --workers 2: exit 130 within the grace period, interrupted: true, counts from both workers', async () => {
    const cwd = tempDir();
    // 1,000,000 requests: far more than can finish before the signal.
    const r = await runAndInterrupt(
      ['run', 'stress', '--workers', '2', '--set', 'phases.0.executor.iterationsPerVu=1000', '--out', 'r.json', '--no-save'],
      cwd,
      /stress › load: started/,
      1_500,
    );
    expect(r.code).toBe(130);
    // The grace period is 2 s; in-process operations end at once, so this is mostly result building.
    expect(r.afterSignalMs).toBeLessThan(2_000 + 3_000);
    expect(r.stderr).toMatch(/SIGINT: stopping/);
    const result = JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8'));
    expect(result.interrupted).toBe(true);
    const s = result.scenarios[0];
    const phase = s.phases[0];
    expect(phase.interrupted).toBe(true);
    const parts = s.execution.parts as Array<{ worker: number; counts: Record<string, number> }>;
    expect(parts.map((p) => p.worker)).toEqual([1, 2]);
    for (const p of parts) expect(p.counts['load']).toBeGreaterThan(0);
    expect(parts.reduce((a, p) => a + (p.counts['load'] ?? 0), 0)).toBe(phase.count);
    expect(phase.count).toBeLessThan(1_000_000);
    expect(phase.latency.count).toBe(phase.count);
  });

  it('a worker that cannot hear "stop" is terminated after the grace period; its last checkpoint counts, flagged', async () => {
    const cwd = tempDir();
    const plugin = path.join(ROOT, 'test/fixtures/plugins/block-in-worker-2.mjs');
    writeFileSync(
      path.join(cwd, 's.yaml'),
      `name: blocked\nphases:\n  - name: calls\n    op: llm.call\n    executor: { type: vus, vus: 4, duration: 60s }\nproviders:\n  llm: { module: ${JSON.stringify(plugin)} }\n`,
    );
    const r = await runAndInterrupt(['run', 's.yaml', '--workers', '2', '--checkpoint', '500ms', '--out', 'r.json', '--no-save'], cwd, /blocked › calls: started/, 3_000);
    expect(r.code).toBe(130);
    // Grace period (2 s) plus the time allowed to report (3 s), then terminated.
    expect(r.afterSignalMs).toBeGreaterThan(4_500);
    expect(r.afterSignalMs).toBeLessThan(15_000);
    const s = JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8')).scenarios[0];
    expect(s.execution.notes).toEqual(['worker 2 did not stop within the grace period and was terminated: its figures are from its last checkpoint']);
    const two = s.execution.parts.find((p: { worker: number }) => p.worker === 2);
    expect(two.fromCheckpoint).toBe(true);
    expect(two.counts.calls).toBeGreaterThan(0);
    expect(s.phases[0].interrupted).toBe(true);
  });
});
