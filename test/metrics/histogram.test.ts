import { describe, expect, it, vi } from 'vitest';
import { HIGHEST_TRACKABLE_NS, HISTOGRAM_SETTINGS, LatencyRecorder, decodeRecorder, mergeEncoded, openResultHistogram } from '../../src/metrics/histogram.js';
import { InputError } from '../../src/util/input-error.js';

/** Equal to the histogram's precision: 3 significant digits (a bucket's top may be ~0.1 % above). */
function near(actual: number, expected: number): void {
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThan(0.001);
}

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

  it('clamps a value into the nearest end of the range: 1 ns or one hour', () => {
    withRecorder((r) => {
      for (const v of [0, -5, Number.NaN, 0.4]) r.record(v);
      expect(r.summarize()).toMatchObject({ count: 4, min: 1, max: 1 });
      expect(r.clamped).toBe(4);
    });
    withRecorder((r) => {
      r.record(HIGHEST_TRACKABLE_NS + 1);
      const s = r.summarize();
      // The top bucket: within the histogram's 3 significant digits of an hour.
      expect(Math.abs(s.max / HIGHEST_TRACKABLE_NS - 1)).toBeLessThan(0.001);
      expect(r.clamped).toBe(1);
    });
    withRecorder((r) => {
      // An endless wait is as long as the histogram goes, not the shortest value there is.
      r.record(Number.POSITIVE_INFINITY);
      r.recordBatch(Number.POSITIVE_INFINITY, 2);
      const s = r.summarize();
      expect(s.count).toBe(3);
      expect(Math.abs(s.min / HIGHEST_TRACKABLE_NS - 1)).toBeLessThan(0.001);
      expect(r.clamped).toBe(3);
    });
    withRecorder((r) => {
      // The ends themselves are in range.
      r.record(1);
      r.record(HIGHEST_TRACKABLE_NS);
      expect(r.clamped).toBe(0);
      expect(r.count).toBe(2);
    });
  });

  it('clamps a batch whose mean is out of range, and counts every operation of it', () => {
    withRecorder((r) => {
      r.recordBatch(0, 5);
      r.recordBatch(HIGHEST_TRACKABLE_NS * 30, 10);
      expect(r.clamped).toBe(15);
      expect(r.count).toBe(15);
      const s = r.summarize();
      expect(s.min).toBe(1);
      expect(Math.abs(s.max / HIGHEST_TRACKABLE_NS - 1)).toBeLessThan(0.001);
      // An empty batch records nothing.
      r.recordBatch(1000, 0);
      r.recordBatch(1000, -3);
      expect(r.count).toBe(15);
    });
  });

  it('a batch whose mean is exactly one hour is in range, not clamped', () => {
    withRecorder((r) => {
      r.recordBatch(HIGHEST_TRACKABLE_NS * 3, 3);
      expect([r.count, r.clamped]).toEqual([3, 0]);
    });
  });

  it('a batch records its rounded mean: 1,000 ns over 3 operations is 333 ns each', () => {
    withRecorder((r) => {
      r.recordBatch(1000, 3);
      r.recordBatch(2, 4); // 0.5 rounds to 1: in range, not clamped
      expect(r.clamped).toBe(0);
      const s = r.summarize();
      expect(s.count).toBe(7);
      expect(s.max).toBe(333);
      expect(s.min).toBe(1);
    });
  });

  it('adding merges counts and the clamped tally; reset clears both', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    try {
      a.record(10);
      a.record(-1);
      b.record(20);
      b.record(Number.NaN);
      b.record(0);
      a.add(b);
      expect(a.count).toBe(5);
      expect(a.clamped).toBe(3);
      // b is unchanged: add reads it.
      expect([b.count, b.clamped]).toEqual([3, 2]);
      a.reset();
      expect([a.count, a.clamped]).toEqual([0, 0]);
      expect(a.valueAtPercentile(50)).toBe(0);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('valueAtPercentile reads the recorded distribution', () => {
    withRecorder((r) => {
      for (let v = 1; v <= 100; v++) r.record(v * 1000);
      near(r.valueAtPercentile(50), 50_000);
      near(r.valueAtPercentile(90), 90_000);
      near(r.valueAtPercentile(100), 100_000);
    });
  });

  it('summarises every percentile, the mean and the standard deviation', () => {
    const s = withRecorder((r) => {
      for (let v = 1; v <= 1000; v++) r.record(v * 1000);
      return r.summarize();
    });
    expect(s).toMatchObject({ unit: 'ns', count: 1000, min: 1000 });
    near(s.p50, 500_000);
    near(s.p90, 900_000);
    near(s.p95, 950_000);
    near(s.p99, 990_000);
    near(s.p999, 999_000);
    near(s.max, 1_000_000);
    // Uniform 1..1000 us: mean 500.5 us, sd 288.7 us (bucket midpoints: within 0.2 %).
    expect(Math.abs(s.mean / 500_500 - 1)).toBeLessThan(0.002);
    expect(Math.abs(s.stddev / 288_675 - 1)).toBeLessThan(0.002);
  });

  it('does not overflow past 2^32 counts (64-bit buckets)', () => {
    withRecorder((r) => {
      r.recordBatch(5000 * 3e9, 3e9);
      r.recordBatch(5000 * 3e9, 3e9);
      expect(r.count).toBe(6e9);
    });
  });

  // Shard files state these settings and `merge` refuses shards whose settings differ: they must
  // describe what the recorders really do, or a merge would trust histograms it cannot add.
  it('HISTOGRAM_SETTINGS states the range, precision and bucket width every recorder is built with', () => {
    const { lowestNs, highestNs, significantDigits, bucketBits } = HISTOGRAM_SETTINGS;
    withRecorder((r) => {
      r.record(lowestNs);
      r.record(highestNs);
      expect(r.clamped).toBe(0);
      r.record(lowestNs - 1);
      r.record(highestNs + 1);
      expect(r.clamped).toBe(2);
      const s = r.summarize();
      expect(s.min).toBe(lowestNs);
      expect(Math.abs(s.max / highestNs - 1)).toBeLessThan(10 ** -significantDigits);
    });
    // significantDigits: a value reads back within 1 part in 10^digits (and not far finer: the stated digits are not too many).
    withRecorder((r) => {
      r.record(123_456_789);
      const read = r.valueAtPercentile(50);
      expect(Math.abs(read / 123_456_789 - 1)).toBeLessThan(10 ** -significantDigits);
      expect(Math.abs(read / 123_456_789 - 1)).toBeGreaterThan(10 ** -(significantDigits + 2));
    });
    // bucketBits: a bucket holds 2^33 counts, as the stated 64-bit buckets do (32-bit ones would wrap).
    expect(bucketBits).toBe(64);
    withRecorder((r) => {
      r.recordBatch(5000 * 2 ** 33, 2 ** 33);
      expect(r.count).toBe(2 ** 33);
    });
  });

  it('an empty recorder summarises to zeros', () => {
    const s = withRecorder((r) => r.summarize());
    expect(s).toMatchObject({ unit: 'ns', count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 });
    expect(s.histogram).toMatch(/^HISTFAAA/);
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

  it('mergeEncoded adds every histogram exactly: counts and the shape of the whole', () => {
    const encode = (values: number[]): string =>
      withRecorder((r) => {
        for (const v of values) r.record(v);
        return r.summarize().histogram;
      });
    const low = encode(Array.from({ length: 300 }, () => 1_000));
    const high = encode(Array.from({ length: 100 }, () => 9_000));
    const merged = mergeEncoded([low, high, low]);
    expect(merged.count).toBe(700);
    // 600 at 1 us, 100 at 9 us: p50 and p85 at 1 us, p90 and max at 9 us.
    near(merged.p50, 1_000);
    near(merged.p90, 9_000);
    near(merged.max, 9_000);
    near(merged.min, 1_000);
    expect(mergeEncoded([]).count).toBe(0);
  });

  it('mergeEncoded frees every histogram it opens (WASM memory is not garbage-collected)', () => {
    const one = withRecorder((r) => {
      r.record(1000);
      return r.summarize().histogram;
    });
    const destroy = vi.spyOn(LatencyRecorder.prototype, 'destroy');
    try {
      mergeEncoded([one, one, one]);
      // The three decoded ones and the total.
      expect(destroy).toHaveBeenCalledTimes(4);
    } finally {
      destroy.mockRestore();
    }
  });

  it('refuses use after destroy, and destroying twice is harmless', () => {
    const r = new LatencyRecorder();
    r.destroy();
    expect(() => r.record(1)).toThrow('LatencyRecorder used after destroy()');
    expect(() => r.destroy()).not.toThrow();
  });
});

// The one opener of a result file's histograms (compare's quantiles, the reports' spectra).
describe('openResultHistogram', () => {
  it('opens what a recorder encoded', () => {
    const s = withRecorder((r) => {
      for (let i = 1; i <= 100; i++) r.record(i * 1_000);
      return r.summarize();
    });
    const back = openResultHistogram(s.histogram);
    try {
      expect(back.count).toBe(100);
      // To bucket precision (3 significant digits).
      expect(Math.abs(back.summarize().max - s.max) / s.max).toBeLessThan(0.001);
    } finally {
      back.destroy();
    }
  });

  it.each(['not a histogram', '', 'HISTFAAAAB'])('%j is bad input naming the cause, not a crash', (encoded) => {
    let caught: unknown;
    try {
      openResultHistogram(encoded).destroy();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).message).toMatch(/^a latency histogram in the result cannot be decoded \(.+\): is the file damaged\?$/);
  });
});
