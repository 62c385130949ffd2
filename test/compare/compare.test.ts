import { describe, expect, it } from 'vitest';
import {
  blockingDifferences,
  compareResults,
  effectiveSampleSize,
  minorDifferences,
  nodeMajor,
  type Comparison,
  type CompareStat,
  type StatComparison,
} from '../../src/compare/compare.js';
import { renderComparisonTable } from '../../src/compare/render.js';
import { ENV, phaseResult, runResult, scenario, single, trialsOf } from './synthetic.js';

/** Every statistic's verdict for one phase: pinned whole, so a verdict that flips anywhere fails. */
function verdicts(c: Comparison, phase = 'calls'): Record<CompareStat, string> {
  const p = c.phases.find((x) => x.phase === phase);
  if (!p) throw new Error(`no phase ${phase}`);
  return Object.fromEntries(p.stats.map((s) => [s.stat, s.verdict])) as Record<CompareStat, string>;
}

/** The regressions as (stat, change) pairs, in order. */
function regressions(c: Comparison): Array<[CompareStat, number]> {
  return c.regressions.map((r) => [r.stat, r.change]);
}

function stat(c: Comparison, name: CompareStat, phase = 'calls'): StatComparison {
  const p = c.phases.find((x) => x.phase === phase);
  const s = p?.stats.find((x) => x.stat === name);
  if (!s) throw new Error(`no ${name} for ${phase}`);
  return s;
}

describe('one run per side: bootstrap of the histograms', () => {
  const base = single({ medianMs: 5, seed: 1 });

  it('a clear 20% slowdown is slower, a regression, and fails', () => {
    const c = compareResults(base, single({ medianMs: 6, seed: 2 }));
    const p50 = stat(c, 'p50');
    expect(p50.method).toBe('bootstrap');
    expect(p50.verdict).toBe('slower');
    expect(p50.regression).toBe(true);
    expect(p50.change).toBeGreaterThan(0.15);
    expect(p50.lower).toBeGreaterThan(0.05);
    expect(c.passed).toBe(false);
    expect(verdicts(c)).toEqual({ p50: 'slower', p99: 'inconclusive', throughput: 'inconclusive' });
    expect(c.regressions).toEqual([{ scenario: 's', phase: 'calls', stat: 'p50', change: p50.change }]);
  });

  it('the same distribution again is no change, and passes', () => {
    const c = compareResults(base, single({ medianMs: 5, seed: 3 }));
    expect(stat(c, 'p50').verdict).toBe('no change');
    expect(Math.abs(stat(c, 'p50').change ?? 1)).toBeLessThan(0.02);
    expect(stat(c, 'throughput').verdict).toBe('no change');
    expect(verdicts(c)).toEqual({ p50: 'no change', p99: 'inconclusive', throughput: 'no change' });
    expect(c.regressions).toEqual([]);
    expect(c.passed).toBe(true);
  });

  it('a clear 20% speed-up is faster and passes', () => {
    const c = compareResults(base, single({ medianMs: 4, seed: 4 }));
    expect(verdicts(c)).toEqual({ p50: 'faster', p99: 'inconclusive', throughput: 'inconclusive' });
    expect(c.regressions).toEqual([]);
    expect(c.passed).toBe(true);
  });

  it('a significant slowdown within --max-regression is slower but not a regression', () => {
    const c = compareResults(base, single({ medianMs: 6, seed: 2 }), { maxRegression: 0.3 });
    expect(stat(c, 'p50').verdict).toBe('slower');
    expect(stat(c, 'p50').regression).toBe(false);
    expect(verdicts(c)).toEqual({ p50: 'slower', p99: 'inconclusive', throughput: 'inconclusive' });
    expect(c.regressions).toEqual([]);
    expect(c.passed).toBe(true);
  });

  it('a change smaller than the noise band is never a change', () => {
    const small = compareResults(base, single({ medianMs: 5.15, seed: 5 }));
    expect(stat(small, 'p50').change).toBeGreaterThan(0.02);
    expect(['no change', 'inconclusive']).toContain(stat(small, 'p50').verdict);
    const tiny = compareResults(base, single({ medianMs: 5.05, seed: 5 }));
    expect(stat(tiny, 'p50').verdict).toBe('no change');
  });

  it('noisy: 100 operations in flight for 50 ms are one look at the machine; even 15% is inconclusive', () => {
    const noisy = (medianMs: number, seed: number) => single({ medianMs, seed, sigma: 0.3, concurrency: 100 });
    const c = compareResults(noisy(5, 6), noisy(5.75, 7));
    expect(stat(c, 'p50').change).toBeGreaterThan(0.1);
    expect(stat(c, 'p50').verdict).toBe('inconclusive');
    expect(c.passed).toBe(true);
    // The same shift over a long sequential phase (20,000 operations, 100 s) is called slower.
    const long = (medianMs: number, seed: number) => single({ medianMs, seed, sigma: 0.3, count: 20_000 });
    expect(stat(compareResults(long(5, 6), long(5.75, 7)), 'p50').verdict).toBe('slower');
  });

  it('a short phase is one look at the machine: a sequential 20% shift over 50 ms is inconclusive', () => {
    const short = (medianMs: number, seed: number) => single({ medianMs, seed, count: 10, sigma: 0.15 });
    expect(stat(compareResults(short(5, 1), short(6, 2)), 'p50').verdict).toBe('inconclusive');
  });

  it('significant but not clearly beyond the band: one run cannot rule out run-to-run noise, inconclusive', () => {
    const long = (medianMs: number, seed: number) => single({ medianMs, seed, sigma: 0.3, count: 20_000 });
    const p50 = stat(compareResults(long(5, 6), long(5.35, 7)), 'p50');
    expect(p50.change).toBeGreaterThan(0.05);
    expect(p50.lower).toBeGreaterThan(0);
    expect(p50.lower).toBeLessThan(0.05);
    expect(p50.verdict).toBe('inconclusive');
  });

  it('p99 of one run each is not tested: even a doubled tail is inconclusive, never a regression', () => {
    const same = compareResults(base, single({ medianMs: 5, seed: 8 }));
    expect(stat(same, 'p99').tested).toBe(false);
    expect(stat(same, 'p99').verdict).toBe('inconclusive');
    const doubled = compareResults(base, single({ medianMs: 5, seed: 8, sigma: 0.4 }));
    const p99 = stat(doubled, 'p99');
    expect(p99.change).toBeGreaterThan(1);
    expect(p99.lower).toBeGreaterThan(0.05);
    expect(p99.verdict).toBe('inconclusive');
    expect(p99.regression).toBe(false);
    expect(doubled.passed).toBe(true);
  });

  it('throughput of one run has no interval: beyond the band it is inconclusive, never a regression', () => {
    const c = compareResults(base, single({ medianMs: 6, seed: 2 }));
    const t = stat(c, 'throughput');
    expect(t.method).toBe('noise band');
    expect(t.change).toBeLessThan(-0.1);
    expect(t.verdict).toBe('inconclusive');
    expect(t.regression).toBe(false);
  });

  it('gives the same answer every time', () => {
    const a = compareResults(base, single({ medianMs: 5.3, seed: 9 }));
    const b = compareResults(base, single({ medianMs: 5.3, seed: 9 }));
    expect(a).toEqual(b);
  });
});

