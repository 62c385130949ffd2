/**
 * The decision rules of compare, exactly, at their boundaries: verdicts, regressions, which
 * method a statistic gets, what a comparison reports. Histograms are replaced by quantile
 * functions through compareResults' opener, so every interval here is known in advance (a
 * constant quantile function gives a degenerate interval at the ratio itself) and the tests
 * cost nothing. compare.test.ts holds the same rules against real HDR histograms.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COMPARE_OPTIONS,
  compareResults,
  describeOffered,
  blockingDifferences,
  effectiveSampleSize,
  minorDifferences,
  nodeMajor,
  openHdrHistogram,
  type Comparison,
  type CompareStat,
  type HistogramOpener,
  type StatComparison,
  workloadDifference,
} from '../../src/compare/compare.js';
import { hodgesLehmann } from '../../src/compare/stats.js';
import { median } from '../../src/util/median.js';
import { userErrorExitCode } from '../../src/errors.js';
import { InputError } from '../../src/util/input-error.js';
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import type { CapacityResult, LatencySummary, PhaseResult, RunResult, ScenarioResult, TrialPhase } from '../../src/results/types.js';
import { ENV, runResult } from './synthetic.js';

/** Histograms named "const:<value>" answer that value at every quantile. Opens and destroys are counted. */
function constants() {
  const log = { opened: 0, destroyed: 0 };
  const open: HistogramOpener = (encoded) => {
    const m = /^const:(.+)$/.exec(encoded);
    if (!m) throw new Error(`test opener: ${encoded}`);
    const value = Number(m[1]);
    log.opened++;
    return { quantile: () => value, destroy: () => void log.destroyed++ };
  };
  return { open, log };
}

function latency(p50: number, count = 1000, histogram = `const:${p50}`): LatencySummary {
  return { unit: 'ns', count, min: p50, mean: p50, stddev: 0, p50, p90: p50, p95: p50, p99: p50, p999: p50, max: p50, histogram };
}

/** A phase of 1,000 operations over 100 s, one at a time: 1,000 looks, so only the rules decide. */
function phase(over: Partial<PhaseResult> & { p50?: number } = {}): PhaseResult {
  const { p50 = 4, ...rest } = over;
  return {
    name: 'calls',
    op: 'llm.call',
    description: '',
    executor: { kind: 'iterations', iterations: 1000, concurrency: 1 },
    warmup: 0,
    timeoutMs: 30_000,
    count: 1000,
    errors: 0,
    errorsByKind: {},
    errorRate: 0,
    durationMs: 100_000,
    throughput: 10,
    latency: latency(p50),
    batchTimed: false,
    ...rest,
  };
}

function scen(phases: PhaseResult[], trials?: TrialPhase[][], name = 's'): ScenarioResult {
  return {
    name,
    description: '',
    source: `builtin:${name}`,
    startedAt: '2026-11-25T10:00:00.000Z',
    durationMs: 1000,
    providers: { llm: { simulated: true, transport: 'simulated in-process', config: {} }, memory: {}, agent: {} },
    phases,
    targets: [],
    memory: [],
    ...(trials !== undefined ? { trials: trials.map((phases) => ({ phases })) } : {}),
  };
}

/** One trial's figures of phase `name`: p50 (and p99) as given, throughput as given or 1/p50. */
function trial(p50: number, over: Partial<TrialPhase> = {}, name = 'calls'): TrialPhase {
  return { name, count: 100, errors: 0, p50, p90: p50, p99: p50, throughput: 1 / p50, ...over };
}
const trials = (p50s: number[], over: Partial<TrialPhase> = {}): TrialPhase[][] => p50s.map((p) => [trial(p, over)]);

function compare(b: RunResult, c: RunResult, options: Parameters<typeof compareResults>[2] = {}): Comparison {
  return compareResults(b, c, options, constants().open);
}

