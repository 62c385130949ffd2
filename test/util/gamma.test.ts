import { describe, expect, it } from 'vitest';
import { createRandom, normal } from '../../src/providers/random.js';
import { sampleGamma, type GammaDraws } from '../../src/util/gamma.js';

// The one gamma sampler of the arrival schedules (runner/arrivals.ts) and compare's bootstrap
// (compare/stats.ts, which also checks it by Kolmogorov-Smirnov against closed forms).
function draws(seed: number): GammaDraws & { calls: { unit: number; normal: number } } {
  const rng = createRandom(seed);
  const calls = { unit: 0, normal: 0 };
  return {
    calls,
    unit: () => (calls.unit++, 1 - rng.next()),
    normal: () => (calls.normal++, normal(rng)),
  };
}

describe('sampleGamma', () => {
  it.each([0.25, 1, 4, 30])('shape %f: mean and variance equal the shape', (shape) => {
    const d = draws(11);
    const n = 40_000;
    const xs = Array.from({ length: n }, () => sampleGamma(shape, d));
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(mean / shape).toBeGreaterThan(0.96);
    expect(mean / shape).toBeLessThan(1.04);
    expect(variance / shape).toBeGreaterThan(0.9);
    expect(variance / shape).toBeLessThan(1.1);
    expect(xs.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
  });

  it('draws only from the sources it is given: the same sources give the same deviates', () => {
    const a = draws(5);
    const b = draws(5);
    const xs = Array.from({ length: 200 }, () => sampleGamma(0.5, a));
    expect(Array.from({ length: 200 }, () => sampleGamma(0.5, b))).toEqual(xs);
    // A shape below 1 takes the boost: one more uniform per deviate than the accepted draws.
    expect(a.calls.unit).toBeGreaterThanOrEqual(400);
    expect(a.calls.normal).toBeGreaterThanOrEqual(200);
  });

  it('a shape of 1 or more uses one normal and one uniform per accepted draw', () => {
    // x = 0 gives v = 1 and any u < 1 passes the squeeze: the deviate is d = shape - 1/3.
    const fixed: GammaDraws = { unit: () => 0.5, normal: () => 0 };
    expect(sampleGamma(4, fixed)).toBeCloseTo(4 - 1 / 3, 12);
    expect(sampleGamma(1, fixed)).toBeCloseTo(2 / 3, 12);
    // Boost: Gamma(1.5) x u^(1/0.5) with u = 0.5.
    expect(sampleGamma(0.5, fixed)).toBeCloseTo((1.5 - 1 / 3) * 0.25, 12);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses shape %f (the loop would never end)', (shape) => {
    expect(() => sampleGamma(shape, draws(1))).toThrow(RangeError);
  });
});
