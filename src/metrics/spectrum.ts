/**
 * The percentile spectrum of an encoded histogram: latency against percentile, read at points
 * evenly spaced on a log axis of 1/(1-p), the picture the HdrHistogram plotter made standard.
 * Reports embed these points as data, so a browser never needs the WebAssembly decoder.
 */
import { openResultHistogram } from './histogram.js';

/** Where every spectrum stops at the latest: p99.999, i.e. 1/(1-p) = 100,000. */
export const SPECTRUM_MAX_X = 100_000;

/**
 * Ten points per decade of 1/(1-p), on mantissas chosen so that the percentiles are round
 * (1.25 -> p20, 2 -> p50, 4 -> p75, 10 -> p90, 100 -> p99, ...): every percentile a summary
 * reports (p50, p90, p99, p99.9) is a point of the spectrum, so a table and a hover agree.
 */
const MANTISSAS = [1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.4, 8] as const;

/** The x values (1/(1-p)) of the full grid, from 1 (p0) to SPECTRUM_MAX_X (p99.999). */
export function spectrumGrid(): number[] {
  const xs: number[] = [];
  for (let decade = 1; decade < SPECTRUM_MAX_X; decade *= 10) for (const m of MANTISSAS) xs.push(m * decade);
  xs.push(SPECTRUM_MAX_X);
  return xs;
}

/** Percentile (0..100) of a grid point: x = 1/(1-p). */
export function percentileOf(x: number): number {
  // Rounded: 100 * (1 - 1/1.25) is 19.999999999999996 in floating point.
  return Number((100 * (1 - 1 / x)).toPrecision(12));
}

export interface SpectrumPoint {
  /** 1/(1-p): the position on the log axis. */
  x: number;
  /** 0..100. */
  percentile: number;
  /** The histogram's value at that percentile (ns), as its summaries compute p50, p99... */
  value: number;
}

export interface Spectrum {
  count: number;
  /**
   * Grid points up to where the data ends: with n values, every point beyond 1/(1-p) = n
   * reads the largest value, so the spectrum stops at the first such point (or at p99.999).
   * Empty for an empty histogram. Values are a bucket's upper edge (3 significant digits):
   * the exact min and max are in the result's summary.
   */
  points: SpectrumPoint[];
}

/** The spectrum of an HdrHistogram V2 encoding ("HISTFAAA..."), as stored in results. */
export function percentileSpectrum(encoded: string): Spectrum {
  const recorder = openResultHistogram(encoded);
  try {
    const count = recorder.count;
    const points: SpectrumPoint[] = [];
    if (count > 0) {
      for (const x of spectrumGrid()) {
        const percentile = percentileOf(x);
        points.push({ x, percentile, value: recorder.valueAtPercentile(percentile) });
        if (x > count) break;
      }
    }
    return { count, points };
  } finally {
    recorder.destroy();
  }
}
