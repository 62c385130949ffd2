import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/providers/random.js';
import { createSampler, createZipf, describeDistribution, parseDistribution, parsePopularity, type Distribution } from '../../src/workload/distributions.js';
import { estimateTokens } from '../../src/providers/llm/chat-completion.js';
import { createSyntheticGenerator, parseSyntheticSpec, type SyntheticSpec } from '../../src/workload/synthetic.js';

function sample(text: string, kind: 'count' | 'duration', n = 20_000, seed = 1): number[] {
  const d = parseDistribution(text, kind) as Distribution;
  const draw = createSampler(d, kind, createRandom(seed));
  return Array.from({ length: n }, () => draw());
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))] as number;
}

describe('parseDistribution', () => {
  it.each([
    ['120', 'count', { kind: 'fixed', value: 120 }],
    ['fixed(7)', 'count', { kind: 'fixed', value: 7 }],
    ['uniform(10, 200)', 'count', { kind: 'uniform', min: 10, max: 200 }],
    ['normal(100,30)', 'count', { kind: 'normal', mean: 100, sd: 30 }],
    ['lognormal(50, 800)', 'count', { kind: 'lognormal', p50: 50, p99: 800 }],
    ['2s', 'duration', { kind: 'fixed', value: 2000 }],
    ['0', 'duration', { kind: 'fixed', value: 0 }],
    ['lognormal(500ms, 5s)', 'duration', { kind: 'lognormal', p50: 500, p99: 5000 }],
    ['uniform(100ms,1s)', 'duration', { kind: 'uniform', min: 100, max: 1000 }],
  ] as const)('%s (%s)', (text, kind, want) => {
    expect(parseDistribution(text, kind)).toEqual(want);
    expect(parseDistribution(describeDistribution(want as Distribution, kind), kind)).toEqual(want);
  });

  it.each([
    ['-5', 'count', 'not a distribution'],
    [-5, 'duration', 'negative'],
    ['-1s', 'duration', 'not a distribution'],
    ['uniform(9,3)', 'count', 'min <= max'],
    ['lognormal(800,50)', 'count', '0 < p50 < p99'],
    ['lognormal(5s)', 'duration', 'takes two values'],
    ['gauss(1,2)', 'count', 'not a distribution'],
    ['uniform(1s,2s)', 'count', 'numbers'],
  ] as const)('refuses %s (%s)', (text, kind, message) => {
    expect(parseDistribution(text, kind)).toContain(message);
  });

  it('popularity: even or zipf(s > 0)', () => {
    expect(parsePopularity('even')).toEqual({ kind: 'even' });
    expect(parsePopularity('zipf(1.1)')).toEqual({ kind: 'zipf', s: 1.1 });
    expect(parsePopularity('zipf(0)')).toContain('not a session popularity');
    expect(parsePopularity('pareto')).toContain('zipf(s)');
  });
});

describe('samplers', () => {
  it('lognormal(50,800) counts: median ~50, 99th percentile ~800, whole numbers >= 1', () => {
    const xs = sample('lognormal(50,800)', 'count');
    expect(quantile(xs, 0.5)).toBeGreaterThan(45);
    expect(quantile(xs, 0.5)).toBeLessThan(55);
    expect(quantile(xs, 0.99)).toBeGreaterThan(650);
    expect(quantile(xs, 0.99)).toBeLessThan(1000);
    expect(xs.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
  });

  it('uniform counts cover every whole number of the range equally', () => {
    const xs = sample('uniform(3,10)', 'count', 16_000);
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    for (const c of counts.values()) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('normal durations: mean and sd as given, never below 0', () => {
    const xs = sample('normal(1s,200ms)', 'duration');
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeGreaterThan(990);
    expect(mean).toBeLessThan(1010);
    expect(sd).toBeGreaterThan(190);
    expect(sd).toBeLessThan(210);
    expect(Math.min(...sample('normal(10ms,50ms)', 'duration'))).toBe(0);
  });

  it('zipf(s) over n slots: frequencies proportional to 1/k^s', () => {
    const draw = createZipf(10, 1, createRandom(4));
    const counts = new Array<number>(10).fill(0);
    for (let k = 0; k < 50_000; k++) counts[draw()]! += 1;
    const h = Array.from({ length: 10 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
    for (let k = 0; k < 10; k++) expect(Math.abs((counts[k] as number) / 50_000 - 1 / (k + 1) / h)).toBeLessThan(0.01);
  });
});

describe('synthetic conversations', () => {
  const spec = parseSyntheticSpec({ promptTokens: 'lognormal(40,600)', answerTokens: 'uniform(10,20)', turns: 'uniform(2,5)', thinkTime: 'fixed(1s)', systemTokens: 30 }) as SyntheticSpec;

  it('follow the distributions: turns, answer lengths, think time after the first turn, prompt tokens within 10 %', () => {
    const next = createSyntheticGenerator(spec, 7);
    const prompts: number[] = [];
    for (let k = 0; k < 500; k++) {
      const c = next();
      expect(c.session).toBe(`synthetic-${k + 1}`);
      expect(c.turns.length).toBeGreaterThanOrEqual(2);
      expect(c.turns.length).toBeLessThanOrEqual(5);
      expect(estimateTokens(c.system?.content.length ?? 0)).toBe(30);
      c.turns.forEach((t, i) => {
        expect(t.thinkTimeMs).toBe(i === 0 ? 0 : 1000);
        expect(t.answerTokens).toBeGreaterThanOrEqual(10);
        expect(t.answerTokens).toBeLessThanOrEqual(20);
        prompts.push(estimateTokens(t.user.content.length));
      });
    }
    const p50 = quantile(prompts, 0.5);
    expect(p50).toBeGreaterThan(34);
    expect(p50).toBeLessThan(46);
    expect(quantile(prompts, 0.99) / p50).toBeGreaterThan(8);
  });

  it('the same seed makes the same conversations', () => {
    const a = createSyntheticGenerator(spec, 3);
    const b = createSyntheticGenerator(spec, 3);
    const c = createSyntheticGenerator(spec, 4);
    const x = a();
    expect(b()).toEqual(x);
    expect(c()).not.toEqual(x);
  });

  it('a bad distribution names its field', () => {
    expect(parseSyntheticSpec({ thinkTime: -3 })).toMatchObject({ field: 'thinkTime', message: expect.stringContaining('negative') });
  });
});
