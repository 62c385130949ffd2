/**
 * Every optional figure a merged phase carries, one behaviour at a time: a figure dropped or
 * miscombined in a merge is a wrong figure a user would trust. The parts are real phase
 * results (real HDR histograms, test/compare/synthetic.ts) with the figures set as the runner
 * writes them; each test states what the merged phase must show.
 */
import { describe, expect, it } from 'vitest';
import { summaryOf } from '../helpers/summary.js';
import { rescale } from '../../src/metrics/value-summary.js';
import { mergeLatency, mergePhases, mergeScenarioParts, unionMs } from '../../src/results/merge.js';
import type { IntervalSample, PhaseResult, TokenFigures } from '../../src/results/types.js';
import { phaseResult, scenario } from '../compare/synthetic.js';


/** A phase of `count` operations (~2 ms each) that ran in `window` (epoch ms). */
function part(seed: number, count: number, window?: [number, number]): PhaseResult {
  const p = phaseResult({ name: 'load', medianMs: 2, seed, count });
  return window === undefined ? { ...p, durationMs: 1_000 } : { ...p, durationMs: window[1] - window[0], window: { startMs: window[0], endMs: window[1] } };
}

/** A phase that ran no operation (its share of the capacity was 0). */
function idle(window: [number, number]): PhaseResult {
  return { ...part(1, 0, window), latency: summaryOf([]) };
}

describe('mergeLatency: edges', () => {
  it('refuses to merge nothing', () => {
    expect(() => mergeLatency([])).toThrow('mergeLatency: nothing to merge');
  });

  it('parts that recorded nothing merge into an empty distribution, not min Infinity / max -Infinity', () => {
    const m = mergeLatency([summaryOf([]), summaryOf([])]);
    expect(m.count).toBe(0);
    expect([m.min, m.max]).toEqual([summaryOf([]).min, summaryOf([]).max]);
    expect(Number.isFinite(m.min) && Number.isFinite(m.max)).toBe(true);
  });
});

describe('unionMs: edges', () => {
  it.each<[string, Array<[number, number]>, number]>([
    ['windows given out of order', [[20, 25], [5, 10], [0, 3]], 13],
    ['a gap between windows that do not start at 0', [[5, 10], [20, 25]], 10],
    ['an inverted window (end before start) is ignored', [[0, 10], [12, 11]], 10],
    ['one window that does not start at 0', [[100, 150]], 50],
  ])('%s', (_name, windows, expected) => {
    expect(unionMs(windows.map(([startMs, endMs]) => ({ startMs, endMs })))).toBe(expected);
  });
});

