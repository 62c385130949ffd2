/**
 * The only module that touches hdr-histogram-js. Settings follow NOTES-hdr-and-timing.md:
 * WebAssembly build (~25 ns a record against ~150 ns for the JS one), 64-bit buckets (the
 * narrower ones overflow silently), integer nanoseconds from 1 ns to 1 hour, 3 significant
 * digits, and every histogram destroyed after use (WASM memory is not garbage-collected).
 */
import * as hdr from 'hdr-histogram-js';
import type { HistogramSettings, LatencySummary } from '../results/types.js';
import { InputError } from '../util/input-error.js';

/** 1 hour in ns: the longest latency any phase can record; longer values are clamped. */
export const HIGHEST_TRACKABLE_NS = 3_600_000_000_000;
const SIGNIFICANT_DIGITS = 3;
const BUCKET_SIZE = 64;

/**
 * What every histogram is recorded with. Encoded histograms add up exactly only when these
 * match, and the V2 encoding does not carry all of them back (NOTES-scale-out.md), so shard
 * files state them beside the strings and `merge` compares them.
 */
export const HISTOGRAM_SETTINGS: Readonly<HistogramSettings> = Object.freeze({
  lowestNs: 1,
  highestNs: HIGHEST_TRACKABLE_NS,
  significantDigits: SIGNIFICANT_DIGITS,
  bucketBits: BUCKET_SIZE,
});

let wasmReady = false;
function ensureWasm(): void {
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent; initialising again costs time, not correctness
  if (!wasmReady) {
    hdr.initWebAssemblySync();
    // Stryker disable next-line BooleanLiteral: equivalent, as above
    wasmReady = true;
  }
}

function buildHistogram(): hdr.Histogram {
  ensureWasm();
  return hdr.build({
    bitBucketSize: BUCKET_SIZE,
    useWebAssembly: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_NS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    // Stryker disable next-line BooleanLiteral: equivalent; values are clamped into the range before recording, so it never needs to grow
    autoResize: false,
  });
}

/**
 * A latency histogram in nanoseconds. `record` is on the runner's hot path: keep it to a
 * branch and a WASM call.
 */
export class LatencyRecorder {
  private histogram: hdr.Histogram | undefined;
  /** Values outside [1, HIGHEST_TRACKABLE_NS] (or not finite) that were clamped. */
  clamped = 0;

  constructor(histogram?: hdr.Histogram) {
    this.histogram = histogram ?? buildHistogram();
  }

  private get h(): hdr.Histogram {
    if (!this.histogram) throw new Error('LatencyRecorder used after destroy()');
    return this.histogram;
  }

  get count(): number {
    return this.h.totalCount;
  }

  record(ns: number): void {
    if (ns >= 1 && ns <= HIGHEST_TRACKABLE_NS) {
      this.h.recordValue(ns);
    } else {
      this.recordClamped(ns, 1);
    }
  }

  /** A batch of `count` operations that took `totalNs` together: records their mean `count` times. */
  recordBatch(totalNs: number, count: number): void {
    // Stryker disable next-line EqualityOperator: equivalent; a batch of 0 would record nothing with a count of 0 anyway
    if (count <= 0) return;
    const each = Math.round(totalNs / count);
    if (each >= 1 && each <= HIGHEST_TRACKABLE_NS) {
      this.h.recordValueWithCount(each, count);
    } else {
      this.recordClamped(each, count);
    }
  }

  private recordClamped(ns: number, count: number): void {
    this.clamped += count;
    // Stryker disable next-line EqualityOperator: equivalent; HIGHEST_TRACKABLE_NS itself is in range and never reaches here
    // Above the range (an endless wait included) is the top; below it, or NaN, the bottom.
    const value = ns > HIGHEST_TRACKABLE_NS ? HIGHEST_TRACKABLE_NS : 1;
    this.h.recordValueWithCount(value, count);
  }

  valueAtPercentile(percentile: number): number {
    // Stryker disable next-line ConditionalExpression: equivalent with 3.0.1, whose empty histogram answers 0; kept so as not to depend on it
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(percentile);
  }

  add(other: LatencyRecorder): void {
    this.h.add(other.h);
    this.clamped += other.clamped;
  }

  reset(): void {
    this.h.reset();
    this.clamped = 0;
  }

  /** All the figures a phase reports. Mean and stddev walk the buckets: call once, at the end. */
  summarize(): LatencySummary {
    const h = this.h;
    const empty = h.totalCount === 0;
    const q = (p: number): number => (empty ? 0 : h.getValueAtPercentile(p));
    return {
      unit: 'ns',
      count: h.totalCount,
      min: empty ? 0 : h.minNonZeroValue,
      mean: empty ? 0 : h.mean,
      stddev: empty ? 0 : h.stdDeviation,
      p50: q(50),
      p90: q(90),
      p95: q(95),
      p99: q(99),
      p999: q(99.9),
      max: empty ? 0 : h.maxValue,
      histogram: hdr.encodeIntoCompressedBase64(h),
    };
  }

  destroy(): void {
    this.histogram?.destroy();
    this.histogram = undefined;
  }
}

/** Re-opens an encoded histogram (from a saved result) for re-analysis or merging. */
export function decodeRecorder(encoded: string): LatencyRecorder {
  ensureWasm();
  return new LatencyRecorder(hdr.decodeFromCompressedBase64(encoded, BUCKET_SIZE, true));
}

/**
 * Re-opens a histogram read from a result file. A damaged or hand-edited one is bad input
 * (one line naming what is wrong), not a crash of ours.
 */
export function openResultHistogram(encoded: string): LatencyRecorder {
  try {
    return decodeRecorder(encoded);
  } catch (e) {
    throw new InputError(`a latency histogram in the result cannot be decoded (${e instanceof Error ? e.message : String(e)}): is the file damaged?`);
  }
}

/** Summary of several encoded histograms merged (e.g. trials of one phase). */
export function mergeEncoded(encoded: readonly string[]): LatencySummary {
  const total = new LatencyRecorder();
  try {
    for (const e of encoded) {
      const r = decodeRecorder(e);
      try {
        total.add(r);
      } finally {
        r.destroy();
      }
    }
    return total.summarize();
  } finally {
    total.destroy();
  }
}
