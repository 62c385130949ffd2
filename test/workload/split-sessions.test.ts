/**
 * A workload phase split into parts (worker threads, shards): `sessions` is how many
 * conversations are open at a time in the whole phase, as it is for the plain operations'
 * session ids (split.ts sessionPicker), so each part holds its share, not all of them again.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeScenarioParts } from '../../src/results/merge.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { loadScenario } from '../../src/scenarios/load.js';
import { tempDir } from '../e2e/helpers.js';

describe('workload sessions in a split phase', () => {
  it('the parts together open as many conversations as one thread does', async () => {
    const file = path.join(tempDir(), 'sessions.yaml');
    // Conversations of 50 turns and 32 operations: none ends, so one thread opens exactly
    // `sessions` conversations (the first 8 operations) and continues them.
    writeFileSync(
      file,
      [
        'name: split-sessions',
        'phases:',
        '  - name: turns',
        '    op: memory.store',
        '    params: { sessions: 8, synthetic: { turns: 50, promptTokens: 10, answerTokens: 10 } }',
        '    executor: { type: iterations, iterations: 32, concurrency: 4 }',
        '',
      ].join('\n'),
    );
    const scenario = loadScenario(file);
    const whole = await runScenario(scenario, { seed: 3 });
    expect(whole.phases[0]?.count).toBe(32);
    expect(whole.phases[0]?.extra?.['conversations']).toBe(8);
    const parts = await Promise.all([0, 1].map((index) => runScenario(scenario, { seed: 3, parts: [{ index, count: 2 }] })));
    const merged = mergeScenarioParts(parts, { mode: 'concurrent', label: (i) => `worker ${i + 1}` });
    expect(merged.phases[0]?.count).toBe(32);
    // The turn a part prepared for an operation (closed model) is the one that operation
    // runs: nothing is taken twice, so no conversation is opened beyond the cap.
    for (const p of parts) expect(p.phases[0]?.extra?.['sessionsOverCap']).toBeUndefined();
    expect(parts.map((p) => p.phases[0]?.extra?.['conversations'])).toEqual([4, 4]);
    expect(merged.phases[0]?.extra?.['conversations']).toBe(8);
  });
});