function stat(c: Comparison, name: CompareStat, phaseName = 'calls'): StatComparison {
  const s = c.phases.find((p) => p.phase === phaseName)?.stats.find((x) => x.stat === name);
  if (!s) throw new Error(`no ${name}`);
  return s;
}

const one = (p: Partial<PhaseResult> & { p50?: number }, env = {}): RunResult => runResult([scen([phase(p)])], env);

describe('one run a side: the noise band decides at its edges', () => {
  // Noise band 25 %: 4 -> 5 is exactly +25 %, 4 -> 3 exactly -25 % (powers of two: no rounding).
  const band = { noiseBand: 0.25, maxRegression: 0.1 };

  it('p50 exactly at the band, interval on it: no change (the band is inclusive)', () => {
    for (const to of [5, 3]) {
      const s = stat(compare(one({ p50: 4 }), one({ p50: to }), band), 'p50');
      expect([s.change, s.lower, s.upper]).toEqual([to / 4 - 1, to / 4 - 1, to / 4 - 1]);
      expect(s.verdict).toBe('no change');
    }
  });

  it('p50 just beyond the band, interval beyond it: slower (a regression) or faster', () => {
    const slower = compare(one({ p50: 4 }), one({ p50: 5.01 }), band);
    expect(stat(slower, 'p50')).toMatchObject({ verdict: 'slower', regression: true, method: 'bootstrap', tested: true });
    expect(slower.passed).toBe(false);
    const faster = compare(one({ p50: 4 }), one({ p50: 2.99 }), band);
    expect(stat(faster, 'p50')).toMatchObject({ verdict: 'faster', regression: false });
    expect(faster.passed).toBe(true);
  });

  it("the change is the summaries' own p50 ratio; the histograms only give the interval", () => {
    const b = one({ latency: latency(4, 1000, 'const:4') });
    const c = one({ latency: latency(5.01, 1000, 'const:6') });
    const s = stat(compare(b, c, band), 'p50');
    expect(s.change).toBeCloseTo(5.01 / 4 - 1, 12);
    expect(s.lower).toBeCloseTo(0.5, 12);
  });

  it('one run\'s throughput: inside the band no change, at or beyond it inconclusive, never tested', () => {
    const at = (to: number) => stat(compare(one({ throughput: 4 }), one({ throughput: to }), band), 'throughput');
    expect(at(4.5).verdict).toBe('no change');
    expect(at(5).verdict).toBe('inconclusive');
    expect(at(3).verdict).toBe('inconclusive');
    expect(at(2)).toEqual<StatComparison>({
      stat: 'throughput',
      unit: 'per_s',
      baseline: 4,
      current: 2,
      change: -0.5,
      lower: null,
      upper: null,
      confidence: null,
      pValue: null,
      method: 'noise band',
      tested: false,
      band: 0.25,
      verdict: 'inconclusive',
      regression: false,
    });
  });

  it('a one-run p50 and p99 in full: p99 is measured but not tested', () => {
    const c = compare(one({ p50: 4 }), one({ p50: 6 }), band);
    const common = { unit: 'ns', baseline: 4, current: 6, change: 0.5, lower: 0.5, upper: 0.5, confidence: 0.95, pValue: null, method: 'bootstrap', band: 0.25 };
    expect(stat(c, 'p50')).toEqual({ stat: 'p50', ...common, tested: true, verdict: 'slower', regression: true });
    expect(stat(c, 'p99')).toEqual({ stat: 'p99', ...common, tested: false, verdict: 'inconclusive', regression: false });
    expect('note' in stat(c, 'p50')).toBe(false);
    expect(c.regressions).toEqual([{ scenario: 's', phase: 'calls', stat: 'p50', change: 0.5 }]);
  });

  it('opens each histogram it bootstraps once, and frees every one', () => {
    const { open, log } = constants();
    compareResults(one({ p50: 4 }), one({ p50: 6 }), {}, open);
    // p50 and p99, two sides each.
    expect(log).toEqual({ opened: 4, destroyed: 4 });
  });
});

