import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import { SPECTRUM_MAX_X, percentileOf, percentileSpectrum, spectrumGrid } from '../../src/metrics/spectrum.js';
import { InputError } from '../../src/util/input-error.js';

function encode(values: Iterable<number>): string {
  const r = new LatencyRecorder();
  try {
    for (const v of values) r.record(v);
    return r.summarize().histogram;
  } finally {
    r.destroy();
  }
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

describe('spectrum grid', () => {
  it('runs from p0 to p99.999 on a log axis of 1/(1-p), ten points a decade', () => {
    const xs = spectrumGrid();
    expect(xs[0]).toBe(1);
    expect(xs.at(-1)).toBe(SPECTRUM_MAX_X);
    expect(xs).toHaveLength(51);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
    expect(percentileOf(xs.at(-1)!)).toBe(99.999);
  });

  it('holds the percentiles summaries report, exactly', () => {
    const ps = spectrumGrid().map(percentileOf);
    for (const p of [0, 20, 50, 75, 90, 95, 99, 99.9, 99.99, 99.999]) expect(ps).toContain(p);
  });
});

describe('percentileSpectrum', () => {
  it('reads 1..100,000 us back within the histogram precision, rising with p', () => {
    const s = percentileSpectrum(encode(range(1, 100_000).map((v) => v * 1000)));
    expect(s.count).toBe(100_000);
    const at = (p: number): number => s.points.find((x) => x.percentile === p)!.value;
    const within = (actual: number, expected: number): void => expect(Math.abs(actual - expected) / expected).toBeLessThan(0.002);
    within(at(0), 1000);
    within(at(50), 50_000_000);
    within(at(90), 90_000_000);
    within(at(99), 99_000_000);
    within(at(99.9), 99_900_000);
    for (let i = 1; i < s.points.length; i++) expect(s.points[i]!.value).toBeGreaterThanOrEqual(s.points[i - 1]!.value);
  });

  it('agrees with the summary the runner stores (same percentile function)', () => {
    const r = new LatencyRecorder();
    try {
      for (let i = 0; i < 5000; i++) r.record(1000 + ((i * 7919) % 50_000));
      r.record(9_000_000);
      const summary = r.summarize();
      const s = percentileSpectrum(summary.histogram);
      const at = (p: number): number | undefined => s.points.find((x) => x.percentile === p)?.value;
      expect(at(50)).toBe(summary.p50);
      expect(at(90)).toBe(summary.p90);
      expect(at(99)).toBe(summary.p99);
      expect(at(99.9)).toBe(summary.p999);
      expect(s.points.at(-1)!.value / summary.max).toBeGreaterThanOrEqual(1);
      expect(s.points.at(-1)!.value / summary.max).toBeLessThan(1.001);
    } finally {
      r.destroy();
    }
  });

  it('stops where the data ends: with n values, the first point beyond 1/(1-p) = n', () => {
    const s = percentileSpectrum(encode(range(1, 150).map((v) => v * 1000)));
    const xs = s.points.map((p) => p.x);
    // 125 <= 150 < 160: the last point is x = 160, which reads the largest value.
    expect(xs.at(-1)).toBe(160);
    expect(xs.at(-2)).toBe(125);
    expect(s.points.at(-1)!.value).toBeGreaterThanOrEqual(150_000);
    expect(s.points.at(-1)!.value).toBeLessThan(150_000 * 1.001);
  });

  it('a tail shows: 1% of values at 100x the rest', () => {
    const s = percentileSpectrum(encode([...Array<number>(9_900).fill(1_000_000), ...Array<number>(100).fill(100_000_000)]));
    const at = (p: number): number => s.points.find((x) => x.percentile === p)!.value;
    expect(at(98)).toBeLessThan(1_001_000);
    expect(at(99.5)).toBeGreaterThan(99_000_000);
  });

  it('an empty histogram has no points', () => {
    const s = percentileSpectrum(encode([]));
    expect(s).toEqual({ count: 0, points: [] });
  });

  it('a damaged encoding is bad input, not a crash', () => {
    expect(() => percentileSpectrum('HISTFAAAnot-a-histogram')).toThrow(InputError);
  });
});
