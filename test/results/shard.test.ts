import { describe, expect, it } from 'vitest';
import { mergeLatency } from '../../src/results/merge.js';
import { mergeShards, scenarioHash, type ShardFile } from '../../src/results/shard.js';
import { builtinPath, loadScenario } from '../../src/scenarios/load.js';
import type { Scenario } from '../../src/scenarios/types.js';
import { evaluateTargets } from '../../src/targets/evaluate.js';
import { InputError } from '../../src/util/input-error.js';
import { shardResult, values, type ShardSpec } from './shard-fixture.js';

const opts = { allowPartial: false, strict: false, toolVersion: '0.1.0', command: 'cluster-bench merge' };

function files(specs: Array<Partial<ShardSpec> & { index: number }>): ShardFile[] {
  return specs.map((s) => ({ file: `shard-${s.index}.json`, result: shardResult({ total: 3, values: values(100, 1_000_000), ...s }) }));
}

describe('mergeShards', () => {
  it('adds the histograms exactly, sums counts, and takes throughput over the union of windows', () => {
    const t = 1_800_000_000_000;
    const parts = files([
      { index: 0, values: values(300, 1_000_000), startMs: t, durationMs: 1000 },
      { index: 1, values: values(100, 2_000_000), startMs: t + 100, durationMs: 1000 },
      { index: 2, values: values(200, 3_000_000), startMs: t + 40, durationMs: 1000 },
    ]);
    const r = mergeShards(parts, opts);
    const phase = r.scenarios[0]!.phases[0]!;
    expect(phase.count).toBe(600);
    expect(phase.latency).toEqual(mergeLatency(parts.map((p) => p.result.scenarios[0]!.phases[0]!.latency)));
    // The union of [t, t+1000], [t+100, t+1100], [t+40, t+1040] is 1,100 ms.
    expect(phase.durationMs).toBe(1100);
    expect(phase.throughput).toBeCloseTo(600 / 1.1, 9);
    expect(r.merged).toMatchObject({ runId: 'run-1', total: 3, shards: [0, 1, 2], missing: [], incomplete: false, startSkewMs: 100 });
    expect(r.shard).toBeUndefined();
    expect(r.scenarios[0]!.targets[0]).toMatchObject({ source: 'calls p99 < 100ms / < 50ms', status: 'green' });
    expect(r.gate.passed).toBe(true);
  });

  it("the merged result's Reproduce line is the shards' own run command, not the merge", () => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]).map((f) => ({ ...f, result: { ...f.result, reproduce: 'cluster-bench run calls --seed 42' } }));
    const r = mergeShards(parts, opts);
    expect(r.command).toBe('cluster-bench merge');
    expect(r.reproduce).toBe('cluster-bench run calls --seed 42');
  });

  it('the aggregation trap: the shards\' p99s average under the target (the hand-made merge), the run misses it: merge fails', () => {
    // Two shards at ~20 ms and a hot one whose slowest 5% take 250 ms: the mean of the three
    // p99s is ~97 ms, under the 100 ms target (what merging summaries by hand does). But 50
    // of the run's 3,000 calls (1.7%) took 250 ms: the run's p99 is 250 ms.
    const parts = files([
      { index: 0, values: values(1000, 20_000_000) },
      { index: 1, values: values(1000, 20_000_000) },
      { index: 2, values: values(950, 20_000_000, 50, 250_000_000) },
    ]);
    const p99s = parts.map((p) => p.result.scenarios[0]!.phases[0]!.latency.p99);
    const averaged = p99s.reduce((a, b) => a + b, 0) / p99s.length;
    expect(averaged).toBeLessThan(100_000_000);
    // Two of the three shards pass on their own.
    expect(parts.map((p) => evaluateTargets(p.result.shard!.targets['api']!, p.result.scenarios[0]!)[0]!.status)).toEqual(['green', 'green', 'red']);
    const r = mergeShards(parts, opts);
    expect(r.scenarios[0]!.phases[0]!.latency.p99).toBeGreaterThan(240_000_000);
    expect(r.scenarios[0]!.targets[0]!.status).toBe('red');
    expect(r.gate.passed).toBe(false);
  });

  it('a merged percentile lies between the shards\' own: when every shard truly passes a p99 target, so does the run (property)', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 1e10 }), { minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 4 }), (shards) => {
        const parts = shards.map((v, index) => ({ file: `s${index}`, result: shardResult({ index, total: shards.length, values: v }) }));
        const p99s = parts.map((p) => p.result.scenarios[0]!.phases[0]!.latency.p99);
        const merged = mergeShards(parts, opts).scenarios[0]!.phases[0]!.latency.p99;
        expect(merged).toBeLessThanOrEqual(Math.max(...p99s));
        expect(merged).toBeGreaterThanOrEqual(Math.min(...p99s));
      }),
      { numRuns: 40 },
    );
  });

  it.each<[string, Array<Partial<ShardSpec> & { index: number }>, RegExp]>([
    ['another run id', [{ index: 0 }, { index: 1, runId: 'run-2' }, { index: 2 }], /^shard-0\.json is from run run-1, shard-1\.json from run run-2: shards of different runs$/],
    ['another scenario', [{ index: 0 }, { index: 1 }, { index: 2, hash: 'fff999' }], /^shard-0\.json and shard-2\.json ran different scenarios \(hash abc123 vs fff999\)/],
    ['another total', [{ index: 0 }, { index: 1, total: 4 }], /^shard-0\.json is one of 3 shards, shard-1\.json one of 4: shards of different splits$/],
    ['another version', [{ index: 0 }, { index: 1, version: '0.2.0' }, { index: 2 }], /^shard-0\.json was written by cluster-bench 0\.1\.0, shard-1\.json by 0\.2\.0/],
    ['another seed', [{ index: 0 }, { index: 1, seed: 8 }, { index: 2 }], /^shard-0\.json has seed 7, shard-1\.json seed 8/],
    ['a duplicate index', [{ index: 0 }, { index: 1 }, { index: 1 }], /^shard-1\.json and shard-1\.json are both shard 1 of 3: one file per shard$/],
    ['a missing index', [{ index: 0 }, { index: 2 }], /^shard 1 of 3 missing \(given: 0, 2\): pass --allow-partial/],
  ])('refuses %s, naming the files', (_name, specs, message) => {
    expect(() => mergeShards(files(specs), opts)).toThrow(InputError);
    expect(() => mergeShards(files(specs), opts)).toThrow(message);
  });

  it('refuses a file that is not a shard, and a total other than --expect-shards', () => {
    const plain = { file: 'plain.json', result: { ...shardResult({ index: 0, total: 3, values: [1] }), shard: undefined } };
    expect(() => mergeShards([plain], opts)).toThrow(/^plain\.json: not a shard file/);
    expect(() => mergeShards(files([{ index: 0 }, { index: 1 }, { index: 2 }]), { ...opts, expectShards: 4 })).toThrow(/^--expect-shards 4, but shard-0\.json is one of 3 shards$/);
  });

  it('--allow-partial merges what there is, marks it incomplete and fails the gate', () => {
    const r = mergeShards(files([{ index: 0 }, { index: 2 }]), { ...opts, allowPartial: true });
    expect(r.merged).toMatchObject({ shards: [0, 2], missing: [1], incomplete: true });
    expect(r.scenarios[0]!.targets[0]!.status).toBe('green');
    expect(r.gate).toMatchObject({ passed: false, note: 'incomplete: shard 1 missing (merged with --allow-partial)' });
  });
});