describe('per-trial figures: rank test', () => {
  const withTrials = (p50s: number[], medianMs: number, seed: number) =>
    runResult([scenario('s', [phaseResult({ medianMs, seed })], trialsOf(p50s.map((p50) => ({ p50 }))))]);

  it('5 vs 5 trials 20% apart: slower (p = 0.0079), a regression', () => {
    const c = compareResults(withTrials([5.1, 5.3, 5.2, 5.25, 5.15], 5.2, 1), withTrials([6.2, 6.3, 6.1, 6.25, 6.15], 6.2, 2));
    const p50 = stat(c, 'p50');
    expect(p50.method).toBe('rank test');
    expect(p50.pValue).toBeCloseTo(0.007936507936507936, 10);
    expect(p50.baseline).toBeCloseTo(5.2e6, 0);
    expect(p50.current).toBeCloseTo(6.2e6, 0);
    expect(p50.verdict).toBe('slower');
    expect(p50.regression).toBe(true);
    expect(p50.lower).toBeGreaterThan(0.1);
    expect(c.passed).toBe(false);
    // Throughput is tested too, from the trials: 1000/6.2 ops/s against 1000/5.2 is slower.
    expect(stat(c, 'throughput').method).toBe('rank test');
    expect(verdicts(c)).toEqual({ p50: 'slower', p99: 'slower', throughput: 'slower' });
    expect(regressions(c)).toEqual([
      ['p50', stat(c, 'p50').change],
      ['p99', stat(c, 'p99').change],
      ['throughput', stat(c, 'throughput').change],
    ]);
    expect(stat(c, 'throughput').change).toBeCloseTo(5.2 / 6.2 - 1, 12);
  });

  it('throughput alone 20% lower in every trial: slower, a regression; 20% higher: faster, passes', () => {
    const tp = (values: number[]) => runResult([scenario('s', [phaseResult({ medianMs: 5, seed: 1 })], trialsOf(values.map((throughput) => ({ p50: 5, throughput }))))]);
    const base = tp([1000, 1010, 990, 1005, 995]);
    const drop = compareResults(base, tp([800, 810, 790, 805, 795]));
    expect(verdicts(drop)).toEqual({ p50: 'no change', p99: 'no change', throughput: 'slower' });
    expect(regressions(drop)).toEqual([['throughput', 800 / 1000 - 1]]);
    expect(drop.passed).toBe(false);
    const rise = compareResults(base, tp([1200, 1210, 1190, 1205, 1195]));
    expect(verdicts(rise)).toEqual({ p50: 'no change', p99: 'no change', throughput: 'faster' });
    expect(rise.regressions).toEqual([]);
    expect(rise.passed).toBe(true);
    // A drop within --max-regression is slower but passes.
    const within = compareResults(base, tp([800, 810, 790, 805, 795]), { maxRegression: 0.25 });
    expect(verdicts(within).throughput).toBe('slower');
    expect(within.passed).toBe(true);
  });

  it('with trials the tail is tested: p99 doubled in every trial is slower', () => {
    const b = runResult([scenario('s', [phaseResult({ medianMs: 5, seed: 1 })], trialsOf([7.1, 7.3, 6.9, 7.4, 7.2].map((p99) => ({ p50: 5, p99 }))))]);
    const c = runResult([scenario('s', [phaseResult({ medianMs: 5, seed: 2 })], trialsOf([14.2, 15.1, 13.8, 14.9, 14.4].map((p99) => ({ p50: 5, p99 }))))]);
    const r = compareResults(b, c);
    expect(stat(r, 'p99')).toMatchObject({ method: 'rank test', tested: true, verdict: 'slower', regression: true });
    expect(verdicts(r)).toEqual({ p50: 'no change', p99: 'slower', throughput: 'no change' });
    expect(regressions(r)).toEqual([['p99', stat(r, 'p99').change]]);
  });

  it('trials that overlap are not a change', () => {
    const c = compareResults(withTrials([5.1, 5.3, 5.2, 5.25, 5.15], 5.2, 1), withTrials([5.12, 5.28, 5.22, 5.18, 5.24], 5.2, 3));
    expect(verdicts(c)).toEqual({ p50: 'no change', p99: 'no change', throughput: 'no change' });
    expect(c.passed).toBe(true);
  });

  it('trials that swing widely: a 10% move of the median is inconclusive', () => {
    const c = compareResults(withTrials([4, 6.5, 5, 7, 4.5], 5, 1), withTrials([5.5, 4.4, 7.7, 5, 6.8], 5.5, 3));
    expect(stat(c, 'p50').pValue).toBeGreaterThan(0.05);
    expect(verdicts(c)).toEqual({ p50: 'inconclusive', p99: 'inconclusive', throughput: 'inconclusive' });
    expect(c.passed).toBe(true);
  });

  it('3 vs 3 trials can never reach p < 0.05: falls back to the histograms and says so', () => {
    const c = compareResults(withTrials([5.1, 5.2, 5.3], 5, 1), withTrials([6.1, 6.2, 6.3], 6, 2));
    const p50 = stat(c, 'p50');
    expect(p50.method).toBe('bootstrap');
    expect(p50.note).toBe('3 vs 3 trials are too few for a rank test at 95%; judged on the pooled histograms');
    expect(verdicts(c)).toEqual({ p50: 'slower', p99: 'inconclusive', throughput: 'inconclusive' });
    expect(regressions(c)).toEqual([['p50', p50.change]]);
  });
});

