import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summaryOf } from '../helpers/summary.js';
import { mergeLatency, mergePhases, mergeScenarioParts, unionMs } from '../../src/results/merge.js';
import { rescale } from '../../src/metrics/value-summary.js';
import type { PhaseResult } from '../../src/results/types.js';
import { phaseResult, scenario } from '../compare/synthetic.js';


/** A recording with a long tail, like real latencies: most values small, a few huge. */
function recording(n: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = (x >>> 0) / 2 ** 32;
    out.push(Math.max(1, Math.round(1_000 * Math.exp(u * u * 16))));
  }
  return out;
}

describe('mergeLatency: the exact merge', () => {
  it('a recording split into parts merges into the encoding of one histogram holding every value', () => {
    const values = recording(200_000, 7);
    const whole = summaryOf(values);
    // Round-robin, as worker threads stripe operations, and in uneven blocks, as shards may end.
    const striped = [0, 1, 2, 3].map((s) => summaryOf(values.filter((_, i) => i % 4 === s)));
    const blocks = [summaryOf(values.slice(0, 1_000)), summaryOf(values.slice(1_000, 150_000)), summaryOf(values.slice(150_000))];
    for (const parts of [striped, blocks]) {
      const merged = mergeLatency(parts);
      expect(merged.histogram).toBe(whole.histogram);
      expect(merged).toEqual(whole);
    }
  });

  it('holds for any split of any recording (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3_600_000_000_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (values, parts, salt) => {
          const buckets: number[][] = Array.from({ length: parts }, () => []);
          values.forEach((v, i) => buckets[(i * 7 + salt) % parts]!.push(v));
          const merged = mergeLatency(buckets.map(summaryOf));
          const whole = summaryOf(values);
          expect(merged.histogram).toBe(whole.histogram);
          expect([merged.count, merged.min, merged.max, merged.p99]).toEqual([whole.count, whole.min, whole.max, whole.p99]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps exact min and max, which decoding alone would widen to bucket bounds', () => {
    const merged = mergeLatency([summaryOf([442_405, 10_000]), summaryOf([5_000_001])]);
    expect(merged.min).toBe(10_000);
    expect(merged.max).toBe(5_000_001);
  });

  it('an empty part changes nothing', () => {
    const a = summaryOf([5, 6, 7]);
    expect(mergeLatency([a, summaryOf([])])).toEqual(a);
  });
});

describe('unionMs', () => {
  it.each<[string, Array<[number, number]>, number]>([
    ['side by side', [[0, 10], [0, 10]], 10],
    ['overlapping', [[0, 10], [5, 12]], 12],
    ['with a gap', [[0, 10], [20, 25]], 15],
    ['nested', [[0, 100], [10, 20], [30, 40]], 100],
    ['none', [], 0],
  ])('%s', (_name, windows, expected) => {
    expect(unionMs(windows.map(([startMs, endMs]) => ({ startMs, endMs })))).toBe(expected);
  });
});

