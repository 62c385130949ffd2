/**
 * The llm.call operation. Beside the call's latency (timed by the executors) it records
 * what a streamed call reports (LLMResponse.timing) into `ttft` and `itl` histograms, and
 * reports how the provider's counters (HTTP retries, cache hits, pool waits) grew during
 * the measured run. Definitions: docs/http.md.
 */
import { LatencyRecorder } from '../metrics/histogram.js';
import type { LLMProvider, LLMResponse, Message } from '../providers/types.js';
import type { LatencySummary } from '../results/types.js';

/** What prepareOperation returns, minus the import cycle. */
export interface LLMCallOp {
  fast: false;
  abortable: boolean;
  run: (i: number, signal?: AbortSignal) => Promise<LLMResponse>;
  settle: (value: unknown) => void;
  extra: () => Record<string, number>;
  totals: () => readonly string[];
  timings: () => { ttft?: LatencySummary; itl?: LatencySummary };
  afterWarmup: () => void;
  dispose: () => void;
}

/** Nanoseconds as a histogram takes them: events read in one chunk are 0 ns apart, kept as 1 ns (not clamped). */
function ns(value: number): number {
  return value >= 1 ? Math.round(value) : 1;
}

export function llmCallOp(llm: LLMProvider, messages: (i: number) => Message[]): LLMCallOp {
  let calls = 0;
  let tokens = 0;
  let streamed = 0;
  let outputTokens = 0;
  let outputRateSum = 0;
  let ttft: LatencyRecorder | undefined;
  let itl: LatencyRecorder | undefined;
  const counters = (): Readonly<Record<string, number>> => llm.counters?.() ?? {};
  let base = counters();

  return {
    fast: false,
    // Only a real endpoint is worth an AbortController per call: a simulated call has no
    // connection to free, and the controller would cost a sizeable part of it.
    abortable: !llm.simulated,
    run: (i, signal) => llm.call(messages(i), undefined, signal ? { signal } : undefined),
    settle: (value) => {
      const r = value as LLMResponse;
      calls++;
      tokens += r.usage.totalTokens;
      const t = r.timing;
      if (t === undefined) return;
      ttft ??= new LatencyRecorder();
      itl ??= new LatencyRecorder();
      ttft.record(ns(t.ttftNs));
      for (const gap of t.itlNs) itl.record(ns(gap));
      streamed++;
      outputTokens += t.outputTokens;
      if (t.totalNs > 0) outputRateSum += t.outputTokens / (t.totalNs / 1e9);
    },
    extra: () => {
      const out: Record<string, number> = { tokensPerCall: calls ? tokens / calls : 0 };
      if (streamed > 0) {
        out['outputTokensPerCall'] = outputTokens / streamed;
        out['outputTokensPerSecond'] = outputRateSum / streamed;
      }
      const now = counters();
      for (const [k, v] of Object.entries(now)) out[k] = v - (base[k] ?? 0);
      const hits = out['cacheHits'];
      const misses = out['cacheMisses'];
      if (hits !== undefined && misses !== undefined) out['cacheHitRatio'] = hits + misses > 0 ? hits / (hits + misses) : 0;
      return out;
    },
    // Every provider counter is a running total (LLMProvider.counters), whatever its name.
    totals: () => Object.keys(counters()),
    timings: () => (ttft !== undefined && itl !== undefined && streamed > 0 ? { ttft: ttft.summarize(), itl: itl.summarize() } : {}),
    afterWarmup: () => {
      calls = 0;
      tokens = 0;
      streamed = 0;
      outputTokens = 0;
      outputRateSum = 0;
      ttft?.reset();
      itl?.reset();
      base = counters();
    },
    dispose: () => {
      ttft?.destroy();
      itl?.destroy();
      ttft = undefined;
      itl = undefined;
    },
  };
}
