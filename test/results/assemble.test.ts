import { describe, expect, it } from 'vitest';
import { assembleResult, type RunMeta } from '../../src/results/assemble.js';
import { HISTOGRAM_SETTINGS } from '../../src/metrics/histogram.js';
import { parseTarget } from '../../src/targets/parse.js';
import { ENV, phaseResult, scenario } from '../compare/synthetic.js';

const meta: RunMeta = { toolVersion: '9.9.9', command: 'cluster-bench run x', seed: 1, startedAt: 'a', finishedAt: 'b', environment: ENV };
const fast = scenario('s', [phaseResult({ name: 'calls', medianMs: 1, seed: 1 })]);
const targets = [parseTarget('calls p99 < 500us / < 400us', 'LLM call')];

describe('assembleResult', () => {
  it('judges targets on the figures and gates on them, without touching the input', () => {
    const r = assembleResult([fast], meta, { targets: () => targets, interrupted: false, gate: { strict: false, enabled: true } });
    expect(r.scenarios[0]!.targets[0]).toMatchObject({ source: 'calls p99 < 500us / < 400us', status: 'red' });
    expect(r.gate).toMatchObject({ passed: false, counts: { red: 1 } });
    expect(fast.targets).toEqual([]);
    expect(r).toMatchObject({ schemaVersion: 1, tool: { version: '9.9.9' }, interrupted: false });
    expect('checkpoint' in r).toBe(false);
  });

  it('a shard holds no verdicts and no gate, and carries its targets for merge', () => {
    const shard = { index: 1, total: 3, runId: 'r1', scenarioHash: 'h', toolVersion: '9.9.9', histogram: { ...HISTOGRAM_SETTINGS }, workers: 1 };
    const r = assembleResult([fast], meta, { targets: () => targets, interrupted: false, gate: { strict: true, enabled: true }, shard });
    expect(r.scenarios[0]!.targets).toEqual([]);
    expect(r.gate).toMatchObject({ enabled: false, passed: true });
    expect(r.gate.note).toMatch(/shard 2 of 3: no verdicts until the shards are merged/);
    expect(r.shard?.targets).toEqual({ s: targets });
  });

  it('an incomplete merge fails the gate whatever the targets say', () => {
    const merged = { runId: 'r', total: 3, shards: [0, 2], missing: [1], incomplete: true, startSkewMs: 0, parts: [] };
    const r = assembleResult([fast], meta, { targets: () => [], interrupted: false, gate: { strict: false, enabled: true }, merged });
    expect(r.gate.passed).toBe(false);
    expect(r.gate.note).toBe('incomplete: shard 1 missing (merged with --allow-partial)');
    const off = assembleResult([fast], meta, { targets: () => [], interrupted: false, gate: { strict: false, enabled: false }, merged });
    expect(off.gate.passed).toBe(true);
  });
});
