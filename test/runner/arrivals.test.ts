import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/providers/random.js';
import {
  arrivalRandom,
  collectArrivals,
  constantArrivals,
  gapStatistics,
  poissonArrivals,
  traceArrivals,
} from '../../src/runner/arrivals.js';

describe('constant arrivals', () => {
  it('floor(duration x rate) arrivals, 1/rate apart from 0: what the rate executor always did', () => {
    const at = collectArrivals(constantArrivals(200, 60_000));
    expect(at).toHaveLength(12_000);
    expect(at[0]).toBe(0);
    expect(at[1]).toBeCloseTo(5, 9);
    expect(at[11_999]).toBeCloseTo(59_995, 6);
    expect(collectArrivals(constantArrivals(3, 1_000))).toEqual([0, 1000 / 3, 2000 / 3]);
    expect(gapStatistics(at).cv).toBeLessThan(1e-9);
  });
});

describe('Poisson arrivals (seeded, no clock)', () => {
  it('200/s for 60 s: inter-arrival coefficient of variation within 0.9-1.1, mean gap 5 ms', () => {
    const at = collectArrivals(poissonArrivals(200, 60_000, arrivalRandom(42)));
    const g = gapStatistics(at);
    expect(g.cv).toBeGreaterThan(0.9);
    expect(g.cv).toBeLessThan(1.1);
    expect(g.meanMs).toBeGreaterThan(4.9);
    expect(g.meanMs).toBeLessThan(5.1);
    // 12,000 expected; the Poisson count's sd is ~110.
    expect(at.length).toBeGreaterThan(11_600);
    expect(at.length).toBeLessThan(12_400);
    expect(at.every((t, i) => t < 60_000 && (i === 0 || t >= (at[i - 1] as number)))).toBe(true);
  });

  it.each([1, 7, 123456])('holds for seed %i too, and the counts in 1 s windows vary like a Poisson count (variance ~ mean)', (seed) => {
    const at = collectArrivals(poissonArrivals(200, 60_000, arrivalRandom(seed)));
    const g = gapStatistics(at);
    expect(g.cv).toBeGreaterThan(0.9);
    expect(g.cv).toBeLessThan(1.1);
    const perSecond = new Array<number>(60).fill(0);
    for (const t of at) perSecond[Math.floor(t / 1000)]! += 1;
    const mean = perSecond.reduce((a, b) => a + b, 0) / 60;
    const variance = perSecond.reduce((a, b) => a + (b - mean) ** 2, 0) / 59;
    // Index of dispersion 1 for Poisson; evenly spaced arrivals would give 0.
    expect(variance / mean).toBeGreaterThan(0.5);
    expect(variance / mean).toBeLessThan(1.6);
  });

  it('the same seed gives the same schedule; another seed another one', () => {
    const a = collectArrivals(poissonArrivals(100, 2_000, arrivalRandom(5)));
    const b = collectArrivals(poissonArrivals(100, 2_000, arrivalRandom(5)));
    const c = collectArrivals(poissonArrivals(100, 2_000, arrivalRandom(6)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws from its own stream, not the providers\' (same seed, uncorrelated numbers)', () => {
    const providers = createRandom(9);
    const arrivals = arrivalRandom(9);
    const xs = Array.from({ length: 2000 }, () => [providers.next(), arrivals.next()] as const);
    const mean = (k: 0 | 1) => xs.reduce((a, x) => a + x[k], 0) / xs.length;
    const [mx, my] = [mean(0), mean(1)];
    const cov = xs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / xs.length;
    // Correlation of two independent uniforms: ~0 within a few 1/sqrt(2000).
    expect(Math.abs(cov / (1 / 12))).toBeLessThan(0.08);
  });

  it.each([
    [2, 1.8, 2.2],
    [0.5, 0.45, 0.55],
    [3, 2.6, 3.4],
  ])('burst %f: gamma gaps with that coefficient of variation and the same mean rate', (burst, lo, hi) => {
    const at = collectArrivals(poissonArrivals(200, 120_000, arrivalRandom(3), burst));
    const g = gapStatistics(at);
    expect(g.cv).toBeGreaterThan(lo);
    expect(g.cv).toBeLessThan(hi);
    expect(g.meanMs).toBeGreaterThan(4.5);
    expect(g.meanMs).toBeLessThan(5.5);
  });

  it('burst 0 is evenly spaced, one gap after the start', () => {
    const at = collectArrivals(poissonArrivals(4, 1_000, arrivalRandom(1), 0));
    expect(at).toEqual([250, 500, 750]);
  });

  it('refuses rates and bursts it cannot schedule', () => {
    expect(() => poissonArrivals(0, 1000, arrivalRandom(1))).toThrow(RangeError);
    expect(() => poissonArrivals(10, 1000, arrivalRandom(1), -1)).toThrow(RangeError);
  });
});

describe('trace arrivals', () => {
  const ts = [1000, 1000, 1012.5, 1100, 3000];

  it('offsets from the first timestamp, divided by the speed', () => {
    expect(collectArrivals(traceArrivals(ts, 1))).toEqual([0, 0, 12.5, 100, 2000]);
    expect(collectArrivals(traceArrivals(ts, 4))).toEqual([0, 0, 3.125, 25, 500]);
    expect(collectArrivals(traceArrivals(Float64Array.from(ts), 0.5))).toEqual([0, 0, 25, 200, 4000]);
  });

  it('a duration cap keeps the arrivals due before it', () => {
    expect(collectArrivals(traceArrivals(ts, 1, 100))).toEqual([0, 0, 12.5]);
    expect(collectArrivals(traceArrivals(ts, 2, 100))).toEqual([0, 0, 6.25, 50]);
  });

  it('an empty trace has no arrivals; speed must be > 0', () => {
    expect(collectArrivals(traceArrivals([], 1))).toEqual([]);
    expect(() => traceArrivals(ts, 0)).toThrow(RangeError);
  });
});