describe('nothing to judge', () => {
  it('no successful operation on either side: p50 and p99 inconclusive, with what there is', () => {
    const empty = { latency: latency(0, 0) };
    for (const [b, c, baseline, current] of [
      [one({ p50: 4 }), one(empty), 4, null],
      [one(empty), one({ p50: 4 }), null, 4],
    ] as const) {
      expect(stat(compare(b, c), 'p50')).toEqual<StatComparison>({
        stat: 'p50',
        unit: 'ns',
        baseline,
        current,
        change: null,
        lower: null,
        upper: null,
        confidence: null,
        pValue: null,
        method: 'none',
        tested: false,
        band: 0.05,
        verdict: 'inconclusive',
        regression: false,
        note: 'no successful operation on one side',
      });
    }
  });

  it('no throughput on the baseline, or none that is a number: inconclusive, with the reason', () => {
    for (const [from, to] of [
      [0, 5],
      [4, Number.NaN],
    ]) {
      const s = stat(compare(one({ throughput: from }), one({ throughput: to })), 'throughput');
      expect(s).toMatchObject({ unit: 'per_s', method: 'none', tested: false, verdict: 'inconclusive', change: null, note: 'no throughput on one side' });
    }
  });
});

describe('per-trial figures: the rank test', () => {
  const B = [3.9, 3.95, 4, 4.05, 4.1];
  const C = [4.9, 4.95, 5, 5.05, 5.1];
  const withTrials = (p50s: number[], over: Partial<TrialPhase> = {}) => runResult([scen([phase()], trials(p50s, over))]);

  it('a shift of exactly the band, every trial apart: slower (the band is reached)', () => {
    const s = stat(compare(withTrials(B), withTrials(C), { noiseBand: 0.25, maxRegression: 0.3 }), 'p50');
    expect(s).toMatchObject({ method: 'rank test', tested: true, change: 0.25, verdict: 'slower', regression: false });
    expect(s.pValue).toBeCloseTo(2 / 252, 12);
    // The interval is the Moses interval of the log shift, back on the ratio scale.
    const hl = hodgesLehmann(B.map(Math.log), C.map(Math.log), 0.95);
    expect(s.lower).toBeCloseTo(Math.exp(hl.lower) - 1, 12);
    expect(s.upper).toBeCloseTo(Math.exp(hl.upper) - 1, 12);
    expect(s.confidence).toBe(hl.confidence);
    expect([s.baseline, s.current]).toEqual([median(B), median(C)]);
  });

  it('a slowdown of exactly --max-regression is not a regression; beyond it is', () => {
    expect(stat(compare(withTrials(B), withTrials(C), { maxRegression: 0.25 }), 'p50').regression).toBe(false);
    const c = compare(withTrials(B), withTrials(C), { maxRegression: 0.2 });
    expect(stat(c, 'p50').regression).toBe(true);
    // Throughput (1/p50) fell by a fifth: that too.
    expect(stat(c, 'throughput')).toMatchObject({ unit: 'per_s', method: 'rank test', verdict: 'slower', regression: false });
    expect(stat(c, 'throughput').change).toBeCloseTo(4 / 5 - 1, 12);
  });

  it('significant but smaller than the band, with an interval reaching past it: no change', () => {
    // Every current trial above every baseline trial (p = 0.0079), but the median moves 9.5 %.
    const s = stat(compare(withTrials([4, 4.01, 4.02, 4.03, 4.04]), withTrials([4.05, 4.06, 4.4, 6, 7]), { noiseBand: 0.25 }), 'p50');
    expect(s.upper).toBeGreaterThan(0.25);
    expect(s.verdict).toBe('no change');
  });

  it('trials without a figure are left out: no successful operation, or no throughput', () => {
    const b = runResult([
      scen(
        [phase()],
        [
          [trial(3.9)],
          [trial(4)],
          [trial(4.1)],
          [trial(0.001, { errors: 100, throughput: 7 })], // every operation failed
          [trial(0, { throughput: 0 })], // no figure at all
        ],
      ),
    ]);
    const c = compare(b, withTrials(C));
    expect(stat(c, 'p50')).toMatchObject({ method: 'rank test', baseline: 4 });
    // Its throughput still counts the failed operations: 1/3.9, 1/4, 1/4.1 and 7.
    expect(stat(c, 'throughput').baseline).toBeCloseTo(median([1 / 3.9, 1 / 4, 1 / 4.1, 7]), 12);
  });

  it('2 against 20 trials can reach significance: ranked, not pooled', () => {
    const many = Array.from({ length: 20 }, (_, i) => 5 + i / 100);
    expect(stat(compare(withTrials([3.9, 4]), withTrials(many)), 'p50').method).toBe('rank test');
    expect(stat(compare(withTrials(many), withTrials([3.9, 4])), 'p50').method).toBe('rank test');
  });

  it('one usable trial against forty: too few, judged on the histograms, and said so', () => {
    const b = runResult([scen([phase()], [[trial(4)], [trial(4, { errors: 100 })]])]);
    const forty = Array.from({ length: 40 }, (_, i) => 5 + i / 100);
    const s = stat(compare(b, withTrials(forty)), 'p50');
    expect(s.method).toBe('bootstrap');
    expect(s.note).toBe('1 vs 40 trials are too few for a rank test at 95%; judged on the pooled histograms');
    // Its throughput has both trials (the failed operations still ran): 2 against 40 can be ranked.
    expect(stat(compare(b, withTrials(forty)), 'throughput').method).toBe('rank test');
    // The other way round alike: forty against one is not ranked either (one usable trial can reach p = 2/41).
    const back = stat(compare(withTrials(forty), b), 'p50');
    expect(back.method).toBe('bootstrap');
    expect(back.note).toBe('40 vs 1 trials are too few for a rank test at 95%; judged on the pooled histograms');
  });

  it('trials on one side only, either side: judged on the histograms, without a note', () => {
    for (const [b, c, trialCounts] of [
      [withTrials(B), one({ p50: 4 }), { baseline: 5, current: 1 }],
      [one({ p50: 4 }), withTrials(C), { baseline: 1, current: 5 }],
    ] as const) {
      const r = compare(b, c);
      expect(stat(r, 'p50').method).toBe('bootstrap');
      expect('note' in stat(r, 'p50')).toBe(false);
      expect(stat(r, 'throughput').method).toBe('noise band');
      expect('note' in stat(r, 'throughput')).toBe(false);
      expect(r.phases[0]?.trials).toEqual(trialCounts);
    }
  });

  it('a phase that only one trial of a side ran has no per-trial figures there: judged on the histograms, without a note', () => {
    // Two trials, but phase "calls" is in only one of them (the other ran phase "other").
    const b = runResult([scen([phase()], [[trial(4)], [trial(4, {}, 'other')]])]);
    const s = stat(compare(b, withTrials(C)), 'p50');
    expect(s.method).toBe('bootstrap');
    expect('note' in s).toBe(false);
  });

  it('too few trials for the rank test: throughput too is judged by the band alone, and says why', () => {
    const t = stat(compare(withTrials([4, 4.1, 3.9]), withTrials([5, 5.1, 4.9])), 'throughput');
    expect(t).toMatchObject({ method: 'noise band', tested: false, note: '3 vs 3 trials are too few for a rank test at 95%; judged on the pooled histograms' });
  });

  it('a rank-tested latency is in ns, a rank-tested throughput in operations/s', () => {
    const c = compare(withTrials(B), withTrials(C));
    expect([stat(c, 'p50').unit, stat(c, 'p99').unit, stat(c, 'throughput').unit]).toEqual(['ns', 'ns', 'per_s']);
    expect(stat(c, 'p50').method).toBe('rank test');
  });

  it('each phase is judged on its own trials, even when a trial lacks a phase', () => {
    const two = (a: number[], b: number[]) =>
      runResult([
        scen(
          [phase({ name: 'a' }), phase({ name: 'b' })],
          a.map((v, i) => [trial(v, {}, 'a'), ...(i === 0 ? [] : [trial(b[i]!, {}, 'b')])]),
        ),
      ]);
    const c = compare(two([1, 1.1, 1.2, 1.3, 1.4], [10, 10, 11, 12, 13]), two([2, 2.1, 2.2, 2.3, 2.4], [20, 20, 21, 22, 23]));
    expect(stat(c, 'p50', 'a')).toMatchObject({ method: 'rank test', baseline: 1.2, current: 2.2 });
    // Phase b is missing from the first trial: four trials a side.
    expect(stat(c, 'p50', 'b')).toMatchObject({ method: 'rank test', baseline: 11.5, current: 21.5 });
  });

  it('a scenario with a single trial has no per-trial figures to test', () => {
    const c = compare(runResult([scen([phase({ p50: 4 })], [[trial(4)]])]), runResult([scen([phase({ p50: 5 })], [[trial(5)]])]));
    expect(stat(c, 'p50').method).toBe('bootstrap');
  });
});