describe('mergePhases: the whole phase', () => {
  it('refuses to merge nothing', () => {
    expect(() => mergePhases([], 'concurrent')).toThrow('mergePhases: nothing to merge');
  });

  it('one part is the phase itself, every figure kept (a single shard or thread)', () => {
    const p: PhaseResult = {
      ...part(1, 100, [0, 1_000]),
      heapAfterGc: 123,
      health: { eventLoopP99Ns: 1e6, eventLoopMaxNs: 2e6, warnings: ['loop delay 1 ms', 'loop delay 2 ms'] },
    };
    expect(mergePhases([p], 'concurrent')).toStrictEqual(p);
  });

  it('error rate over all operations; throughput and error rate are 0, not NaN, when nothing ran for no time', () => {
    const a = { ...part(1, 300, [0, 1_000]), errors: 3 };
    const b = { ...part(2, 100, [0, 1_000]), errors: 5 };
    expect(mergePhases([a, b], 'concurrent').errorRate).toBeCloseTo(8 / 400, 12);
    const m = mergePhases([idle([0, 0]), idle([0, 0])], 'concurrent');
    expect([m.count, m.durationMs, m.throughput, m.errorRate]).toEqual([0, 0, 0, 0]);
  });

  it('parts without windows (older results) ran side by side: the longest duration, and no merged window', () => {
    const a = { ...part(1, 300), durationMs: 1_000 };
    const b = { ...part(2, 300), durationMs: 1_500 };
    const m = mergePhases([a, b], 'concurrent');
    expect(m.durationMs).toBe(1_500);
    expect(m.throughput).toBeCloseTo(400, 9);
    expect(m).not.toHaveProperty('window');
  });

  it('trials: the window runs from the first trial\'s start to the last one\'s end', () => {
    const m = mergePhases([part(1, 10, [1_000, 2_000]), part(2, 10, [5_000, 5_500]), part(3, 10, [9_000, 9_800])], 'sequential');
    expect(m.window).toEqual({ startMs: 1_000, endMs: 9_800 });
    expect(m.durationMs).toBe(1_000 + 500 + 800);
  });

  it('batch-timed when any part was (its latencies are batch means)', () => {
    expect(mergePhases([part(1, 10, [0, 10]), { ...part(2, 10, [0, 10]), batchTimed: true }], 'concurrent').batchTimed).toBe(true);
    expect(mergePhases([part(1, 10, [0, 10]), part(2, 10, [0, 10])], 'concurrent').batchTimed).toBe(false);
  });

  it('clamped values add up; a merge with none clamped carries no clamped figure', () => {
    const m = mergePhases([{ ...part(1, 10, [0, 10]), clamped: 2 }, part(2, 10, [0, 10]), { ...part(3, 10, [0, 10]), clamped: 5 }], 'concurrent');
    expect(m.clamped).toBe(7);
    expect(mergePhases([part(1, 10, [0, 10]), part(2, 10, [0, 10])], 'concurrent')).not.toHaveProperty('clamped');
  });

  it('interrupted when any part was, whichever; not when none was', () => {
    const [a, b] = [part(1, 10, [0, 10]), part(2, 10, [0, 10])];
    expect(mergePhases([a, { ...b, interrupted: true }], 'concurrent').interrupted).toBe(true);
    expect(mergePhases([{ ...a, interrupted: true }, b], 'sequential').interrupted).toBe(true);
    expect(mergePhases([a, b], 'concurrent').interrupted).toBeUndefined();
    expect(mergePhases([{ ...a, interrupted: false }, b], 'concurrent').interrupted).toBe(false);
  });

  it('generator health of parts that ran together: the worst loop, one warning of each kind (figures aside)', () => {
    const warn = (ms: string): string => `event loop saturated (delay p99 ${ms} ms): the in-process providers and the load generator share one thread`;
    const a = { ...part(1, 10, [0, 10]), health: { eventLoopP99Ns: 12.5e6, eventLoopMaxNs: 30e6, warnings: [warn('12.5')] } };
    const b = { ...part(2, 10, [0, 10]), health: { eventLoopP99Ns: 8e6, eventLoopMaxNs: 40e6, warnings: [warn('8'), 'another kind'] } };
    expect(mergePhases([b, a], 'concurrent').health).toEqual({ eventLoopP99Ns: 12.5e6, eventLoopMaxNs: 40e6, warnings: [warn('12.5'), 'another kind'] });
    expect(mergePhases([part(1, 10, [0, 10]), part(2, 10, [0, 10])], 'concurrent')).not.toHaveProperty('health');
  });
});

describe('mergePhases: distributions and agent steps', () => {
  const withSteps = (seed: number, steps: Record<string, number[]>): PhaseResult => ({
    ...part(seed, 10, [0, 100]),
    steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, summaryOf(v)])),
  });

  it('each step kind is pooled over the parts; a kind some part lacks is dropped', () => {
    const m = mergePhases([withSteps(1, { llm: [1_000, 2_000], tool: [5] }), withSteps(2, { llm: [3_000] })], 'concurrent');
    expect(Object.keys(m.steps ?? {})).toEqual(['llm']);
    expect(m.steps?.['llm']).toEqual(mergeLatency([summaryOf([1_000, 2_000]), summaryOf([3_000])]));
    expect(m.steps?.['llm']?.count).toBe(3);
  });

  it('a part that recorded no steps at all: no step kind is pooled', () => {
    expect(mergePhases([withSteps(1, { llm: [1_000] }), part(2, 10, [0, 100])], 'concurrent').steps).toEqual({});
  });

  it('service time and TTFT are pooled when every measuring part has them', () => {
    const a = { ...part(1, 10, [0, 100]), serviceTime: summaryOf([10, 20]), ttft: summaryOf([100]) };
    const b = { ...part(2, 10, [0, 100]), serviceTime: summaryOf([30]), ttft: summaryOf([200, 300]) };
    const m = mergePhases([a, b], 'concurrent');
    expect(m.serviceTime?.count).toBe(3);
    expect(m.ttft?.count).toBe(3);
    expect(m.ttft?.max).toBe(300);
  });

  it('parts that all measured nothing merge without distributions (and without failing)', () => {
    const m = mergePhases([idle([0, 10]), idle([0, 10])], 'concurrent');
    expect(m.count).toBe(0);
    expect(m).not.toHaveProperty('ttft');
    expect(m).not.toHaveProperty('tokens');
  });
});

