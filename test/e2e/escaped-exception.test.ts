/**
 * An exception that escapes every operation (a plugin's timer throwing) on the main thread:
 * the run stops, keeps what was measured, writes its result and fails with exit 3 and one
 * line; Node's stack trace and exit 1 are what it replaced. The real binary, because the
 * wiring to process 'uncaughtException' is the process edge's (src/cli/process.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/types.js';
import { runInProcess } from '../helpers/in-process.js';
import { cli, tempDir } from './helpers.js';

const PLUGIN = path.resolve('test/fixtures/plugins/throws-from-timer.mjs');

function scenario(): string {
  const cwd = tempDir();
  writeFileSync(
    path.join(cwd, 's.yaml'),
    `name: escapes
description: an LLM plugin whose timer throws on its 50th call
phases:
  - name: calls
    op: llm.call
    executor: { type: rate, rate: 200, duration: 20s }
providers:
  llm: { module: ${JSON.stringify(PLUGIN)} }
`,
  );
  return cwd;
}

describe('an exception that escapes every operation', () => {
  it('the real binary: exit 3 with one line, no stack trace, the partial result written', () => {
    const cwd = scenario();
    const t0 = Date.now();
    const r = cli(['run', 's.yaml', '--out', 'r.json', '--no-save'], { cwd });
    expect(r.code, r.stderr).toBe(3);
    // Stopped well before its 20 s.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr).toContain("cluster-bench: error: an exception escaped every operation (a provider's timer or event handler?): boom from a timer\n");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const result = JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8')) as RunResult;
    expect(result.interrupted).toBe(true);
    const s = result.scenarios[0]!;
    expect(s.failure).toContain('boom from a timer');
    expect(s.phases[0]!.count).toBeGreaterThanOrEqual(50);
  });

  it('capacity: the search stops, its steps so far are kept, exit 3', async () => {
    const cwd = scenario();
    const r = await runInProcess(['capacity', 's.yaml', '--slo', 'p99 < 1s', '--step-duration', '1s', '--warmup', '0s', '--start-rate', '20', '--no-save', '--out', 'c.json'], {
      cwd,
      // As Node would deliver it, once the first step is under way.
      onStart: (p) => {
        const poll = setInterval(() => {
          if (!p.err.join('').includes('step 1')) return;
          clearInterval(poll);
          p.escape(new Error('boom from a timer'));
        }, 20);
      },
    });
    expect(r.code, r.stderr).toBe(3);
    const result = JSON.parse(readFileSync(path.join(cwd, 'c.json'), 'utf8')) as RunResult;
    expect(result.scenarios[0]!.failure).toContain('an exception escaped every operation');
  });
});