describe('matching and edge cases', () => {
  it('lists phases and scenarios found on one side only', () => {
    const b = runResult([scenario('a', [phaseResult({ name: 'x', medianMs: 1, seed: 1 }), phaseResult({ name: 'y', medianMs: 1, seed: 2 })]), scenario('gone', [phaseResult({ name: 'z', medianMs: 1, seed: 3 })])]);
    const c = runResult([scenario('a', [phaseResult({ name: 'x', medianMs: 1, seed: 4 }), phaseResult({ name: 'w', medianMs: 1, seed: 5 })]), scenario('new', [phaseResult({ name: 'v', medianMs: 1, seed: 6 })])]);
    const r = compareResults(b, c);
    expect(r.phases.map((p) => `${p.scenario}/${p.phase}`)).toEqual(['a/x']);
    expect(r.baselineOnly).toEqual(['a › y', 'gone › z']);
    expect(r.currentOnly).toEqual(['a › w', 'new › v']);
  });

  it('a phase without one successful operation is inconclusive, with the reason', () => {
    const empty = single({ medianMs: 5, seed: 1 });
    const phase = empty.scenarios[0]!.phases[0]!;
    phase.latency = { ...phase.latency, count: 0 };
    const c = compareResults(single({ medianMs: 5, seed: 2 }), empty);
    expect(stat(c, 'p50').verdict).toBe('inconclusive');
    expect(stat(c, 'p50').note).toBe('no successful operation on one side');
  });

  it('effective sample size: operations in flight together, or within a block of time, count once', () => {
    const sequential = phaseResult({ medianMs: 5, seed: 1 });
    const concurrent = phaseResult({ medianMs: 5, seed: 1, concurrency: 100 });
    expect(sequential.durationMs).toBeCloseTo(5000, -2);
    expect(effectiveSampleSize(sequential)).toBeCloseTo(sequential.durationMs / 100, 9);
    expect(effectiveSampleSize(sequential, 0)).toBeCloseTo(1000, 9);
    expect(effectiveSampleSize(concurrent, 0)).toBeCloseTo(10, 0);
    expect(effectiveSampleSize(concurrent)).toBe(1);
  });
});

