/**
 * The llm.call operation. Beside the call's latency (timed by the executors) it records the
 * LLM figures of every answer (tokens; for streamed calls TTFT, TPOT, the gap between chunks
 * and the gap per token: runner/llm-metrics.ts, docs/metrics.md), and reports how the
 * provider's counters (HTTP retries, cache hits, pool waits) grew during the measured run.
 */
import type { LLMProvider, LLMResponse, Message } from '../providers/types.js';
import { LlmMetrics, type LlmFigures } from './llm-metrics.js';

/** What prepareOperation returns, minus the import cycle. */
export interface LLMCallOp {
  fast: false;
  abortable: boolean;
  run: (i: number, signal?: AbortSignal) => Promise<LLMResponse>;
  settle: (value: unknown) => void;
  extra: () => Record<string, number>;
  /** Provider counters that are running totals (they add up over trials and parts). */
  totals: () => readonly string[];
  timings: (durationMs: number) => LlmFigures;
  afterWarmup: () => void;
  dispose: () => void;
}

/** The provider's counters' growth since `base`, with the cache's hit ratio when it has one. */
export function counterGrowth(llm: LLMProvider, base: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(llm.counters?.() ?? {})) out[k] = v - (base[k] ?? 0);
  const hits = out['cacheHits'];
  const misses = out['cacheMisses'];
  if (hits !== undefined && misses !== undefined) out['cacheHitRatio'] = hits + misses > 0 ? hits / (hits + misses) : 0;
  return out;
}

export function llmCallOp(llm: LLMProvider, messages: (i: number) => Message[]): LLMCallOp {
  let calls = 0;
  let tokens = 0;
  const metrics = new LlmMetrics();
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
      metrics.recordResponse(r);
    },
    extra: () => ({ tokensPerCall: calls ? tokens / calls : 0, ...counterGrowth(llm, base) }),
    // Every provider counter is a running total (LLMProvider.counters), whatever its name.
    totals: () => Object.keys(counters()),
    timings: (durationMs) => metrics.figures(durationMs),
    afterWarmup: () => {
      calls = 0;
      tokens = 0;
      metrics.reset();
      base = counters();
    },
    dispose: () => metrics.destroy(),
  };
}