describe('mergePhases', () => {
  const part = (seed: number, count: number, window: [number, number]): PhaseResult => ({
    ...phaseResult({ name: 'load', medianMs: 2, seed, count }),
    window: { startMs: window[0], endMs: window[1] },
    errors: seed,
    errorsByKind: { timeout: seed },
    extra: { cacheHits: 10, sessions: 50, toolCallsPerExecution: seed },
    health: { eventLoopP99Ns: seed * 1e6, eventLoopMaxNs: seed * 2e6, warnings: [`w${seed % 2}`, `loop delay ${seed} ms`] },
    heapAfterGc: 123,
  });

  it('concurrent parts: counts add up, throughput is all operations over the union of windows', () => {
    const a = part(1, 3000, [1_000, 11_000]);
    const b = part(2, 1000, [1_200, 10_000]);
    const m = mergePhases([a, b], 'concurrent');
    expect(m.count).toBe(4000);
    expect(m.latency.count).toBe(4000);
    expect(m.errors).toBe(3);
    expect(m.errorsByKind).toEqual({ timeout: 3 });
    expect(m.durationMs).toBe(10_000);
    expect(m.throughput).toBeCloseTo(400, 9);
    expect(m.window).toEqual({ startMs: 1_000, endMs: 11_000 });
    // Each part held its own providers: their state adds up; per-operation figures are weighted.
    expect(m.extra).toEqual({ cacheHits: 20, sessions: 100, toolCallsPerExecution: (1 * 3000 + 2 * 1000) / 4000 });
    // One warning of each kind, from the part whose loop fared worst.
    expect(m.health).toEqual({ eventLoopP99Ns: 2e6, eventLoopMaxNs: 4e6, warnings: ['w0', 'loop delay 2 ms'] });
    // Heaps of separate isolates do not add up.
    expect(m.heapAfterGc).toBeUndefined();
  });

  it('workload figures: conversations and waits add up, sessions held add up, per-turn figures are weighted', () => {
    // As src/workload/ops.ts reports them, for two threads that each ran their share.
    const a = { ...part(1, 300, [0, 1_000]), extra: { conversations: 20, turnsPerConversation: 15, sessionsInMemory: 20, thinkWaits: 280, thinkWaitMsPerWait: 2, sessionsOverCap: 1, datasetStalls: 2 } };
    const b = { ...part(2, 100, [0, 1_000]), extra: { conversations: 20, turnsPerConversation: 5, sessionsInMemory: 20, thinkWaits: 80, thinkWaitMsPerWait: 4, datasetStalls: 1 } };
    const m = mergePhases([a, b], 'concurrent');
    expect(m.extra).toEqual({
      conversations: 40,
      turnsPerConversation: (15 * 300 + 5 * 100) / 400,
      sessionsInMemory: 40,
      thinkWaits: 360,
      thinkWaitMsPerWait: (2 * 300 + 4 * 100) / 400,
      sessionsOverCap: 1,
      datasetStalls: 3,
    });
  });

  it('sequential parts (trials): durations add up, state figures are a mean', () => {
    const a = part(1, 3000, [1_000, 11_000]);
    const b = part(2, 1000, [20_000, 25_000]);
    const m = mergePhases([a, b], 'sequential');
    expect(m.durationMs).toBeCloseTo(a.durationMs + b.durationMs, 9);
    expect(m.extra?.['sessions']).toBe(50);
    expect(m.heapAfterGc).toBe(123);
  });

  it('concurrent time series: counts add interval by interval, p99 is a bound, no heap', () => {
    const a = part(1, 10, [0, 20_000]);
    const b = part(2, 10, [0, 20_000]);
    a.intervals = [
      { tMs: 10_000, count: 5, errors: 0, throughput: 0.5, p50: 1, p99: 9, heapUsed: 1, eventLoopP99: 3 },
      { tMs: 20_000, count: 5, errors: 1, throughput: 0.5, p50: 2, p99: 4 },
    ];
    b.intervals = [{ tMs: 10_010, count: 7, errors: 2, throughput: 0.7, p50: 3, p99: 5, heapUsed: 2 }];
    const m = mergePhases([a, b], 'concurrent');
    expect(m.intervals).toEqual([
      { tMs: 10_010, count: 12, errors: 2, throughput: 1.2, p50: 3, p99: 9, eventLoopP99: 3 },
      { tMs: 20_000, count: 5, errors: 1, throughput: 0.5, p50: 2, p99: 4 },
    ]);
    expect(m.leak?.verdict).toBe('insufficient data');
  });

  it('concurrent time series with durations: merged on one time grid, not by index', () => {
    // Two threads close their intervals when their own tickers notice the boundary: a every
    // 300 ms, b at 200, 500, 800 and 900 ms. By index, a's 600-900 ms would be added to b's
    // 500-800 ms. On b's grid (the most intervals), each of a's is spread by overlap.
    const a = part(1, 90, [0, 900]);
    const b = part(2, 90, [0, 900]);
    const iv = (tMs: number, durationMs: number, count: number, p99: number) => ({ tMs, durationMs, count, errors: 0, throughput: (count * 1000) / durationMs, p50: 1, p99 });
    a.intervals = [iv(300, 300, 30, 5), iv(600, 300, 30, 6), iv(900, 300, 30, 7)];
    b.intervals = [iv(200, 200, 20, 1), iv(500, 300, 30, 2), iv(800, 300, 30, 3), iv(900, 100, 10, 4)];
    const m = mergePhases([a, b], 'concurrent');
    expect(m.intervals?.map((x) => [x.tMs, x.durationMs, x.count, x.p99])).toEqual([
      [200, 200, 20 + 20, 5],
      [500, 300, 30 + 10 + 20, 6],
      [800, 300, 30 + 10 + 20, 7],
      [900, 100, 10 + 10, 7],
    ]);
    expect(m.intervals?.reduce((s, x) => s + x.count, 0)).toBe(180);
    expect(m.intervals?.[1]?.throughput).toBeCloseTo(200, 9);
  });

  it('concurrent time series: counts stay whole and add up when overlaps split them unevenly', () => {
    const a = part(1, 10, [0, 1_000]);
    const b = part(2, 10, [0, 1_000]);
    a.intervals = [{ tMs: 1_000, durationMs: 1_000, count: 7, errors: 1, throughput: 7, p50: 1, p99: 1 }];
    b.intervals = [
      { tMs: 333, durationMs: 333, count: 1, errors: 0, throughput: 3, p50: 1, p99: 1 },
      { tMs: 667, durationMs: 334, count: 1, errors: 0, throughput: 3, p50: 1, p99: 1 },
      { tMs: 1_000, durationMs: 333, count: 1, errors: 0, throughput: 3, p50: 1, p99: 1 },
    ];
    const m = mergePhases([a, b], 'concurrent');
    const counts = m.intervals?.map((x) => x.count) ?? [];
    expect(counts.every((c) => Number.isInteger(c))).toBe(true);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(10);
    expect(m.intervals?.reduce((s, x) => s + x.errors, 0)).toBe(1);
  });
});

