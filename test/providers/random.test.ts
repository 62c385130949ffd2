import { describe, it, expect } from 'vitest';
import { createManualClock, createRandom, normal, randomInt, systemClock } from '../../src/providers/random.js';

function draws(seed: number, n: number): number[] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => rng.next());
}

describe('createRandom', () => {
  it('replays the same sequence for the same seed', () => {
    expect(draws(42, 1000)).toEqual(draws(42, 1000));
  });

  it.each([
    [1, 2],
    [0, 1],
    [42, 43],
    [2 ** 32, 0], // high bits are folded in, not dropped
  ])('gives different sequences for seeds %d and %d', (a, b) => {
    const x = draws(a, 100);
    const y = draws(b, 100);
    expect(x).not.toEqual(y);
    // Not merely shifted or mostly equal: nearly every position differs.
    expect(x.filter((v, i) => v === y[i]).length).toBeLessThan(3);
  });

  it('draws uniformly in [0, 1)', () => {
    const xs = draws(7, 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.495);
    expect(mean).toBeLessThan(0.505);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]! += 1;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('randomInt stays in range and hits every value', () => {
    const rng = createRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = randomInt(rng, 6);
      expect(Number.isInteger(v) && v >= 0 && v < 6).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(6);
  });
});

describe('normal', () => {
  it('has mean ~0 and standard deviation ~1', () => {
    const rng = createRandom(11);
    const n = 50_000;
    const xs = Array.from({ length: n }, () => normal(rng));
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
    expect(xs.every(Number.isFinite)).toBe(true);
  });
});

describe('clocks', () => {
  it('manual clock moves only when advanced', () => {
    const clock = createManualClock(100);
    expect(clock.now()).toBe(100);
    clock.advance(250);
    expect(clock.now()).toBe(350);
    expect(() => clock.advance(-1)).toThrow(/monotonic/);
  });

  it('system clock is monotonic and counts real milliseconds', () => {
    // Held against process.hrtime, read around it: whatever the machine's load, the system
    // clock must move by at least the inner hrtime span and at most the outer one (a clock in
    // the wrong unit, or one that stands still, fails; no absolute duration is assumed).
    const ms = (t: bigint): number => Number(t) / 1e6;
    const outer0 = process.hrtime.bigint();
    const a = systemClock.now();
    const inner0 = process.hrtime.bigint();
    let last = a;
    while (ms(process.hrtime.bigint() - inner0) < 20) {
      const t = systemClock.now();
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    const inner1 = process.hrtime.bigint();
    const b = systemClock.now();
    const outer1 = process.hrtime.bigint();
    expect(b - a).toBeGreaterThanOrEqual(ms(inner1 - inner0) - 0.01);
    expect(b - a).toBeLessThanOrEqual(ms(outer1 - outer0) + 0.01);
  });
});
