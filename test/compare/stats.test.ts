import { describe, expect, it } from 'vitest';
import {
  betaSample,
  gammaSample,
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

  it('quantile and cdf invert each other to 1e-10, in the tails and across the branches', () => {
    // The Newton step against our own cdf buys this; without it the pair disagrees by the
    // approximations' ~1e-7.
    for (const p of [1e-6, 0.001, 0.02, 0.024, 0.025, 0.3, 0.5, 0.7, 0.975, 0.976, 0.999, 1 - 1e-6]) {
      expect(Math.abs(normalCdf(normalQuantile(p)) - p) / Math.min(p, 1 - p), String(p)).toBeLessThan(1e-10);
    }
  });

  it('quantile at the ends and outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    for (const p of [-0.1, 1.5, Number.NaN]) expect(normalQuantile(p)).toBeNaN();
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

  it('all values equal: p = 1 (no variance left after the tie correction)', () => {
    expect(mannWhitney([1, 1, 1], [1, 1, 1])).toEqual({ u: 4.5, p: 1, method: 'normal', z: 0 });
  });

  it('with ties, U exactly at its mean: z = 0, p = 1', () => {
    expect(mannWhitney([1, 2, 2, 3], [1, 2, 2, 3])).toEqual({ u: 8, p: 1, method: 'normal', z: 0 });
  });

  it('an empty sample: nothing to test, p = 1', () => {
    expect(mannWhitney([], [1, 1, 2])).toEqual({ u: 0, p: 1, method: 'exact' });
    expect(mannWhitney([2, 2], [])).toEqual({ u: 0, p: 1, method: 'exact' });
  });

  it('exact only while both samples are under 50', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => i + 0.5);
    const five = [10.25, 20.25, 30.25, 40.25, 60.25];
    expect(mannWhitney(fifty, five).method).toBe('normal');
    expect(mannWhitney(five, fifty).method).toBe('normal');
    expect(mannWhitney(fifty.slice(1), five).method).toBe('exact');
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

  it('the bound sits on the quantile level itself when P(U <= u) equals alpha / 2 exactly', () => {
    // 3 vs 3 at 60%: alpha / 2 = 0.2 = P(U <= 2) = 4/20, so k = 2: the 2nd smallest and 2nd
    // largest of the differences [7, 8, 9, 17, 18, 19, 27, 28, 29], reaching 1 - 2 P(U <= 1) = 80%.
    const r = hodgesLehmann([1, 2, 3], [10, 20, 30], 0.6);
    expect([r.lower, r.upper, r.estimate]).toEqual([8, 28, 18]);
    expect(r.confidence).toBeCloseTo(0.8, 12);
  });

  it('an empty sample has no shift', () => {
    expect(hodgesLehmann([], [1, 2], 0.95)).toEqual({ estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, confidence: 0 });
    expect(hodgesLehmann([1, 2], [], 0.95)).toEqual({ estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, confidence: 0 });
  });

  it('60 vs 60: the normal approximation k = floor(nm/2 - z sqrt(nm(n+m+1)/12)) = 1426', () => {
    // y = x + 10.5 with x = 1..60: the differences are 10.5 + d, d = j - i occurring 60 - |d|
    // times. The 1426th smallest: (60 - a)(61 - a)/2 >= 1426 first holds at a = 7, so d = -7;
    // the 1426th largest, d = +7 by symmetry.
    const x = Array.from({ length: 60 }, (_, i) => i + 1);
    const r = hodgesLehmann(x, x.map((v) => v + 10.5), 0.95);
    expect(r).toEqual({ estimate: 10.5, lower: 3.5, upper: 17.5, confidence: 0.95 });
  });

  it.each([
    [50, 7],
    [7, 50],
    [80, 80],
  ])('%i vs %i: the bounds are the k-th smallest and largest differences of the normal approximation', (n, m) => {
    // Distinct, unevenly spaced values, so that every k gives other bounds.
    const random = seededRandom(n * 1000 + m);
    const x = Array.from({ length: n }, () => random() * 10);
    const y = Array.from({ length: m }, () => random() * 10 + 1);
    const diffs = x.flatMap((xi) => y.map((yj) => yj - xi)).sort((a, b) => a - b);
    const nm = n * m;
    const k = Math.floor(nm / 2 - 1.959963984540054 * Math.sqrt((nm * (n + m + 1)) / 12));
    const r = hodgesLehmann(x, y, 0.95);
    expect(r.lower).toBe(diffs[k - 1]);
    expect(r.upper).toBe(diffs[nm - k]);
    expect(r.confidence).toBe(0.95);
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

  it('seeded random is mulberry32: the reference sequence', () => {
    // From an independent implementation of mulberry32 (Python, 32-bit arithmetic).
    const r = seededRandom(42);
    expect([r(), r(), r()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    const z = seededRandom(0);
    expect([z(), z(), z()]).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
  });

  it('hashSeed is 32-bit FNV-1a (the published test vectors) and tells names apart', () => {
    expect(hashSeed('')).toBe(0x811c9dc5);
    expect(hashSeed('a')).toBe(0xe40c292c);
    expect(hashSeed('foobar')).toBe(0xbf9cf968);
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

/**
 * Kolmogorov-Smirnov distance between draws and a CDF. With 50,000 draws, D above 0.0077
 * happens by chance with probability 0.1 % (1.95 / sqrt(n)).
 */
function ksDistance(draws: number[], cdf: (x: number) => number): number {
  const xs = [...draws].sort((a, b) => a - b);
  let d = 0;
  for (let i = 0; i < xs.length; i++) {
    const f = cdf(xs[i]!);
    d = Math.max(d, Math.abs(f - i / xs.length), Math.abs((i + 1) / xs.length - f));
  }
  return d;
}

describe('gamma draws follow the gamma distribution', () => {
  // Closed forms: Gamma(1) is exponential; Gamma(2) = 1 - e^-x (1 + x); Gamma(1/2) is half a
  // chi-square with one degree of freedom, P(X <= x) = 2 Phi(sqrt(2x)) - 1.
  it.each<[number, (x: number) => number]>([
    [1, (x) => 1 - Math.exp(-x)],
    [2, (x) => 1 - Math.exp(-x) * (1 + x)],
    [0.5, (x) => 2 * normalCdf(Math.sqrt(2 * x)) - 1],
  ])('shape %f: Kolmogorov-Smirnov distance under the 0.1 %% critical value', (shape, cdf) => {
    const random = seededRandom(17);
    const draws = Array.from({ length: 50_000 }, () => gammaSample(shape, random));
    expect(draws.every((x) => x > 0)).toBe(true);
    expect(ksDistance(draws, cdf)).toBeLessThan(1.95 / Math.sqrt(draws.length));
  });

  it('Beta(1/2, 2): a small shape on one side only', () => {
    // Beta(a, b) = X / (X + Y): mean a / (a + b) = 0.2, P(B <= x) for a = 1/2, b = 2 is
    // (5/2) x^(1/2) (1 - x/3) ... checked through the mean and variance (20,000 draws).
    const random = seededRandom(23);
    const xs = Array.from({ length: 20_000 }, () => betaSample(0.5, 2, random));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const v = (0.5 * 2) / (2.5 ** 2 * 3.5);
    expect(Math.abs(mean - 0.2)).toBeLessThan(4 * Math.sqrt(v / xs.length));
  });
});

describe('bootstrap of a quantile from its order statistics', () => {
  const uniform = (n: number, scale = 1): QuantileSource => ({ n, quantile: (q) => q * scale });

  it('a replicate of the 1st of 4 order statistics is Beta(1, 4): mean 1/5', () => {
    const random = seededRandom(31);
    const xs = Array.from({ length: 20_000 }, () => bootstrapQuantile(uniform(4), 0.25, random));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    // sd of Beta(1, 4) = 0.163: 4 standard errors of the mean are 0.0046.
    expect(Math.abs(mean - 0.2)).toBeLessThan(0.0046);
  });

  it('the 95 % interval is +-1.96 standard errors of the ratio wide', () => {
    // Medians of 10,000 uniforms on [1, 2]: standard error sqrt(1/(4n)) = 0.005 each, the ratio
    // of two around 1.5 has sd sqrt(2) 0.005 / 1.5 = 0.00471, so the interval is +-0.00924.
    const shifted = (n: number): QuantileSource => ({ n, quantile: (q) => 1 + q });
    const r = bootstrapQuantileChange(shifted(10_000), shifted(10_000), 0.5, { confidence: 0.95, replicates: 4000, seed: 2 });
    expect(r.change).toBe(0);
    const half = 1.959963984540054 * Math.SQRT2 * (0.005 / 1.5);
    expect(-r.lower / half).toBeGreaterThan(0.9);
    expect(-r.lower / half).toBeLessThan(1.1);
    expect(r.upper / half).toBeGreaterThan(0.9);
    expect(r.upper / half).toBeLessThan(1.1);
  });

  it('one replicate: a degenerate interval', () => {
    const r = bootstrapQuantileChange(uniform(100), uniform(100, 2), 0.5, { confidence: 0.95, replicates: 1, seed: 4 });
    expect(r.lower).toBe(r.upper);
  });

  it('a zero baseline: no change to speak of, not an infinite one', () => {
    const zero: QuantileSource = { n: 100, quantile: () => 0 };
    const opts = { confidence: 0.95, replicates: 50, seed: 1 };
    expect(bootstrapQuantileChange(zero, zero, 0.5, opts).change).toBeNaN();
    expect(bootstrapQuantileChange(zero, uniform(100), 0.5, opts).change).toBeNaN();
  });

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