describe('mergeShards: every refusal, as the user reads it', () => {
  it('refuses an empty list', () => {
    expect(() => mergeShards([], opts)).toThrow(new InputError('no shard files to merge'));
  });

  it('names a scenario hash by its first 12 characters', () => {
    const long = (c: string): string => c.repeat(64);
    expect(() => mergeShards(files([{ index: 0, hash: long('a') }, { index: 1, hash: long('b') }, { index: 2, hash: long('a') }]), opts)).toThrow(
      new InputError(`shard-0.json and shard-1.json ran different scenarios (hash ${long('a').slice(0, 12)} vs ${long('b').slice(0, 12)}): every shard needs the same scenarios, --set and --duration`),
    );
  });

  it('refuses shards whose histograms were recorded with other settings', () => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]);
    parts[2]!.result.shard!.histogram = { ...parts[2]!.result.shard!.histogram, significantDigits: 2 } as never;
    expect(() => mergeShards(parts, opts)).toThrow(new InputError('shard-0.json and shard-2.json recorded histograms with different settings: they cannot be added exactly'));
  });

  it('--expect-shards that matches the files merges', () => {
    expect(mergeShards(files([{ index: 0 }, { index: 1 }, { index: 2 }]), { ...opts, expectShards: 3 }).merged?.total).toBe(3);
  });

  it.each([3, 7, -1, 1.5])('refuses shard index %s of 3, naming the file', (index) => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]);
    parts[1]!.result.shard!.index = index;
    expect(() => mergeShards(parts, opts)).toThrow(new InputError(`shard-1.json: shard ${index} of 3 does not exist`));
  });

  it.each<[string, number, number[], string]>([
    ['two missing', 4, [0, 3], 'shards 1, 2 of 4 missing (given: 0, 3)'],
    ['ten missing: all listed', 11, [0], 'shards 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 of 11 missing (given: 0)'],
    ['eleven missing: ten and a count', 12, [0], 'shards 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 1 more of 12 missing (given: 0)'],
    ['eleven given', 12, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'shard 11 of 12 missing (given: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 1 more)'],
  ])('missing shards, %s', (_name, total, given, message) => {
    const parts = given.map((index) => ({ file: `shard-${index}.json`, result: shardResult({ index, total, values: values(10, 1_000_000) }) }));
    expect(() => mergeShards(parts, opts)).toThrow(new InputError(`${message}: pass --allow-partial to merge what there is (the result is then incomplete and fails the gate)`));
  });
});