describe('mergePhases: the open-model schedule', () => {
  it('late and dropped starts add up, the worst lateness is the worst part\'s, scheduled arrivals add up', () => {
    const a = { ...part(1, 10, [0, 100]), schedule: { late: 3, dropped: 1, maxLateNs: 5e6, arrivals: { pattern: 'poisson' as const, scheduled: 60, burst: 2 } } };
    const b = { ...part(2, 10, [0, 100]), schedule: { late: 4, dropped: 2, maxLateNs: 9e6, arrivals: { pattern: 'poisson' as const, scheduled: 40, burst: 2 } } };
    expect(mergePhases([a, b], 'concurrent').schedule).toEqual({ late: 7, dropped: 3, maxLateNs: 9e6, arrivals: { pattern: 'poisson', scheduled: 100, burst: 2 } });
    const c = { ...part(3, 10, [0, 100]), schedule: { late: 0, dropped: 0, maxLateNs: 1e6 } };
    expect(mergePhases([a, c], 'concurrent').schedule).toEqual({ late: 3, dropped: 1, maxLateNs: 5e6, arrivals: { pattern: 'poisson', scheduled: 60, burst: 2 } });
    expect(mergePhases([c, { ...part(4, 10, [0, 100]), schedule: { late: 1, dropped: 0, maxLateNs: 2e6 } }], 'concurrent').schedule).toEqual({ late: 1, dropped: 0, maxLateNs: 2e6 });
  });

  it('a part without schedule figures (it ran no arrival): the schedule is the others\'', () => {
    const a = { ...part(1, 10, [0, 100]), schedule: { late: 3, dropped: 1, maxLateNs: 5e6, arrivals: { pattern: 'constant' as const, scheduled: 11 } } };
    expect(mergePhases([a, idle([0, 100])], 'concurrent').schedule).toEqual(a.schedule);
  });

  it('no part followed a schedule: no schedule', () => {
    expect(mergePhases([part(1, 10, [0, 100]), part(2, 10, [0, 100])], 'concurrent')).not.toHaveProperty('schedule');
  });
});

describe('mergePhases: goodput', () => {
  const good = (seed: number, count: number, n: number, window: [number, number]): PhaseResult => ({
    ...part(seed, count, window),
    goodput: { latencyNs: 5e6, good: n, fraction: n / count, rate: 0 },
  });

  it('good requests add up; fraction over all operations, rate over the merged phase time', () => {
    const m = mergePhases([good(1, 300, 270, [0, 2_000]), good(2, 100, 50, [0, 2_000])], 'concurrent');
    expect(m.goodput).toEqual({ latencyNs: 5e6, good: 320, fraction: 320 / 400, rate: 160 });
  });

  it('is dropped when some part did not measure it, whichever part that is', () => {
    expect(mergePhases([good(1, 300, 270, [0, 1_000]), part(2, 100, [0, 1_000])], 'concurrent')).not.toHaveProperty('goodput');
    expect(mergePhases([part(2, 100, [0, 1_000]), good(1, 300, 270, [0, 1_000])], 'concurrent')).not.toHaveProperty('goodput');
  });

  it('is 0 good of 0, at 0/s, when nothing ran for no time (not NaN)', () => {
    const zero = (): PhaseResult => ({ ...idle([0, 0]), goodput: { latencyNs: 5e6, good: 0, fraction: 0, rate: 0 } });
    expect(mergePhases([zero(), zero()], 'concurrent').goodput).toEqual({ latencyNs: 5e6, good: 0, fraction: 0, rate: 0 });
  });
});

