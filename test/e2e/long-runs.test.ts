import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, WORK_DIR, testEnv } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Spawns the binary and sends `signal` once stderr matches `when` (then again if `twice`). */
function runAndSignal(args: string[], when: RegExp, signal: NodeJS.Signals, delayMs: number, twice = false): Promise<Spawned & { signalledAt: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: WORK_DIR, env: testEnv() });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalledAt && when.test(stderr)) {
        signalledAt = -1;
        setTimeout(() => {
          signalledAt = Date.now();
          child.kill(signal);
          if (twice) setTimeout(() => child.kill(signal), 100);
        }, delayMs);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - t0, signalledAt });
    });
  });
}

/**
 * Signals and crashes reach a real process: the bin shim's handlers, a second Ctrl-C that
 * quits at once, a SIGKILL that leaves only the last checkpoint. Everything else about long
 * runs is tested in-process (test/cli/long-runs.test.ts).
 */
describe('long runs, signalled', () => {
  it('SIGINT stops the run, writes the partial result marked interrupted and exits 130', async () => {
    const out = path.join(tempDir(), 'interrupted.json');
    const r = await runAndSignal(['run', 'soak', '--duration', '60s', '--out', out], /soak › soak: started/, 'SIGINT', 1500);
    expect(r.code).toBe(130);
    expect(Date.now() - r.signalledAt).toBeLessThan(10_000);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.interrupted).toBe(true);
    const phase = result.scenarios[0].phases[0];
    expect(phase.interrupted).toBe(true);
    expect(phase.count).toBeGreaterThan(20);
    expect(phase.count).toBeLessThan(1000);
    expect(r.stderr).toMatch(/SIGINT: stopping/);
  });

  it('a crash (SIGKILL) loses at most one checkpoint interval', async () => {
    const out = path.join(tempDir(), 'killed.json');
    const r = await runAndSignal(['run', 'soak', '--duration', '60s', '--out', out, '--checkpoint', '500ms'], /soak › soak: started/, 'SIGKILL', 2_000);
    expect(r.code).toBe(null);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.checkpoint).toBe(true);
    expect(result.interrupted).toBe(true);
    const phase = result.scenarios[0].phases[0];
    // ~2 s at 50/s is ~100 requests; a checkpoint every 0.5 s loses at most ~25 of them.
    expect(phase.count).toBeGreaterThanOrEqual(60);
    expect(phase.latency.histogram).toMatch(/^HISTFAAA/);
  });

  it('a second SIGINT quits at once without waiting', async () => {
    const out = path.join(tempDir(), 'twice.json');
    // Every call hangs, so the first SIGINT has to wait out the grace period; the second must not.
    const r = await runAndSignal(['run', 'soak', '--duration', '60s', '--out', out, '--set', 'providers.llm.timeoutRate=1', '--set', 'phases.0.timeout=30s'], /^soak: Soak/m, 'SIGINT', 500, true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/again: quitting/);
    expect(Date.now() - r.signalledAt).toBeLessThan(1_500);
  });
});