describe('mergePhases: a part that measured nothing', () => {
  // A phase whose capacity is below the part count (concurrency 1 on 2 threads, maxInFlight 1
  // on 2 shards) leaves some parts idle: they ran no operation, so they have no TTFT and no
  // token figures. That is not "this part lacks the figure": the merge must keep the others'.
  const busy = (): PhaseResult => {
    const p = phaseResult({ name: 'load', medianMs: 2, seed: 1, count: 50 });
    const out = rescale(summaryOf(Array.from({ length: 50 }, (_, i) => 30 + (i % 5))), 'tokens', 1);
    return {
      ...p,
      ttft: summaryOf(Array.from({ length: 50 }, (_, i) => 1e6 + i * 1e4)),
      tokens: { source: 'usage', operations: 50, estimated: 0, output: out, outputTotal: 1_600, outputPerSecond: 0 },
      window: { startMs: 0, endMs: 1_000 },
    };
  };
  const idle = (): PhaseResult => {
    const { ttft: _t, tokens: _k, ...p } = busy();
    return { ...p, count: 0, errors: 0, latency: summaryOf([]), window: { startMs: 0, endMs: 1 } };
  };

  it('is left out of the distributions and token figures instead of dropping them', () => {
    const a = busy();
    const m = mergePhases([a, idle()], 'concurrent');
    expect(m.count).toBe(50);
    expect(m.ttft?.histogram).toBe(a.ttft?.histogram);
    expect(m.tokens?.operations).toBe(50);
    expect(m.tokens?.outputTotal).toBe(1_600);
    expect(m.tokens?.output?.count).toBe(50);
    expect(m.tokens?.outputPerSecond).toBeCloseTo(1_600 / (m.durationMs / 1000), 9);
  });

  it('a part that did run operations but lacks a figure still drops it (one part alone would misread as the whole)', () => {
    const { ttft: _t, tokens: _k, ...lacking } = busy();
    const m = mergePhases([busy(), lacking], 'concurrent');
    expect(m.ttft).toBeUndefined();
    expect(m.tokens).toBeUndefined();
  });
});

describe('mergeScenarioParts', () => {
  it('names failing parts and merges phases only some parts reached', () => {
    const a = scenario('s', [phaseResult({ name: 'x', medianMs: 1, seed: 1, count: 10 }), phaseResult({ name: 'y', medianMs: 1, seed: 2, count: 5 })]);
    const b = { ...scenario('s', [phaseResult({ name: 'x', medianMs: 1, seed: 3, count: 20 })]), failure: 'boom' };
    const m = mergeScenarioParts([a, b], { mode: 'concurrent', label: (i) => `worker ${i + 1}` });
    expect(m.phases.map((p) => [p.name, p.count])).toEqual([
      ['x', 30],
      ['y', 5],
    ]);
    expect(m.failure).toBe('worker 2: boom');
    expect(m.memory).toEqual([]);
  });
});