describe('mergePhases: token figures', () => {
  const tokensOf = (output: number[], over: Partial<TokenFigures> = {}): TokenFigures => ({
    source: 'usage',
    operations: output.length,
    estimated: 0,
    prompt: rescale(summaryOf(output.map((o) => o * 3)), 'tokens', 1),
    output: rescale(summaryOf(output), 'tokens', 1),
    outputTotal: output.reduce((a, b) => a + b, 0),
    outputPerSecond: 0,
    outputPerSecondPerRequest: rescale(summaryOf(output.map((o) => o * 1000)), 'tokens/s', 1000),
    ...over,
  });
  const llm = (seed: number, tokens: TokenFigures, window: [number, number] = [0, 2_000]): PhaseResult => ({ ...part(seed, tokens.operations, window), tokens });

  it('counts add up, distributions pool, output tokens per second over the merged phase time', () => {
    const m = mergePhases([llm(1, tokensOf([10, 20, 30])), llm(2, tokensOf([40, 50], { estimated: 1, source: 'mixed' }))], 'concurrent');
    expect(m.tokens).toMatchObject({ source: 'mixed', operations: 5, estimated: 1, outputTotal: 150, outputPerSecond: 75 });
    expect(m.tokens?.output?.count).toBe(5);
    expect(m.tokens?.output?.max).toBe(50);
    expect(m.tokens?.prompt?.count).toBe(5);
    expect(m.tokens?.prompt?.max).toBe(150);
    expect(m.tokens?.outputPerSecondPerRequest).toMatchObject({ unit: 'tokens/s', scale: 1000, count: 5 });
    expect(m.tokens?.outputPerSecondPerRequest?.max).toBeCloseTo(50, 1);
  });

  it.each<[string, [number, number], TokenFigures['source']]>([
    ['every count from usage', [0, 0], 'usage'],
    ['every count estimated', [3, 2], 'estimate'],
    ['some estimated', [3, 0], 'mixed'],
  ])('source: %s', (_name, [e1, e2], source) => {
    const m = mergePhases([llm(1, tokensOf([10, 20, 30], { estimated: e1 })), llm(2, tokensOf([40, 50], { estimated: e2 }))], 'concurrent');
    expect(m.tokens?.source).toBe(source);
  });

  it('a distribution some part lacks is left out of the merged figures; the counts stay', () => {
    const { prompt: _p, outputPerSecondPerRequest: _r, ...bare } = tokensOf([40, 50]);
    const m = mergePhases([llm(1, tokensOf([10, 20, 30])), llm(2, bare)], 'concurrent');
    expect(m.tokens).not.toHaveProperty('prompt');
    expect(m.tokens).not.toHaveProperty('outputPerSecondPerRequest');
    expect(m.tokens?.output?.count).toBe(5);
    expect(m.tokens?.operations).toBe(5);
    const { output: _o, ...noOutput } = tokensOf([40, 50]);
    expect(mergePhases([llm(1, tokensOf([10, 20, 30])), llm(2, noOutput)], 'concurrent').tokens).not.toHaveProperty('output');
  });

  it('one part measured, the other idle: its counts, its rate over the whole phase time', () => {
    const m = mergePhases([llm(1, tokensOf([10, 20, 30]), [0, 4_000]), idle([0, 1])], 'concurrent');
    expect(m.tokens).toMatchObject({ operations: 3, outputTotal: 60, outputPerSecond: 15 });
  });

  it('no phase time: 0 tokens/s, not Infinity', () => {
    const m = mergePhases([llm(1, tokensOf([10]), [5, 5]), llm(2, tokensOf([20]), [5, 5])], 'concurrent');
    expect(m.tokens?.outputPerSecond).toBe(0);
    expect(mergePhases([llm(1, tokensOf([10]), [5, 5]), idle([5, 5])], 'concurrent').tokens?.outputPerSecond).toBe(0);
  });
});

