/**
 * Goodput (DistServe's term, as vLLM and AIPerf use it): the requests that met a per-request
 * SLO, e.g. `goodput: { latency: 50ms, ttft: 200ms }`. A request is good when it succeeded and
 * meets every part. Throughput counts what a server did; goodput counts what users got.
 *
 * Judged per request, not from the percentiles: "p99 < 50ms and ttft p99 < 200ms" can hold while
 * the requests that met one part are not those that met the other.
 *
 * What each part measures:
 *  - latency: the operation's latency as the phase records it (from the scheduled start under
 *    the open model, so queueing and generator lag count against it);
 *  - ttft: for a streamed LLM call, the time to first token counted from the same start as the
 *    latency (latency minus the time from the first token to the end); for an answer that
 *    arrives in one piece (no streaming, or not an LLM call), the whole latency: its first
 *    token came with its last.
 */
import type { LLMResponse } from '../providers/types.js';
import type { GoodputResult } from '../results/types.js';
import type { GoodputSpec } from '../scenarios/types.js';

export interface GoodputCounter {
  /** A successful operation: its recorded latency (ns) and what it returned. */
  onOk(latencyNs: number, value: unknown): void;
  /** The figures over `count` finished operations (failures included) in `durationMs`. */
  result(count: number, durationMs: number): GoodputResult;
  reset(): void;
}

function timingOf(value: unknown): LLMResponse['timing'] {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = (value as { timing?: unknown }).timing;
  if (typeof t !== 'object' || t === null) return undefined;
  const { ttftNs, totalNs } = t as { ttftNs?: unknown; totalNs?: unknown };
  return typeof ttftNs === 'number' && typeof totalNs === 'number' ? (t as LLMResponse['timing']) : undefined;
}

/** Time to first token counted from the operation's (scheduled) start, ns. */
export function ttftFromStart(latencyNs: number, value: unknown): number {
  const t = timingOf(value);
  if (t === undefined) return latencyNs;
  // The stream's tail (first token to end) is the same whichever start the latency counts from.
  return Math.max(0, latencyNs - Math.max(0, t.totalNs - t.ttftNs));
}

export function createGoodputCounter(spec: GoodputSpec): GoodputCounter {
  const latencyNs = spec.latencyMs !== undefined ? spec.latencyMs * 1e6 : Number.POSITIVE_INFINITY;
  const ttftNs = spec.ttftMs !== undefined ? spec.ttftMs * 1e6 : undefined;
  let good = 0;
  return {
    onOk(lat, value) {
      if (lat > latencyNs) return;
      if (ttftNs !== undefined && ttftFromStart(lat, value) > ttftNs) return;
      good++;
    },
    result(count, durationMs) {
      return {
        ...(spec.latencyMs !== undefined ? { latencyNs: spec.latencyMs * 1e6 } : {}),
        ...(ttftNs !== undefined ? { ttftNs } : {}),
        good,
        fraction: count > 0 ? good / count : 0,
        rate: durationMs > 0 ? (good * 1000) / durationMs : 0,
      };
    },
    reset() {
      good = 0;
    },
  };
}
