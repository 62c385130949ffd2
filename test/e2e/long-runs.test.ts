import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, WORK_DIR, cli, tempDir, testEnv } from './helpers.js';

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

describe('long runs', () => {
  it('a shortened soak prints progress lines every 100 requests and records ~50/s', () => {
    const out = path.join(tempDir(), 'soak.json');
    const r = cli(['run', 'soak', '--duration', '4s', '--out', out, '--no-gate']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /soak › soak\s+\d+\/200/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const phase = result.scenarios[0].phases[0];
    expect(phase.count).toBeGreaterThanOrEqual(190);
    expect(phase.count).toBeLessThanOrEqual(200);
    expect(phase.serviceTime.count).toBe(phase.latency.count);
    expect(phase.health.warnings).toBeInstanceOf(Array);
  });

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

  it('injected errors are counted by kind and never stop the run', () => {
    const r = cli(['run', 'stress', '--set', 'providers.llm.errorRate=0.01', '--set', 'phases.0.executor.iterationsPerVu=10', '--no-gate', '--json']);
    expect(r.code).toBe(0);
    const phase = JSON.parse(r.stdout).scenarios[0].phases[0];
    expect(phase.count).toBe(10_000);
    // An execution makes 3 LLM calls, so about 3% of executions fail.
    expect(phase.errorRate).toBeGreaterThan(0.015);
    expect(phase.errorRate).toBeLessThan(0.05);
    expect(Object.keys(phase.errorsByKind)).toEqual(['LLM_SERVER_ERROR']);
  });

  it('a call that never answers is ended by the phase timeout', () => {
    const r = cli(['run', 'llm-call', '--set', 'providers.llm.timeoutRate=0.05', '--set', 'phases.0.timeout=50ms', '--set', 'phases.1.timeout=50ms', '--set', 'phases.0.executor.iterations=200', '--no-gate', '--json']);
    expect(r.code).toBe(0);
    const phase = JSON.parse(r.stdout).scenarios[0].phases[0];
    expect(phase.count).toBe(200);
    expect(phase.errorsByKind.timeout).toBeGreaterThan(0);
    expect(existsSync(BIN)).toBe(true);
  });
});
