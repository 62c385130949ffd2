import { LatencyRecorder } from '../../src/metrics/histogram.js';
import type { LatencySummary } from '../../src/results/types.js';

/** The summary a real HDR recorder gives for these values (ns), its WASM memory freed. */
export function summaryOf(values: readonly number[]): LatencySummary {
  const r = new LatencyRecorder();
  try {
    for (const v of values) r.record(v);
    return r.summarize();
  } finally {
    r.destroy();
  }
}