describe('timing modes', () => {
  function timed(mode: 'batch' | 'per-op', medianMs: number, seed: number, legacy = false) {
    const r = single({ medianMs, seed });
    const p = r.scenarios[0]!.phases[0]!;
    p.batchTimed = mode === 'batch';
    if (mode === 'batch') p.batchSize = 64;
    if (!legacy) p.timing = mode === 'batch' ? { mode, batchSize: 64, basis: 'auto', estimateNs: 400 } : { mode, batchSize: 1, basis: 'auto', estimateNs: 2500 };
    return r;
  }

  it('a batch-timed phase against a per-operation one: latency not compared, never a regression, said loudly', () => {
    // A 2x "slowdown" that is only the change of timing mode.
    const c = compareResults(timed('batch', 0.0004, 1), timed('per-op', 0.0008, 2));
    for (const name of ['p50', 'p99'] as const) {
      const s = stat(c, name);
      expect(s.verdict, name).toBe('inconclusive');
      expect(s.regression, name).toBe(false);
      expect(s.method, name).toBe('none');
      expect(s.note, name).toMatch(/baseline was batch-timed \(64 per batch\), this result timed per operation/);
    }
    expect(c.passed).toBe(true);
    expect(c.phases[0]!.timing).toEqual({ baseline: 'batch', current: 'per-op' });
    expect(c.timingMismatches).toHaveLength(1);
    expect(c.timingMismatches[0]).toMatch(/^s › calls: not compared/);
    const text = renderComparisonTable(c, { baseline: 'a.json', current: 'b.json' }, { color: false });
    expect(text).toContain('WARNING timing mode differs: s › calls');
    expect(text.trimEnd().split('\n').at(-1)).toContain('1 phase timed differently: latency not compared');
  });

  it('reads the mode of results written before it was recorded from batchTimed', () => {
    const c = compareResults(timed('batch', 0.0004, 1, true), timed('per-op', 0.0008, 2, true));
    expect(c.phases[0]!.timing).toEqual({ baseline: 'batch', current: 'per-op' });
    expect(c.timingMismatches).toEqual([
      's › calls: not compared: the baseline was batch-timed (64 per batch), this result timed per operation; a batch figure is a ' +
        'mean of back-to-back operations without the clock, a per-operation one includes it. Pin `batch:` in the scenario',
    ]);
    expect(stat(c, 'p50').verdict).toBe('inconclusive');
    // A result that lost its batch size still says what it can.
    const bare = timed('batch', 0.0004, 1, true);
    delete bare.scenarios[0]!.phases[0]!.batchSize;
    expect(compareResults(timed('per-op', 0.0008, 2, true), bare).timingMismatches[0]).toContain('the baseline was timed per operation, this result batch-timed (? per batch)');
  });

  it('the same mode on both sides is compared as usual', () => {
    const c = compareResults(timed('batch', 0.0004, 1), timed('batch', 0.0008, 2));
    expect(c.timingMismatches).toEqual([]);
    expect(stat(c, 'p50').verdict).toBe('slower');
    expect(c.passed).toBe(false);
  });
});

describe('environments', () => {
  it.each([
    ['v20.11.1', 20],
    ['22.3.0', 22],
    ['nonsense', undefined],
  ])('nodeMajor(%s) = %s', (v, major) => {
    expect(nodeMajor(v)).toBe(major);
  });

  it('refuses another CPU model or Node major; notes the rest', () => {
    expect(blockingDifferences(ENV, ENV)).toEqual([]);
    expect(blockingDifferences(ENV, { ...ENV, cpu: 'Apple M1 Pro' })).toEqual(['CPU model differs ("AMD EPYC 7B13" vs "Apple M1 Pro")']);
    expect(blockingDifferences(ENV, { ...ENV, node: 'v22.1.0' })).toEqual(['Node.js major version differs (v20.20.2 vs v22.1.0)']);
    expect(blockingDifferences(ENV, { ...ENV, node: 'v20.1.0' })).toEqual([]);
    expect(minorDifferences(ENV, { ...ENV, node: 'v20.1.0', cores: 4 })).toEqual(['cores differs (2 vs 4)', 'Node.js differs (v20.20.2 vs v20.1.0)']);
  });
});