describe('what a comparison reports', () => {
  it('who was compared with whom, with which options, on which machines', () => {
    const b = runResult([scen([phase({ errors: 3 })])], { gitCommit: 'abc123' });
    const c = { ...runResult([scen([phase({ errors: 5 })])], { os: 'Darwin 23.1', arch: 'arm64' }), command: 'cluster-bench run x', seed: 9, interrupted: true };
    const r = compare(b, c, { noiseBand: 0.1 });
    expect(r.baseline).toEqual({
      command: 'cluster-bench run synthetic',
      startedAt: '2026-11-25T10:00:00.000Z',
      seed: 1,
      tool: 'cluster-bench 0.1.0',
      node: ENV.node,
      cpu: ENV.cpu,
      gitCommit: 'abc123',
      interrupted: false,
    });
    expect(r.current).toEqual({ command: 'cluster-bench run x', startedAt: '2026-11-25T10:00:00.000Z', seed: 9, tool: 'cluster-bench 0.1.0', node: ENV.node, cpu: ENV.cpu, interrupted: true });
    expect(r.options).toEqual({ ...DEFAULT_COMPARE_OPTIONS, noiseBand: 0.1 });
    expect(r.environmentNotes).toEqual(['OS differs (Linux 6.8.0 x64 vs Darwin 23.1 arm64)']);
    expect(r.phases.map((p) => [p.scenario, p.phase, p.op, p.errors, p.trials])).toEqual([['s', 'calls', 'llm.call', { baseline: 3, current: 5 }, { baseline: 1, current: 1 }]]);
  });

  it('a scenario named twice in one result: the first is the one compared', () => {
    const twice = (first: number, second: number) => runResult([scen([phase({ p50: first })]), scen([phase({ p50: second })])]);
    const c = compare(twice(4, 100), twice(4, 1));
    expect(c.phases).toHaveLength(1);
    expect(stat(c, 'p50')).toMatchObject({ baseline: 4, current: 4, verdict: 'no change' });
  });
});

