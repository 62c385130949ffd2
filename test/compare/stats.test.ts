import { describe, expect, it } from 'vitest';
import {
  betaSample,
  bootstrapQuantile,
  bootstrapQuantileChange,
  hashSeed,
  hodgesLehmann,
  mannWhitney,
  mannWhitneyFrequencies,
  minimumPValue,
  normalCdf,
  normalQuantile,
  quantileSorted,
  seededRandom,
  type QuantileSource,
} from '../../src/compare/stats.js';

// Reference values from SciPy 1.17 (scipy.stats.norm, scipy.stats.mannwhitneyu with
// alternative='two-sided', use_continuity=True) and from R's documented wilcox.test example.

describe('normal distribution', () => {
  it.each([
    [0, 0.5],
    [1.96, 0.9750021048517795],
    [-1, 0.15865525393145707],
    [-3, 0.0013498980316300933],
    [2.5758293035489004, 0.995],
    [-6, 9.865876450376946e-10],
  ])('cdf(%f) = %f', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 7);
    expect(Math.abs(normalCdf(z) - p) / p).toBeLessThan(2e-7);
  });

  it.each([
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.05, -1.6448536269514729],
    [0.001, -3.090232306167813],
    [0.9999, 3.719016485455709],
  ])('quantile(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });
});

describe('Mann-Whitney U', () => {
  it.each<[string, number[], number[], number, number, 'exact' | 'normal']>([
    ['complete separation, 3 vs 3', [1, 2, 3], [4, 5, 6], 0, 0.1, 'exact'],
    ["R's example (x > y one-sided p 0.1272)", [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46], [1.15, 0.88, 0.9, 0.74, 1.21], 35, 0.2544122544122544, 'exact'],
    ['5 trials vs 5 trials, 20% apart', [5.1, 5.3, 5.2, 5.25, 5.15], [6.2, 6.3, 6.1, 6.25, 6.15], 0, 0.007936507936507936, 'exact'],
    ['ties: normal approximation with tie correction', [1, 2, 2, 3, 4], [2, 3, 3, 5, 6, 7], 6, 0.11390314458853068, 'normal'],
    ['60 vs 60: normal approximation', Array.from({ length: 60 }, (_, i) => i + 1), Array.from({ length: 60 }, (_, i) => i + 11.5), 1225, 0.0025668879435241754, 'normal'],
  ])('%s', (_name, x, y, u, p, method) => {
    const r = mannWhitney(x, y);
    expect(r.u).toBe(u);
    expect(r.method).toBe(method);
    expect(r.p).toBeCloseTo(p, 6);
  });

  it('is symmetric in p and complementary in U', () => {
    const x = [3, 9, 4, 7];
    const y = [8, 10, 12, 11, 6];
    const a = mannWhitney(x, y);
    const b = mannWhitney(y, x);
    expect(a.p).toBeCloseTo(b.p, 12);
    expect(a.u + b.u).toBe(x.length * y.length);
  });

  it('all values equal: p = 1', () => {
    expect(mannWhitney([1, 1, 1], [1, 1, 1]).p).toBe(1);
  });

  it.each([
    [3, 3, [1, 1, 2, 3, 3, 3, 3, 2, 1, 1]],
    [2, 4, [1, 1, 2, 2, 3, 2, 2, 1, 1]],
  ])('frequencies of U for n=%i, m=%i', (n, m, freq) => {
    const f = mannWhitneyFrequencies(n, m);
    expect(f).toEqual(freq);
  });

  it('frequencies add up to C(n+m, n)', () => {
    const f = mannWhitneyFrequencies(10, 12);
    expect(f.reduce((a, b) => a + b, 0)).toBe(646646);
  });

  it.each([
    [3, 3, 0.1],
    [4, 4, 2 / 70],
    [3, 4, 2 / 35],
    [5, 5, 2 / 252],
    [1, 10, 2 / 11],
  ])('smallest attainable p for %i vs %i trials', (n, m, p) => {
    expect(minimumPValue(n, m)).toBeCloseTo(p, 12);
  });
});

