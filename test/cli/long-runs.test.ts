/**
 * Long runs and injected faults through `cluster-bench run`, in-process. Signals that must
 * reach a real process (a second Ctrl-C quitting at once, SIGKILL) stay in test/e2e.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/types.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('long runs', () => {
  it('a shortened soak prints progress lines every 100 requests and records ~50/s', async () => {
    const cwd = tempDir();
    const r = await runInProcess(['run', 'soak', '--duration', '4s', '--out', 'soak.json', '--no-gate', '--no-save'], { cwd });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /soak › soak\s+\d+\/200/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const phase = (JSON.parse(readFileSync(path.join(cwd, 'soak.json'), 'utf8')) as RunResult).scenarios[0]!.phases[0]!;
    expect(phase.count).toBeGreaterThanOrEqual(190);
    expect(phase.count).toBeLessThanOrEqual(200);
    expect(phase.serviceTime?.count).toBe(phase.latency.count);
    expect(phase.health?.warnings).toBeInstanceOf(Array);
  });

  it('injected errors are counted by kind and never stop the run', async () => {
    const r = await runInProcess(['run', 'stress', '--set', 'providers.llm.errorRate=0.01', '--set', 'phases.0.executor.iterationsPerVu=10', '--no-gate', '--json', '--no-save']);
    expect(r.code).toBe(0);
    const phase = (JSON.parse(r.stdout) as RunResult).scenarios[0]!.phases[0]!;
    expect(phase.count).toBe(10_000);
    // An execution makes 3 LLM calls, so about 3% of executions fail.
    expect(phase.errorRate).toBeGreaterThan(0.015);
    expect(phase.errorRate).toBeLessThan(0.05);
    expect(Object.keys(phase.errorsByKind)).toEqual(['LLM_SERVER_ERROR']);
  });

  it('a call that never answers is ended by the phase timeout', async () => {
    const r = await runInProcess([
      'run',
      'llm-call',
      '--set',
      'providers.llm.timeoutRate=0.05',
      '--set',
      'phases.0.timeout=50ms',
      '--set',
      'phases.1.timeout=50ms',
      '--set',
      'phases.0.executor.iterations=200',
      '--no-gate',
      '--json',
      '--no-save',
    ]);
    expect(r.code).toBe(0);
    const phase = (JSON.parse(r.stdout) as RunResult).scenarios[0]!.phases[0]!;
    expect(phase.count).toBe(200);
    expect(phase.errorsByKind['timeout']).toBeGreaterThan(0);
  });
});
