/**
 * A scenario through the real runner: which extras it marks as totals (so merges add them
 * up) comes from the operations and the providers' counters, not from a list of names.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mergeTrials } from '../../src/compare/trials.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { loadScenario } from '../../src/scenarios/load.js';
import { tempDir } from '../helpers/temp-dir.js';

const PLUGIN = fileURLToPath(new URL('../fixtures/plugins/llm-ok.mjs', import.meta.url));

function scenarioFile(text: string): string {
  const file = path.join(tempDir(), 'totals.yaml');
  writeFileSync(file, text);
  return file;
}

describe('extra totals', () => {
  it('a plugin counter, the cache counters and sessionsExpired are totals; per-operation figures are not', async () => {
    const file = scenarioFile(`
name: totals
providers:
  llm: { module: ${JSON.stringify(PLUGIN)}, cache: { max: 10 } }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 20 }
  - name: sweep
    op: memory.sweep
    params: { advance: 1s }
    executor: { type: iterations, iterations: 3 }
`);
    const scenario = loadScenario(file);
    const runs = [await runScenario(scenario, { seed: 1 }), await runScenario(scenario, { seed: 2 })];
    const [calls, sweep] = runs[0]!.phases;
    expect(calls?.extraTotals?.sort()).toEqual(['cacheHits', 'cacheJoins', 'cacheMisses', 'fixtureCalls']);
    expect(calls?.extra).toMatchObject({ fixtureCalls: 1, cacheMisses: 1, cacheHits: 19 });
    expect(sweep?.extraTotals).toEqual(['sessionsExpired']);

    const merged = mergeTrials(runs).phases[0]!;
    expect(merged.extra).toMatchObject({ fixtureCalls: 2, cacheHits: 38, tokensPerCall: 6 });
  });
});