describe('environments that differ', () => {
  it('another Node major is a blocking difference, not noted again among the minor ones', () => {
    const other = { ...ENV, node: 'v22.1.0', cores: 8 };
    expect(minorDifferences(ENV, other)).toEqual(['cores differs (2 vs 8)']);
    expect(blockingDifferences(ENV, other)).toEqual(['Node.js major version differs (v20.20.2 vs v22.1.0)']);
    const c = compare(one({ p50: 4 }), one({ p50: 4 }, { node: 'v22.1.0' }));
    expect(c.environmentNotes).toEqual([]);
  });
});

describe('capacity on both sides', () => {
  const cap = (capacity: number, lower: number, upper: number): CapacityResult => ({
    phase: 'calls',
    op: 'llm.call',
    slos: [],
    settings: { startRate: 50, maxRate: 1e6, minRate: 1, stepDurationMs: 3000, warmupMs: 1000, precision: 0.05, repeat: 2, maxSteps: 30 },
    steps: [],
    verdict: 'found',
    capacity,
    interval: { lower, upper },
    summary: `capacity ${capacity}/s`,
  });
  const withCapacity = (c: CapacityResult | undefined): RunResult => runResult([{ ...scen([phase()]), ...(c ? { capacity: c } : {}) }]);

  it('a capacity that fell beyond --max-regression fails the comparison, though every latency held', () => {
    const c = compare(withCapacity(cap(412, 405, 420)), withCapacity(cap(365, 360, 372)));
    expect(c.regressions).toEqual([]);
    expect(c.capacity?.map((x) => [x.scenario, x.verdict, x.regression, x.text])).toEqual([
      ['s', 'lower', true, 'capacity fell from 412 to 365 req/s (-11.4%): a regression beyond 10%'],
    ]);
    expect(c.passed).toBe(false);
  });

  it('a capacity within --max-regression is reported and passes; runs without a capacity report none', () => {
    const c = compare(withCapacity(cap(412, 405, 420)), withCapacity(cap(385, 378, 392)));
    expect(c.capacity?.map((x) => [x.verdict, x.regression])).toEqual([['lower', false]]);
    expect(c.passed).toBe(true);
    expect('capacity' in compare(withCapacity(undefined), withCapacity(undefined))).toBe(false);
    expect('capacity' in compare(withCapacity(cap(412, 405, 420)), withCapacity(undefined))).toBe(false);
  });
});