describe('Hodges-Lehmann shift with the Moses interval', () => {
  it('5 vs 5: interval between the 3rd and 23rd of 25 differences (P(U <= 2) = 4/252)', () => {
    // Differences y - x are 10 + (j - i): 6 once, 7 twice, 8 three times, ... 14 once.
    const r = hodgesLehmann([1, 2, 3, 4, 5], [11, 12, 13, 14, 15], 0.95);
    expect(r.estimate).toBe(10);
    expect(r.lower).toBe(7);
    expect(r.upper).toBe(13);
    expect(r.confidence).toBeCloseTo(1 - 2 * (4 / 252), 12);
  });

  it('3 vs 3 cannot reach 95%: the full range, at 90%', () => {
    const r = hodgesLehmann([1, 2, 3], [10, 20, 30], 0.95);
    expect(r.lower).toBe(7);
    expect(r.upper).toBe(29);
    expect(r.confidence).toBeCloseTo(0.9, 12);
  });

  it('large samples use the normal approximation and contain the true shift', () => {
    const random = seededRandom(1);
    const x = Array.from({ length: 80 }, () => random());
    const y = Array.from({ length: 80 }, () => random() + 0.3);
    const r = hodgesLehmann(x, y, 0.95);
    expect(r.lower).toBeLessThan(0.3);
    expect(r.upper).toBeGreaterThan(0.3);
    expect(r.estimate).toBeGreaterThan(0.2);
    expect(r.estimate).toBeLessThan(0.4);
  });
});

describe('helpers', () => {
  it.each([
    [0, 1],
    [0.5, 3],
    [0.25, 2],
    [0.1, 1.4],
    [1, 5],
  ])('quantileSorted([1..5], %f) = %f (R type 7)', (q, v) => {
    expect(quantileSorted([1, 2, 3, 4, 5], q)).toBeCloseTo(v, 12);
  });

  it('seeded random is reproducible and uniform-ish', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('hashSeed is stable and tells names apart', () => {
    expect(hashSeed('llm-call/sequential/p50')).toBe(hashSeed('llm-call/sequential/p50'));
    expect(hashSeed('llm-call/sequential/p50')).not.toBe(hashSeed('llm-call/sequential/p99'));
  });

  it.each([
    [2, 5],
    [990, 11],
    [0.5, 0.5],
  ])('Beta(%f, %f) draws have the right mean and variance', (a, b) => {
    const random = seededRandom(7);
    const xs = Array.from({ length: 20_000 }, () => betaSample(a, b, random));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    const m = a / (a + b);
    const v = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(mean - m)).toBeLessThan(4 * Math.sqrt(v / xs.length));
    expect(variance / v).toBeGreaterThan(0.95);
    expect(variance / v).toBeLessThan(1.05);
  });
});

describe('bootstrap of a quantile from its order statistics', () => {
  const uniform = (n: number, scale = 1): QuantileSource => ({ n, quantile: (q) => q * scale });

  it('the median of n uniforms has standard error sqrt(1/(4n))', () => {
    const random = seededRandom(3);
    const n = 400;
    const xs = Array.from({ length: 20_000 }, () => bootstrapQuantile(uniform(n), 0.5, random));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sd / Math.sqrt(1 / (4 * n))).toBeGreaterThan(0.95);
    expect(sd / Math.sqrt(1 / (4 * n))).toBeLessThan(1.05);
  });

  it('the interval of a 20% change holds 20% and narrows as n grows', () => {
    const opts = { confidence: 0.95, replicates: 2000, seed: 11 };
    const small = bootstrapQuantileChange(uniform(100), uniform(100, 1.2), 0.5, opts);
    const large = bootstrapQuantileChange(uniform(100_000), uniform(100_000, 1.2), 0.5, opts);
    expect(small.change).toBeCloseTo(0.2, 10);
    for (const r of [small, large]) {
      expect(r.lower).toBeLessThan(0.2);
      expect(r.upper).toBeGreaterThan(0.2);
    }
    expect(large.upper - large.lower).toBeLessThan((small.upper - small.lower) / 10);
  });

  it('no change: the interval straddles zero', () => {
    const r = bootstrapQuantileChange(uniform(1000), uniform(1000), 0.99, { confidence: 0.95, replicates: 2000, seed: 5 });
    expect(r.change).toBe(0);
    expect(r.lower).toBeLessThan(0);
    expect(r.upper).toBeGreaterThan(0);
  });

  it('is reproducible from its seed', () => {
    const opts = { confidence: 0.95, replicates: 500, seed: 9 };
    expect(bootstrapQuantileChange(uniform(50), uniform(60), 0.5, opts)).toEqual(bootstrapQuantileChange(uniform(50), uniform(60), 0.5, opts));
  });
});