describe('mergePhases: extras', () => {
  it('no part reported extras: the merged phase has none', () => {
    expect(mergePhases([part(1, 10, [0, 10]), part(2, 10, [0, 10])], 'concurrent')).not.toHaveProperty('extra');
  });

  it.each(['cacheHits', 'cacheMisses', 'cacheJoins', 'retries', 'httpRequests', 'poolWaits', 'sessionsExpired', 'conversations', 'sessionsOverCap', 'thinkWaits', 'datasetStalls'])(
    'results saved before extraTotals: the counter %s adds up over trials',
    (key) => {
      const m = mergePhases([{ ...part(1, 300, [0, 10]), extra: { [key]: 7 } }, { ...part(2, 100, [20, 30]), extra: { [key]: 5 } }], 'sequential');
      expect(m.extra).toEqual({ [key]: 12 });
      expect(m).not.toHaveProperty('extraTotals');
    },
  );

  it.each(['sessions', 'messagesStored', 'sessionsLeft', 'sessionsInMemory'])('state reading %s: summed over parts that ran together, a mean over trials', (key) => {
    const parts = (): PhaseResult[] => [
      { ...part(1, 300, [0, 10]), extra: { [key]: 40 } },
      { ...part(2, 100, [0, 10]), extra: { [key]: 20 } },
    ];
    expect(mergePhases(parts(), 'concurrent').extra).toEqual({ [key]: 60 });
    expect(mergePhases(parts(), 'sequential').extra).toEqual({ [key]: (40 * 300 + 20 * 100) / 400 });
  });

  it('the counters a result names in extraTotals add up, and the merged phase names them all', () => {
    const a = { ...part(1, 300, [0, 10]), extra: { gpuSwaps: 4, toolCalls: 2 }, extraTotals: ['gpuSwaps'] };
    const b = { ...part(2, 100, [20, 30]), extra: { gpuSwaps: 6, evictions: 1, toolCalls: 4 }, extraTotals: ['evictions'] };
    const m = mergePhases([a, b], 'sequential');
    expect(m.extra).toEqual({ gpuSwaps: 10, toolCalls: (2 * 300 + 4 * 100) / 400, evictions: 1 });
    expect(m.extraTotals).toEqual(['gpuSwaps', 'evictions']);
  });

  it('a per-operation figure only some parts report: its mean over those parts, weighted by their operations', () => {
    const a = { ...part(1, 300, [0, 10]), extra: { toolCallsPerExecution: 2 } };
    const b = { ...part(2, 100, [0, 10]), extra: { cacheHits: 3 } };
    const c = { ...part(3, 100, [0, 10]), extra: { toolCallsPerExecution: 4 } };
    expect(mergePhases([a, b, c], 'concurrent').extra).toEqual({ toolCallsPerExecution: (2 * 300 + 4 * 100) / 400, cacheHits: 3 });
  });
});

describe('mergePhases: trials timed differently', () => {
  const timed = (seed: number, mode: 'batch' | 'per-op'): PhaseResult => ({
    ...part(seed, 10, [seed * 100, seed * 100 + 50]),
    batchTimed: mode === 'batch',
    timing: { mode, batchSize: mode === 'batch' ? 64 : 1, basis: 'auto' },
  });
  const warning = (batched: number, single: number): string =>
    `trials were timed differently (${batched} batch-timed, ${single} per operation): the pooled latency mixes batch means with single operations; pin batch: in the scenario`;

  it('says so, with how many trials were timed each way, after the first trial\'s own warnings', () => {
    const first = { ...timed(1, 'batch'), health: { eventLoopP99Ns: 3, eventLoopMaxNs: 4, warnings: ['own warning'] } };
    const m = mergePhases([first, timed(2, 'per-op'), timed(3, 'per-op')], 'sequential');
    expect(m.health).toEqual({ eventLoopP99Ns: 3, eventLoopMaxNs: 4, warnings: ['own warning', warning(1, 2)] });
    expect(first.health.warnings).toEqual(['own warning']);
    expect(mergePhases([timed(1, 'per-op'), timed(2, 'batch'), timed(3, 'batch')], 'sequential').health).toEqual({ eventLoopP99Ns: 0, eventLoopMaxNs: 0, warnings: [warning(2, 1)] });
  });

  it('results without a timing block: batchTimed tells the mode', () => {
    const old = (seed: number, batchTimed: boolean): PhaseResult => ({ ...part(seed, 10, [0, 10]), batchTimed });
    expect(mergePhases([old(1, true), old(2, false)], 'sequential').health?.warnings).toEqual([warning(1, 1)]);
    expect(mergePhases([old(1, true), old(2, false), old(3, false)], 'sequential').health?.warnings).toEqual([warning(1, 2)]);
    expect(mergePhases([old(1, false), old(2, false)], 'sequential')).not.toHaveProperty('health');
  });

  it('trials all timed alike, or parts that ran together: no such warning', () => {
    expect(mergePhases([timed(1, 'batch'), timed(2, 'batch')], 'sequential')).not.toHaveProperty('health');
    expect(mergePhases([timed(1, 'per-op'), timed(2, 'per-op')], 'sequential')).not.toHaveProperty('health');
    expect(mergePhases([timed(1, 'batch'), timed(2, 'per-op')], 'concurrent')).not.toHaveProperty('health');
  });
});

