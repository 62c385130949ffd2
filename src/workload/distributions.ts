/**
 * The distributions of synthetic workloads, written the way latency models are:
 *
 *   120 | fixed(120)        always 120
 *   uniform(10, 200)      every value in [10, 200] equally likely
 *   normal(100, 30)       mean 100, standard deviation 30 (clamped at the lower bound)
 *   lognormal(50, 800)    median 50, 99th percentile 800: a long right tail, like real prompts
 *
 * Counts (tokens, turns) take whole numbers >= 1; durations (think time) take "2s", "150ms"
 * and come out in ms >= 0. Session popularity is `even` (every open conversation in turn) or
 * `zipf(s)`: the conversation in slot k is picked with probability proportional to 1/k^s.
 */
import { normal } from '../providers/random.js';
import type { Random } from '../providers/types.js';
import { parseDurationMs } from '../util/units.js';

/** z of the 99th percentile of the standard normal. */
const Z99 = 2.3263478740408408;

export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'lognormal'; p50: number; p99: number };

export type Popularity = { kind: 'even' } | { kind: 'zipf'; s: number };

export type ValueKind = 'count' | 'duration';

export const DISTRIBUTION_HELP = {
  count: 'a whole number like 120, or fixed(n), uniform(min,max), normal(mean,sd) or lognormal(p50,p99) like lognormal(50,800)',
  duration: 'a duration like 2s, or fixed(d), uniform(min,max), normal(mean,sd) or lognormal(p50,p99) like lognormal(500ms,5s)',
} as const;

export const POPULARITY_HELP = 'even, or zipf(s) with s > 0 like zipf(1.1)';

function value(text: string, kind: ValueKind): number | undefined {
  const t = text.trim();
  if (kind === 'duration') {
    if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
    return parseDurationMs(t);
  }
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
}

/** Parses a distribution; returns an error message (without the field's name) on failure. */
export function parseDistribution(input: string | number, kind: ValueKind): Distribution | string {
  const help = DISTRIBUTION_HELP[kind];
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return `${input} is negative or not finite (allowed: ${help})`;
    return { kind: 'fixed', value: input };
  }
  const text = input.trim();
  const single = value(text, kind);
  if (single !== undefined) return { kind: 'fixed', value: single };
  const m = /^(fixed|uniform|normal|lognormal)\s*\(\s*([^,()]+?)\s*(?:,\s*([^,()]+?)\s*)?\)$/.exec(text);
  if (!m) return `"${text}" is not a distribution (allowed: ${help})`;
  const name = m[1] as Distribution['kind'];
  const a = value(m[2] as string, kind);
  const b = m[3] === undefined ? undefined : value(m[3], kind);
  if (a === undefined || (m[3] !== undefined && b === undefined)) return `"${text}": the arguments must be ${kind === 'count' ? 'numbers >= 0' : 'durations'} (allowed: ${help})`;
  if (name === 'fixed') return b === undefined ? { kind: 'fixed', value: a } : `"${text}": fixed takes one value`;
  if (b === undefined) return `"${text}": ${name} takes two values`;
  switch (name) {
    case 'uniform':
      return a <= b ? { kind: 'uniform', min: a, max: b } : `"${text}": uniform(min,max) needs min <= max`;
    case 'normal':
      return { kind: 'normal', mean: a, sd: b };
    case 'lognormal':
      return a > 0 && a < b ? { kind: 'lognormal', p50: a, p99: b } : `"${text}": lognormal(p50,p99) needs 0 < p50 < p99`;
  }
}

export function parsePopularity(input: string): Popularity | string {
  const text = input.trim();
  if (text === 'even') return { kind: 'even' };
  const m = /^zipf\s*\(\s*(\d+(?:\.\d+)?)\s*\)$/.exec(text);
  if (m && Number(m[1]) > 0) return { kind: 'zipf', s: Number(m[1]) };
  return `"${text}" is not a session popularity (allowed: ${POPULARITY_HELP})`;
}

/** The distribution as it would be written, for results and fingerprints. */
export function describeDistribution(d: Distribution, kind: ValueKind): string {
  const f = (v: number): string => (kind === 'duration' ? `${Number(v.toPrecision(6))}ms` : String(Number(v.toPrecision(6))));
  switch (d.kind) {
    case 'fixed':
      return `fixed(${f(d.value)})`;
    case 'uniform':
      return `uniform(${f(d.min)},${f(d.max)})`;
    case 'normal':
      return `normal(${f(d.mean)},${f(d.sd)})`;
    case 'lognormal':
      return `lognormal(${f(d.p50)},${f(d.p99)})`;
  }
}

export function describePopularity(p: Popularity): string {
  return p.kind === 'even' ? 'even' : `zipf(${p.s})`;
}

/**
 * A sampler of the distribution. Counts are rounded and at least `min` (1 for tokens and
 * turns); durations are at least 0. `fixed` draws no random numbers.
 */
export function createSampler(d: Distribution, kind: ValueKind, random: Random, min = kind === 'count' ? 1 : 0): () => number {
  const out = kind === 'count' ? (v: number) => Math.max(min, Math.round(v)) : (v: number) => Math.max(min, v);
  switch (d.kind) {
    case 'fixed': {
      const v = out(d.value);
      return () => v;
    }
    case 'uniform': {
      const { min: lo, max: hi } = d;
      // Counts: every whole number in [lo, hi] equally likely.
      if (kind === 'count') {
        const a = Math.ceil(lo);
        const span = Math.max(1, Math.floor(hi) - a + 1);
        return () => out(a + Math.floor(random.next() * span));
      }
      return () => out(lo + random.next() * (hi - lo));
    }
    case 'normal':
      return () => out(d.mean + d.sd * normal(random));
    case 'lognormal': {
      const mu = Math.log(d.p50);
      const sigma = (Math.log(d.p99) - mu) / Z99;
      return () => out(Math.exp(mu + sigma * normal(random)));
    }
  }
}

/**
 * Draws a slot in [0, n) with probability proportional to 1/(slot+1)^s, by inverting the
 * cumulative weights (precomputed once: n is the number of sessions, known in advance).
 */
export function createZipf(n: number, s: number, random: Random): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / Math.pow(k + 1, s);
    cdf[k] = sum;
  }
  return () => {
    const u = random.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