describe('helpers', () => {
  it('nodeMajor reads the leading major only', () => {
    expect(nodeMajor('node v20')).toBeUndefined();
    expect(nodeMajor('v8.1')).toBe(8);
  });

  it('effective sample size: a duration that is not a number gives no time limit', () => {
    const p = phase({ durationMs: Number.NaN });
    expect(effectiveSampleSize(p)).toBe(1000);
    // Without blocks (blockMs 0) a phase of no measurable duration is not limited either.
    expect(effectiveSampleSize(phase({ durationMs: 0 }), 0)).toBe(1000);
  });

  it('a histogram that cannot be decoded is bad input, naming the cause', () => {
    let caught: unknown;
    try {
      openHdrHistogram('not a histogram');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect(userErrorExitCode(caught)).toBe(2);
    expect((caught as InputError).message).toMatch(/^a latency histogram in the result cannot be decoded \(.+\): is the file damaged\?$/);
  });

  it('an opened histogram answers quantiles until destroyed', () => {
    const h = openHdrHistogram(latencyOf([1000, 2000, 3000]));
    expect(h.quantile(0)).toBeGreaterThan(0);
    expect(h.quantile(2)).toBe(h.quantile(1));
    h.destroy();
    expect(() => h.quantile(0.5)).toThrow(/after destroy/);
  });
});

function latencyOf(values: number[]): string {
  const r = new LatencyRecorder();
  try {
    for (const v of values) r.record(v);
    return r.summarize().histogram;
  } finally {
    r.destroy();
  }
}

describe('different workloads are noted, in words', () => {
  const DS = { path: '/data/convos/chats.jsonl', lines: 12, records: 10, bytes: 999, sha256: 'abcdef0123456789ffff', order: 'sequential' as const };
  const dataset = (sha256 = DS.sha256, order: 'sequential' | 'shuffle' = 'sequential'): PhaseResult['workload'] => ({
    source: 'dataset',
    fingerprint: `dataset:sha256:${sha256}:${order}`,
    dataset: { ...DS, sha256, order },
    sessions: 4,
    popularity: 'even',
    historyLimit: 10,
  });
  const synthetic = (turns: string): PhaseResult['workload'] => ({
    source: 'synthetic',
    fingerprint: `synthetic:promptTokens=100,turns=${turns}`,
    synthetic: { promptTokens: '100', turns },
    sessions: 4,
    popularity: 'even',
    historyLimit: 10,
  });
  const TRACE = { path: 'C:\\traces\\prod.jsonl', lines: 60, arrivals: 50, sha256: '0123456789abcdef0000', speed: 4, spanMs: 1960 };
  const sched = (arrivals?: NonNullable<PhaseResult['schedule']>['arrivals']): PhaseResult['schedule'] => ({ late: 0, dropped: 0, maxLateNs: 0, ...(arrivals ? { arrivals } : {}) });

  it('says what each side offered: the prompt, a dataset by name, size, hash and order, synthetic distributions', () => {
    expect(describeOffered(phase())).toEqual({ workload: 'the same prompt every time', arrivals: 'evenly spaced arrivals' });
    expect(describeOffered(phase({ workload: dataset() })).workload).toBe('dataset chats.jsonl (10 conversations, sha256 abcdef012345, sequential)');
    expect(describeOffered(phase({ workload: synthetic('3') })).workload).toBe('synthetic promptTokens 100, turns 3');
    // A dataset whose details were not recorded: its fingerprint.
    const bare = { source: 'dataset', fingerprint: 'dataset:sha256:unknown:shuffle', sessions: 1, popularity: 'even', historyLimit: 0 } as const;
    expect(describeOffered(phase({ workload: bare })).workload).toBe('a dataset (dataset:sha256:unknown:shuffle)');
  });

  it('says how arrivals came: evenly, Poisson (with its burst), or a trace by name, size, hash and speed', () => {
    expect(describeOffered(phase({ schedule: sched({ pattern: 'constant', scheduled: 5 }) })).arrivals).toBe('evenly spaced arrivals');
    expect(describeOffered(phase({ schedule: sched({ pattern: 'poisson', scheduled: 5 }) })).arrivals).toBe('Poisson arrivals');
    expect(describeOffered(phase({ schedule: sched({ pattern: 'poisson', scheduled: 5, burst: 4 }) })).arrivals).toBe('Poisson arrivals (burst 4)');
    expect(describeOffered(phase({ schedule: sched({ pattern: 'trace', scheduled: 50, trace: TRACE }) })).arrivals).toBe(
      'trace prod.jsonl (50 arrivals, sha256 0123456789ab) at 4x',
    );
    // A trace whose details were not recorded (a hand-written result) is still named plainly.
    expect(describeOffered(phase({ schedule: sched({ pattern: 'trace', scheduled: 50 }) })).arrivals).toBe('trace arrivals');
  });

  it('the same workload and arrivals: nothing to note', () => {
    expect(workloadDifference(phase(), phase())).toBeUndefined();
    expect(workloadDifference(phase({ workload: dataset() }), phase({ workload: dataset() }))).toBeUndefined();
    const poisson = sched({ pattern: 'poisson', scheduled: 5, burst: 2 });
    expect(workloadDifference(phase({ schedule: poisson }), phase({ schedule: poisson }))).toBeUndefined();
    // Constant arrivals written out or left implicit are the same arrivals, either way round.
    expect(workloadDifference(phase({ schedule: sched() }), phase({ schedule: sched({ pattern: 'constant', scheduled: 9 }) }))).toBeUndefined();
    expect(workloadDifference(phase({ schedule: sched({ pattern: 'constant', scheduled: 9 }) }), phase({ schedule: sched() }))).toBeUndefined();
    // And an implicit schedule against a Poisson one, either way round, is a difference.
    expect(workloadDifference(phase({ schedule: poisson }), phase({ schedule: sched() }))).toBe('Poisson arrivals (burst 2) vs evenly spaced arrivals');
    const trace = sched({ pattern: 'trace', scheduled: 50, trace: TRACE });
    expect(workloadDifference(phase({ schedule: trace }), phase({ schedule: sched() }))).toBe('trace prod.jsonl (50 arrivals, sha256 0123456789ab) at 4x vs evenly spaced arrivals');
  });

  it('another dataset, order or distribution; another pattern, burst, trace or speed: each is a difference', () => {
    expect(workloadDifference(phase({ workload: dataset() }), phase({ workload: dataset('9999999999999999') }))).toBe(
      'dataset chats.jsonl (10 conversations, sha256 abcdef012345, sequential) vs dataset chats.jsonl (10 conversations, sha256 999999999999, sequential)',
    );
    expect(workloadDifference(phase({ workload: dataset() }), phase({ workload: dataset(DS.sha256, 'shuffle') }))).toContain('sequential) vs dataset chats.jsonl');
    expect(workloadDifference(phase(), phase({ workload: synthetic('2') }))).toBe('the same prompt every time vs synthetic promptTokens 100, turns 2');
    expect(workloadDifference(phase({ workload: synthetic('2') }), phase({ workload: synthetic('3') }))).toBe('synthetic promptTokens 100, turns 2 vs synthetic promptTokens 100, turns 3');
    const poisson = (burst?: number) => sched({ pattern: 'poisson', scheduled: 5, ...(burst !== undefined ? { burst } : {}) });
    const trace = (over: Partial<typeof TRACE>) => sched({ pattern: 'trace', scheduled: 50, trace: { ...TRACE, ...over } });
    expect(workloadDifference(phase({ schedule: sched() }), phase({ schedule: poisson() }))).toBe('evenly spaced arrivals vs Poisson arrivals');
    expect(workloadDifference(phase({ schedule: poisson() }), phase({ schedule: poisson(3) }))).toBe('Poisson arrivals vs Poisson arrivals (burst 3)');
    // burst 1 is Poisson itself.
    expect(workloadDifference(phase({ schedule: poisson() }), phase({ schedule: poisson(1) }))).toBeUndefined();
    expect(workloadDifference(phase({ schedule: trace({}) }), phase({ schedule: trace({ sha256: 'ffffffffffff0000' }) }))).toBe(
      'trace prod.jsonl (50 arrivals, sha256 0123456789ab) at 4x vs trace prod.jsonl (50 arrivals, sha256 ffffffffffff) at 4x',
    );
    expect(workloadDifference(phase({ schedule: trace({}) }), phase({ schedule: trace({ speed: 2 }) }))).toBe(
      'trace prod.jsonl (50 arrivals, sha256 0123456789ab) at 4x vs trace prod.jsonl (50 arrivals, sha256 0123456789ab) at 2x',
    );
    // Both differ: both said, workload first.
    expect(workloadDifference(phase({ workload: synthetic('2'), schedule: sched() }), phase({ schedule: poisson() }))).toBe(
      'synthetic promptTokens 100, turns 2 vs the same prompt every time; evenly spaced arrivals vs Poisson arrivals',
    );
  });

  it('a closed phase has no arrivals: against an open one only the workload counts', () => {
    expect(workloadDifference(phase(), phase({ schedule: sched({ pattern: 'poisson', scheduled: 5 }) }))).toBeUndefined();
    expect(workloadDifference(phase({ schedule: sched({ pattern: 'poisson', scheduled: 5 }) }), phase())).toBeUndefined();
  });

  it('compare notes the phase, and only a phase that differs', () => {
    const b = runResult([scen([phase({ name: 'a' }), phase({ name: 'b', workload: synthetic('2') })])]);
    const same = compare(b, b);
    expect('workloadNotes' in same).toBe(false);
    const c = compare(b, runResult([scen([phase({ name: 'a' }), phase({ name: 'b', workload: synthetic('3') })])]));
    expect(c.workloadNotes).toEqual(['s › b: different workloads: synthetic promptTokens 100, turns 2 vs synthetic promptTokens 100, turns 3']);
  });
});