describe('mergeShards: what the merged result says', () => {
  const t = 1_800_000_000_000;

  it('files given in any order: shards listed ascending, the run from the earliest start to the latest end', () => {
    const parts = files([
      { index: 2, startMs: t + 50, durationMs: 1_000 },
      { index: 0, startMs: t + 20, durationMs: 3_000 },
      { index: 1, startMs: t, durationMs: 1_000 },
    ]);
    const r = mergeShards(parts, opts);
    expect(r.merged?.shards).toEqual([0, 1, 2]);
    expect(r.merged?.parts.map((p) => [p.index, p.file, p.startMs])).toEqual([
      [0, 'shard-0.json', t + 20],
      [1, 'shard-1.json', t],
      [2, 'shard-2.json', t + 50],
    ]);
    expect(r.merged?.startSkewMs).toBe(50);
    expect(r.startedAt).toBe(new Date(t).toISOString());
    expect(r.finishedAt).toBe(new Date(t + 3_020).toISOString());
  });

  it('each part names its host when the shard recorded one, and its cores', () => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]);
    parts[1]!.result.shard!.hostname = 'node-b';
    const r = mergeShards(parts, opts);
    expect(r.merged?.parts.map((p) => p.hostname)).toEqual([undefined, 'node-b', undefined]);
    expect(r.merged?.parts[0]).not.toHaveProperty('hostname');
    expect(r.merged?.parts.map((p) => p.cores)).toEqual([2, 2, 2]);
  });

  it('shards without a recorded window: no start skew, no start per part', () => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]);
    for (const p of parts) delete p.result.shard!.window;
    const r = mergeShards(parts, opts);
    expect(r.merged?.startSkewMs).toBe(0);
    expect(r.merged?.parts[0]).not.toHaveProperty('startMs');
    const some = files([{ index: 0, startMs: t }, { index: 1, startMs: t + 30 }, { index: 2, startMs: t + 500 }]);
    delete some[2]!.result.shard!.window;
    expect(mergeShards(some, opts).merged?.startSkewMs).toBe(30);
  });

  it('one scenario merged once per name, from the matching scenario of each shard', () => {
    const parts = files([{ index: 0, values: values(10, 1_000_000) }, { index: 1, values: values(20, 1_000_000) }, { index: 2, values: values(30, 1_000_000) }]);
    for (const p of parts) {
      const api = p.result.scenarios[0]!;
      const other = { ...api, name: 'other', phases: api.phases.map((ph) => ({ ...ph, count: 1 })) };
      p.result.scenarios = [api, other];
    }
    const r = mergeShards(parts, opts);
    expect(r.scenarios.map((s) => [s.name, s.phases[0]!.count])).toEqual([
      ['api', 60],
      ['other', 3],
    ]);
    // "other" has no targets in the shard block: nothing to judge.
    expect(r.scenarios[1]!.targets).toEqual([]);
  });

  it('a shard that failed is named by its index; separate machines: no memory readings, no heap figure', () => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]);
    parts[2]!.result.scenarios[0]!.failure = 'provider refused';
    for (const p of parts) {
      p.result.scenarios[0]!.memory = [{ label: 'after' } as never];
      p.result.scenarios[0]!.phases[0]!.heapAfterGc = 1_000;
    }
    const s = mergeShards(parts, opts).scenarios[0]!;
    expect(s.failure).toBe('shard 2: provider refused');
    expect(s.memory).toEqual([]);
    expect(s.phases[0]).not.toHaveProperty('heapAfterGc');
  });

  it('interrupted when any shard was', () => {
    const parts = files([{ index: 0 }, { index: 1 }, { index: 2 }]);
    parts[1]!.result.interrupted = true;
    expect(mergeShards(parts, opts).interrupted).toBe(true);
    expect(mergeShards(files([{ index: 0 }, { index: 1 }, { index: 2 }]), opts).interrupted).toBe(false);
  });
});