describe('mergePhases: time series of parts that ran together', () => {
  const iv = (tMs: number, durationMs: number | undefined, count: number, more: Partial<IntervalSample> = {}): IntervalSample => ({
    tMs,
    ...(durationMs !== undefined ? { durationMs } : {}),
    count,
    errors: 0,
    throughput: durationMs ? (count * 1000) / durationMs : count,
    p50: 1,
    p99: 1,
    ...more,
  });
  const merged = (a: IntervalSample[], b: IntervalSample[]): IntervalSample[] | undefined =>
    mergePhases([{ ...part(1, 10, [0, 1_000]), intervals: a }, { ...part(2, 10, [0, 1_000]), intervals: b }], 'concurrent').intervals;

  it('a part without interval durations (an older result): merged by index', () => {
    expect(merged([iv(100, 100, 5), iv(200, 100, 5)], [iv(110, undefined, 7)])).toEqual([
      { tMs: 110, count: 12, errors: 0, throughput: 57, p50: 1, p99: 1 },
      { tMs: 200, count: 5, errors: 0, throughput: 50, p50: 1, p99: 1 },
    ]);
    expect(merged([iv(100, undefined, 5)], [iv(100, 100, 7)])?.[0]).not.toHaveProperty('durationMs');
  });

  it('any interval without a duration (a hand-edited or older file): merged by index, never on a grid of NaN', () => {
    expect(merged([iv(100, 100, 5), iv(200, undefined, 5)], [iv(100, 100, 7)])).toEqual([
      { tMs: 100, count: 12, errors: 0, throughput: 120, p50: 1, p99: 1 },
      { tMs: 200, count: 5, errors: 0, throughput: 5, p50: 1, p99: 1 },
    ]);
  });

  it('by index: the event-loop p99 of an interval is the worst part\'s', () => {
    const m = merged([iv(100, undefined, 5, { eventLoopP99: 3e6 })], [iv(100, undefined, 5, { eventLoopP99: 9e6 })]);
    expect(m?.[0]?.eventLoopP99).toBe(9e6);
  });

  it('on the grid: p50, p99 and event-loop p99 are the worst of the overlapping intervals; none when no part measured the loop', () => {
    const m = merged(
      [iv(100, 100, 5, { p50: 4, p99: 9, eventLoopP99: 2e6 }), iv(200, 100, 5, { p50: 1, p99: 2 })],
      [iv(100, 100, 5, { p50: 3, p99: 7, eventLoopP99: 5e6 }), iv(200, 100, 5, { p50: 6, p99: 8 })],
    );
    expect(m?.map((x) => [x.p50, x.p99, x.eventLoopP99])).toEqual([
      [4, 9, 5e6],
      [6, 8, undefined],
    ]);
    expect(m?.[1]).not.toHaveProperty('eventLoopP99');
  });

  it('on a tie in the number of intervals, the first part\'s boundaries are the grid', () => {
    const m = merged([iv(100, 100, 10), iv(200, 100, 10)], [iv(150, 150, 30), iv(200, 50, 10)]);
    expect(m?.map((x) => [x.tMs, x.durationMs])).toEqual([
      [100, 100],
      [200, 100],
    ]);
    expect(m?.map((x) => x.count)).toEqual([10 + 20, 10 + 20]);
  });

  it('an interval beyond the grid\'s end goes whole to the last grid interval', () => {
    const m = merged([iv(100, 100, 1), iv(200, 100, 1), iv(300, 100, 1)], [iv(300, 300, 3), iv(400, 100, 8)]);
    expect(m?.map((x) => x.count)).toEqual([2, 2, 2 + 8]);
  });

  it('an interval in a gap of the grid goes whole to the grid interval whose middle is nearest, the earlier one on a tie', () => {
    // Grid [0,100] [100,200] [400,500]: [200,300] (middle 250) is nearest [100,200] (middle 150).
    const gap = [iv(100, 100, 1), iv(200, 100, 1), iv(500, 100, 1)];
    expect(merged(gap, [iv(300, 100, 8)])?.map((x) => x.count)).toEqual([1, 9, 1]);
    // [300,400] (middle 350) is nearest [400,500] (middle 450).
    expect(merged(gap, [iv(400, 100, 8)])?.map((x) => x.count)).toEqual([1, 1, 9]);
    // Grid [0,100] [100,200] [300,400]: [200,300] (middle 250) is as near 150 as 350: the earlier.
    expect(merged([iv(100, 100, 1), iv(200, 100, 1), iv(400, 100, 1)], [iv(300, 100, 8)])?.map((x) => x.count)).toEqual([1, 9, 1]);
  });

  it('an interval of no length on the grid has throughput 0, not Infinity', () => {
    const m = merged([iv(100, 100, 4), iv(100, 0, 0)], [iv(100, 100, 6)]);
    expect(m?.map((x) => [x.count, x.throughput])).toEqual([
      [10, 100],
      [0, 0],
    ]);
  });

  it('parts that recorded no interval: no intervals and no leak or drift verdict', () => {
    const m = mergePhases([{ ...part(1, 10, [0, 100]), intervals: [] }, { ...part(2, 10, [0, 100]), intervals: [] }], 'concurrent');
    expect(m.intervals).toEqual([]);
    expect(m).not.toHaveProperty('leak');
    expect(m).not.toHaveProperty('drift');
  });

  it('trials keep the first trial\'s series (a fresh process each)', () => {
    const a = { ...part(1, 10, [0, 100]), intervals: [iv(100, 100, 10)] };
    const b = { ...part(2, 10, [200, 300]), intervals: [iv(100, 100, 99)] };
    expect(mergePhases([a, b], 'sequential').intervals).toEqual(a.intervals);
  });
});

