import { describe, expect, it } from 'vitest';
import { HIGHEST_TRACKABLE_NS, LatencyRecorder, decodeRecorder, mergeEncoded } from '../../src/metrics/histogram.js';

function withRecorder<T>(fn: (r: LatencyRecorder) => T): T {
  const r = new LatencyRecorder();
  try {
    return fn(r);
  } finally {
    r.destroy();
  }
}

describe('LatencyRecorder', () => {
  it('summarises 1..10000 us within 3 significant digits', () => {
    const s = withRecorder((r) => {
      for (let v = 1; v <= 10_000; v++) r.record(v * 1000);
      return r.summarize();
    });
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(1000);
    const within = (actual: number, expected: number): void => expect(Math.abs(actual - expected) / expected).toBeLessThan(0.002);
    within(s.p50, 5_000_000);
    within(s.p99, 9_900_000);
    within(s.p999, 9_990_000);
    within(s.max, 10_000_000);
    within(s.mean, 5_000_500);
    expect(s.histogram).toMatch(/^HISTFAAA/);
  });

  it('records a batch as its mean, count times', () => {
    const s = withRecorder((r) => {
      r.recordBatch(64_000, 64);
      return r.summarize();
    });
    expect(s.count).toBe(64);
    expect(s.p50).toBe(1000);
    expect(s.max).toBe(1000);
  });

  it('clamps and counts values outside the range instead of corrupting the histogram', () => {
    withRecorder((r) => {
      r.record(0);
      r.record(-5);
      r.record(Number.NaN);
      r.record(HIGHEST_TRACKABLE_NS * 2);
      expect(r.clamped).toBe(4);
      expect(r.count).toBe(4);
      expect(r.summarize().max).toBeGreaterThanOrEqual(HIGHEST_TRACKABLE_NS);
    });
  });

  it('does not overflow past 2^32 counts (64-bit buckets)', () => {
    withRecorder((r) => {
      r.recordBatch(5000 * 3e9, 3e9);
      r.recordBatch(5000 * 3e9, 3e9);
      expect(r.count).toBe(6e9);
    });
  });

  it('an empty recorder summarises to zeros', () => {
    const s = withRecorder((r) => r.summarize());
    expect(s).toMatchObject({ count: 0, min: 0, p50: 0, p99: 0, max: 0, mean: 0 });
  });

  it('round-trips through the encoding and merges encoded histograms', () => {
    const [a, b] = [1, 2].map((k) =>
      withRecorder((r) => {
        for (let i = 0; i < 1000; i++) r.record(k * 1_000_000);
        return r.summarize();
      }),
    ) as [ReturnType<LatencyRecorder['summarize']>, ReturnType<LatencyRecorder['summarize']>];
    const back = decodeRecorder(a.histogram);
    try {
      expect(back.count).toBe(1000);
      // Same buckets, so the same value up to the histogram's precision (3 significant digits).
      expect(Math.abs(back.summarize().p50 - a.p50) / a.p50).toBeLessThan(0.001);
    } finally {
      back.destroy();
    }
    const merged = mergeEncoded([a.histogram, b.histogram]);
    expect(merged.count).toBe(2000);
    // A decoded histogram knows its values to bucket precision only (3 significant digits).
    expect(Math.abs(merged.min - a.min) / a.min).toBeLessThan(0.001);
    expect(Math.abs(merged.max - b.max) / b.max).toBeLessThan(0.001);
  });

  it('refuses use after destroy', () => {
    const r = new LatencyRecorder();
    r.destroy();
    expect(() => r.record(1)).toThrow(/after destroy/);
  });
});
