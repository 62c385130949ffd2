/**
 * Distributions of counts and rates (tokens, tokens/s) kept in the same HDR histograms as
 * latencies: integer values, so a rate is recorded multiplied by a scale (1000: three
 * decimals) and every figure of its summary divided back.
 */
import type { LatencySummary, ValueSummary } from '../results/types.js';

/** A LatencySummary-shaped summary (of a recorder, or of merged histograms) in another unit. */
export function rescale(s: LatencySummary, unit: ValueSummary['unit'], scale: number): ValueSummary {
  return {
    unit,
    count: s.count,
    min: s.min / scale,
    mean: s.mean / scale,
    stddev: s.stddev / scale,
    p50: s.p50 / scale,
    p90: s.p90 / scale,
    p95: s.p95 / scale,
    p99: s.p99 / scale,
    p999: s.p999 / scale,
    max: s.max / scale,
    histogram: s.histogram,
    scale,
  };
}
