import { describe, expect, it } from 'vitest';
import { mergeLatency } from '../../src/results/merge.js';
import { mergeShards, type ShardFile } from '../../src/results/shard.js';
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
