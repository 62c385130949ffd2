/**
 * Verdicts over a phase's time series: leak (is post-GC heap still growing at the end?) and
 * drift (is the tail latency of the end worse than at the start?). Pure functions.
 */
import type { DriftVerdict, IntervalSample, LeakVerdict } from '../results/types.js';
import { median } from '../util/median.js';

export interface Fit {
  slope: number;
  intercept: number;
  r2: number;
}

/** Ordinary least squares of y on x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): Fit {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return { slope: 0, intercept: ys[0] ?? 0, r2: 0 };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: 0, intercept: my, r2: 0 };
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

export const LEAK_MIN_SAMPLES = 6;
/** The fitted half must span at least this long: over seconds, GC noise and warm-up fill dominate. */
export const LEAK_MIN_SPAN_MS = 60_000;
/** Growth of post-GC heap, over the last half of a run, above which a leak is suspected. */
export const DEFAULT_LEAK_THRESHOLD_BYTES_PER_HOUR = 10 * 1024 * 1024;

/**
 * Fits post-GC heap against time over the *last half* of the samples: caches and windows
 * that fill up early and then level off are not leaks, memory that still grows at the end is.
 * A leak also needs the fit to explain the data (r2 >= 0.5), so GC noise alone never is one.
 */
export function leakVerdict(samples: readonly IntervalSample[], thresholdBytesPerHour = DEFAULT_LEAK_THRESHOLD_BYTES_PER_HOUR): LeakVerdict {
  const withHeap = samples.filter((s) => s.heapUsed !== undefined);
  const tail = withHeap.slice(Math.floor(withHeap.length / 2));
  const span = tail.length > 1 ? (tail[tail.length - 1] as IntervalSample).tMs - (tail[0] as IntervalSample).tMs : 0;
  if (tail.length < LEAK_MIN_SAMPLES / 2 || withHeap.length < LEAK_MIN_SAMPLES || span < LEAK_MIN_SPAN_MS) {
    return { verdict: 'insufficient data', samples: withHeap.length, slopeBytesPerHour: 0, r2: 0, thresholdBytesPerHour };
  }
  const fit = linearFit(
    tail.map((s) => s.tMs / 3_600_000),
    tail.map((s) => s.heapUsed as number),
  );
  const leaking = fit.slope > thresholdBytesPerHour && fit.r2 >= 0.5;
  return {
    verdict: leaking ? 'leak suspected' : 'no leak',
    samples: withHeap.length,
    slopeBytesPerHour: fit.slope,
    r2: fit.r2,
    thresholdBytesPerHour,
  };
}

export const DRIFT_RATIO = 1.5;
/** A p99 change smaller than this is never called drift: at sub-millisecond scale it is noise. */
export const DRIFT_MIN_CHANGE_NS = 1e6;
/** Each third needs this many operations for its p99s to mean anything. */
export const DRIFT_MIN_OPS_PER_THIRD = 1_000;

/**
 * Median of the per-interval p99 in the last third against the first third. Medians of
 * intervals, so one unlucky interval (a GC, a noisy neighbour) does not decide the verdict.
 */
export function driftVerdict(samples: readonly IntervalSample[], ratioThreshold = DRIFT_RATIO): DriftVerdict {
  const usable = samples.filter((s) => s.count > 0);
  const third = Math.floor(usable.length / 3);
  const firstThird = usable.slice(0, third);
  const lastThird = usable.slice(usable.length - third);
  const ops = (xs: IntervalSample[]): number => xs.reduce((a, s) => a + s.count, 0);
  if (third < 2 || ops(firstThird) < DRIFT_MIN_OPS_PER_THIRD || ops(lastThird) < DRIFT_MIN_OPS_PER_THIRD) {
    return { verdict: 'insufficient data', samples: usable.length, firstThirdP99Ns: 0, lastThirdP99Ns: 0, ratio: 1, threshold: ratioThreshold };
  }
  const first = median(firstThird.map((s) => s.p99));
  const last = median(lastThird.map((s) => s.p99));
  const ratio = first > 0 ? last / first : 1;
  const changed = Math.abs(last - first) > DRIFT_MIN_CHANGE_NS;
  return {
    verdict: changed && ratio > ratioThreshold ? 'slower' : changed && ratio < 1 / ratioThreshold ? 'faster' : 'stable',
    samples: usable.length,
    firstThirdP99Ns: first,
    lastThirdP99Ns: last,
    ratio,
    threshold: ratioThreshold,
  };
}

/** Keeps a series bounded: past `max` samples, adjacent pairs are merged (halving it). */
export function compactSeries(series: IntervalSample[], max: number): IntervalSample[] {
  if (series.length <= max) return series;
  const out: IntervalSample[] = [];
  for (let i = 0; i < series.length; i += 2) {
    const a = series[i] as IntervalSample;
    const b = series[i + 1];
    if (!b) {
      out.push(a);
      continue;
    }
    const count = a.count + b.count;
    const durationMs = (a.durationMs ?? 0) + (b.durationMs ?? 0);
    out.push({
      tMs: b.tMs,
      durationMs,
      count,
      errors: a.errors + b.errors,
      throughput: durationMs > 0 ? (count * 1000) / durationMs : (a.throughput + b.throughput) / 2,
      // Percentiles cannot be merged from summaries; the weighted p50 and the worse p99 are
      // the honest approximations (the whole-phase histogram stays exact).
      p50: count > 0 ? (a.p50 * a.count + b.p50 * b.count) / count : 0,
      p99: Math.max(a.p99, b.p99),
      ...(b.heapUsed !== undefined ? { heapUsed: b.heapUsed } : {}),
      ...(b.rss !== undefined ? { rss: b.rss } : {}),
      eventLoopP99: Math.max(a.eventLoopP99 ?? 0, b.eventLoopP99 ?? 0),
    });
  }
  return out;
}
