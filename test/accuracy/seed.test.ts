/**
 * `--seed` through the whole run command (in-process): two runs with the same seed draw the same simulated
 * faults, so their counts match exactly; another seed draws different ones. Token counts alone
 * cannot show it (the simulated model's answers have a fixed length whatever the seed), so
 * the runs inject a 20 % error rate: which calls fail is a sequence of seeded draws, and the
 * number that fail out of 300 (~60 +- 7) differs between two seeds unless the draws ignore them.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/types.js';
import { runInProcess } from '../helpers/in-process.js';

async function run(seed: number): Promise<RunResult> {
  const r = await runInProcess(
    [
      'run',
      'llm-call',
      '--seed',
      String(seed),
      '--set',
      'providers.llm.errorRate=0.2',
      '--set',
      'phases.0.executor.iterations=300',
      '--set',
      'phases.1.executor.iterations=300',
      '--json',
      '--no-gate',
      '--no-save',
    ],
  );
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunResult;
}

function faults(r: RunResult) {
  return r.scenarios[0]!.phases.map((p) => ({ phase: p.name, count: p.count, errors: p.errors, errorsByKind: p.errorsByKind, extra: p.extra }));
}

describe('--seed makes the simulated providers reproducible', () => {
  it('same seed: identical error counts and token figures in both phases; another seed: different counts', async () => {
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.seed).toBe(7);
    expect(faults(a)[0]!.count).toBe(300);
    expect(faults(a)[0]!.errors).toBeGreaterThan(20);
    expect(faults(b)).toEqual(faults(a));
    expect(faults(c).map((f) => f.errors)).not.toEqual(faults(a).map((f) => f.errors));
  });
});