describe('mergeScenarioParts: the scenario around the phases', () => {
  const s = (durationMs: number, failure?: string) => ({
    ...scenario('s', [part(1, 10, [0, 10])]),
    durationMs,
    memory: [{ label: 'after', heapUsed: 1, rss: 2 }] as never,
    targets: [{ source: 'old verdict' }] as never,
    ...(failure !== undefined ? { failure } : {}),
  });

  it('refuses to merge nothing', () => {
    expect(() => mergeScenarioParts([], { mode: 'concurrent', label: String })).toThrow('mergeScenarioParts: nothing to merge');
  });

  it('trials: durations add up, the first trial\'s memory readings are kept, verdicts are left to be judged again', () => {
    const m = mergeScenarioParts([s(1_000), s(2_500)], { mode: 'sequential', label: (i) => `trial ${i + 1}` });
    expect(m.durationMs).toBe(3_500);
    expect(m.memory).toEqual(s(0).memory);
    expect(m.targets).toEqual([]);
    expect(m).not.toHaveProperty('failure');
  });

  it('parts that ran together: the longest duration, no memory readings (separate heaps), every failing part named', () => {
    const m = mergeScenarioParts([s(1_000), s(2_500, 'boom'), s(1_500, 'bang')], { mode: 'concurrent', label: (i) => `shard ${i}` });
    expect(m.durationMs).toBe(2_500);
    expect(m.memory).toEqual([]);
    expect(m.targets).toEqual([]);
    expect(m.failure).toBe('shard 1: boom; shard 2: bang');
  });
});
