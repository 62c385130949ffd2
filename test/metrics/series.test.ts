import { describe, expect, it } from 'vitest';
import { compactSeries, driftVerdict, leakVerdict, linearFit } from '../../src/metrics/series.js';
import type { IntervalSample } from '../../src/results/types.js';

const MB = 1024 * 1024;

/** A 10-minute series at 10 s intervals with the given heap and p99 curves. */
function series(heap: (tMin: number) => number, p99: (tMin: number) => number, count = 500): IntervalSample[] {
  return Array.from({ length: 60 }, (_, k) => {
    const tMs = (k + 1) * 10_000;
    return { tMs, durationMs: 10_000, count, errors: 0, throughput: count / 10, p50: p99(tMs / 60_000) / 2, p99: p99(tMs / 60_000), heapUsed: heap(tMs / 60_000), eventLoopP99: 1e6 };
  });
}

/** Deterministic jitter, so the tests never flake. */
const jitter = (t: number, amplitude: number): number => amplitude * Math.sin(t * 7.3);

describe('linearFit', () => {
  it.each([
    [[0, 1, 2, 3], [1, 3, 5, 7], 2, 1, 1],
    [[0, 1, 2], [5, 5, 5], 0, 5, 1],
    [[1], [4], 0, 4, 0],
  ])('fits %j -> %j', (xs, ys, slope, intercept, r2) => {
    const f = linearFit(xs, ys);
    expect(f.slope).toBeCloseTo(slope, 9);
    expect(f.intercept).toBeCloseTo(intercept, 9);
    expect(f.r2).toBeCloseTo(r2, 9);
  });
});

describe('leakVerdict', () => {
  it('steady growth all run long is a leak', () => {
    const v = leakVerdict(series((t) => 20 * MB + t * 2 * MB + jitter(t, 100_000), () => 2e6));
    expect(v.verdict).toBe('leak suspected');
    expect(v.slopeBytesPerHour).toBeGreaterThan(100 * MB);
  });

  it('a cache that fills and levels off is not a leak', () => {
    const v = leakVerdict(series((t) => 20 * MB + Math.min(t, 3) * 5 * MB + jitter(t, 200_000), () => 2e6));
    expect(v.verdict).toBe('no leak');
  });

  it('flat memory with GC noise is not a leak', () => {
    const v = leakVerdict(series((t) => 30 * MB + jitter(t, 2 * MB), () => 2e6));
    expect(v.verdict).toBe('no leak');
  });

  it('says so when the run is too short to tell', () => {
    const short = series((t) => 20 * MB + t * 50 * MB, () => 2e6).slice(0, 5);
    expect(leakVerdict(short).verdict).toBe('insufficient data');
    const fast = series((t) => 20 * MB + t * 50 * MB, () => 2e6).map((s) => ({ ...s, tMs: s.tMs / 100 }));
    expect(leakVerdict(fast).verdict).toBe('insufficient data');
  });
});

describe('driftVerdict', () => {
  it('a p99 that doubles is drift', () => {
    const v = driftVerdict(series(() => 20 * MB, (t) => 2e6 + t * 0.5e6));
    expect(v.verdict).toBe('slower');
    expect(v.ratio).toBeGreaterThan(1.5);
  });
  it('a stable p99 with noise is stable', () => {
    expect(driftVerdict(series(() => 20 * MB, (t) => 5e6 + jitter(t, 1e6))).verdict).toBe('stable');
  });
  it('sub-millisecond changes are never drift', () => {
    expect(driftVerdict(series(() => 20 * MB, (t) => 100_000 + t * 50_000)).verdict).toBe('stable');
  });
  it('too few operations per third is insufficient data', () => {
    expect(driftVerdict(series(() => 20 * MB, (t) => 2e6 + t * 1e6, 10)).verdict).toBe('insufficient data');
  });
});

describe('compactSeries', () => {
  it('halves a series past its bound, keeping counts and time', () => {
    const s = series(() => MB, () => 1e6);
    const c = compactSeries(s, 40);
    expect(c.length).toBe(30);
    expect(c.reduce((a, x) => a + x.count, 0)).toBe(s.reduce((a, x) => a + x.count, 0));
    expect(c[c.length - 1]?.tMs).toBe(s[s.length - 1]?.tMs);
    expect(compactSeries(s, 100)).toBe(s);
  });
});