describe('scenarioHash: what identifies the scenarios the shards ran', () => {
  const base = (): Scenario => loadScenario(builtinPath('llm-call')!);
  /** The same object with every key order reversed, at every depth. */
  const reversed = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reversed) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;

  it('is a sha256 in hex', () => {
    expect(scenarioHash([base()])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on where the file lay, nor on the order of keys', () => {
    const s = base();
    expect(scenarioHash([{ ...s, source: '/elsewhere/llm-call.yaml' }])).toBe(scenarioHash([s]));
    expect(scenarioHash([reversed(s) as Scenario])).toBe(scenarioHash([s]));
  });

  it('plugin options may hold anything: null is hashed, and a list is told from a mapping with the same entries', () => {
    const s = base();
    const withOptions = (options: unknown): Scenario => ({ ...s, providers: { ...s.providers, llm: { ...s.providers.llm, options } } }) as Scenario;
    const h = scenarioHash([withOptions({ key: null })]);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarioHash([withOptions({ key: 'null' })])).not.toBe(h);
    expect(scenarioHash([withOptions({ list: ['a', 'b'] })])).not.toBe(scenarioHash([withOptions({ list: { 0: 'a', 1: 'b' } })]));
  });

  it('changes with any value, however deep, and with the order of phases or scenarios', () => {
    const s = base();
    const h = scenarioHash([s]);
    expect(scenarioHash([loadScenario(builtinPath('llm-call')!, { set: ['phases.0.executor.concurrency=3'] })])).not.toBe(h);
    expect(scenarioHash([loadScenario(builtinPath('llm-call')!, { set: ['phases.0.params.prompt=Hello'] })])).not.toBe(h);
    expect(scenarioHash([{ ...s, phases: [...s.phases].reverse() }])).not.toBe(h);
    const other = loadScenario(builtinPath('init')!);
    expect(scenarioHash([s, other])).not.toBe(scenarioHash([other, s]));
    expect(scenarioHash([s, other])).not.toBe(h);
  });
});
