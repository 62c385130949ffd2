import { describe, it, expect } from 'vitest';
import type { LatencyModel } from '../../../src/providers/config.js';
import { createLatencySampler, describeLatency } from '../../../src/providers/llm/latency.js';
import { createRandom } from '../../../src/providers/random.js';

const N = 20_000;

function sample(model: LatencyModel, seed = 1): number[] {
  const next = createLatencySampler(model, createRandom(seed));
  return Array.from({ length: N }, () => next()).sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

describe('createLatencySampler', () => {
  it('none is always 0', () => {
    const xs = sample({ model: 'none' });
    expect(xs.every((x) => x === 0)).toBe(true);
  });

  it('fixed is exactly the value', () => {
    const xs = sample({ model: 'fixed', ms: 7.5 });
    expect(xs.every((x) => x === 7.5)).toBe(true);
  });

  it('uniform stays within bounds and spreads over them', () => {
    const xs = sample({ model: 'uniform', minMs: 2, maxMs: 6 });
    expect(xs[0]).toBeGreaterThanOrEqual(2);
    expect(xs[N - 1]).toBeLessThanOrEqual(6);
    expect(xs[0]).toBeLessThan(2.01);
    expect(xs[N - 1]).toBeGreaterThan(5.99);
    expect(quantile(xs, 0.5)).toBeCloseTo(4, 1);
  });

  it('normal has the configured mean and spread and is never negative', () => {
    const xs = sample({ model: 'normal', meanMs: 10, stddevMs: 2 });
    const mean = xs.reduce((a, b) => a + b, 0) / N;
    expect(Math.abs(mean - 10)).toBeLessThan(0.1);
    expect(quantile(xs, 0.5)).toBeGreaterThan(9.9);
    expect(quantile(xs, 0.5)).toBeLessThan(10.1);
    const clamped = sample({ model: 'normal', meanMs: 1, stddevMs: 5 });
    expect(clamped[0]).toBe(0);
  });

  it.each([
    { p50Ms: 10, p99Ms: 50 },
    { p50Ms: 2, p99Ms: 4 },
    { p50Ms: 100, p99Ms: 1000 },
  ])('lognormal hits p50 $p50Ms and p99 $p99Ms within 5%', ({ p50Ms, p99Ms }) => {
    const xs = sample({ model: 'lognormal', p50Ms, p99Ms }, 99);
    expect(Math.abs(quantile(xs, 0.5) / p50Ms - 1)).toBeLessThan(0.05);
    expect(Math.abs(quantile(xs, 0.99) / p99Ms - 1)).toBeLessThan(0.05);
    expect(xs[0]).toBeGreaterThan(0);
  });

  it('lognormal with p99 = p50 is constant', () => {
    const xs = sample({ model: 'lognormal', p50Ms: 3, p99Ms: 3 });
    expect(xs[0]).toBeCloseTo(3, 10);
    expect(xs[N - 1]).toBeCloseTo(3, 10);
  });

  it.each<[LatencyModel, RegExp]>([
    [{ model: 'fixed', ms: -1 }, /ms must be/],
    [{ model: 'uniform', minMs: 5, maxMs: 1 }, /minMs \(5\) must be <= maxMs \(1\)/],
    [{ model: 'normal', meanMs: Number.NaN, stddevMs: 1 }, /meanMs/],
    [{ model: 'lognormal', p50Ms: 0, p99Ms: 10 }, /p50Ms must be > 0/],
    [{ model: 'lognormal', p50Ms: 10, p99Ms: 5 }, /p99Ms \(5\) must be >= p50Ms \(10\)/],
  ])('rejects %j', (model, message) => {
    expect(() => createLatencySampler(model, createRandom(1))).toThrow(message);
  });

  it('describes the model', () => {
    expect(describeLatency({ model: 'none' })).toBe('none');
    expect(describeLatency({ model: 'lognormal', p50Ms: 10, p99Ms: 80 })).toBe('lognormal p50 10ms p99 80ms');
  });
});
