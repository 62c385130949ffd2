/**
 * The LLM figures of a phase, each with one meaning (docs/metrics.md has the definitions and
 * how they map to vLLM's, AIPerf's, GuideLLM's and llmperf's names):
 *
 *   ttft       request sent -> first output chunk; one value per streamed call
 *   tpot       (last chunk - first chunk) / (output tokens - 1); one value per streamed call
 *              with at least two chunks and two tokens: the first token is excluded
 *   chunkGap   time between consecutive output chunks (SSE events); one value per gap
 *   tokenGap   each chunk gap divided by the tokens a chunk carries (output tokens / chunks),
 *              recorded once per token; equals chunkGap when every chunk carries one token
 *   tokens     prompt and output tokens per operation; output tokens/s per request (streamed);
 *              total output tokens/s of the phase
 *
 * Counts come from the server's usage; when a server sends none they are local estimates,
 * and the figures say so (`tokens.source`, `tokens.estimated`).
 */
import { LatencyRecorder } from '../metrics/histogram.js';
import { rescale } from '../metrics/value-summary.js';
import type { LLMResponse, LLMTiming, TokenUsage } from '../providers/types.js';
import type { LatencySummary, TokenFigures, ValueSummary } from '../results/types.js';

/** Tokens/s are kept to 3 decimals in the histogram (values x 1000). */
const RATE_SCALE = 1000;

/** Nanoseconds as a histogram takes them: chunks read together are 0 ns apart, kept as 1 ns (not clamped). */
function ns(value: number): number {
  return value >= 1 ? Math.round(value) : 1;
}

/** A recorder's summary in another unit; `scale` undoes the integer scaling of the values. */
export function valueSummary(r: LatencyRecorder, unit: ValueSummary['unit'], scale: number): ValueSummary {
  return rescale(r.summarize(), unit, scale);
}

/** Chunk gaps of a timing, also from plugins written against the old `itlNs` name. */
export function chunkGapsOf(t: LLMTiming): readonly number[] {
  return t.chunkGapsNs ?? (t as unknown as { itlNs?: number[] }).itlNs ?? [];
}

export type LlmFigures = { ttft?: LatencySummary; tpot?: LatencySummary; chunkGap?: LatencySummary; tokenGap?: LatencySummary; tokens?: TokenFigures };

export class LlmMetrics {
  private recorders = new Map<string, LatencyRecorder>();
  private operations = 0;
  private estimated = 0;
  private outputTotal = 0;
  private streamed = 0;

  private rec(name: string): LatencyRecorder {
    let r = this.recorders.get(name);
    if (r === undefined) {
      r = new LatencyRecorder();
      this.recorders.set(name, r);
    }
    return r;
  }

  /**
   * One operation's tokens: prompt and output summed over its LLM calls. Zero prompt counts
   * (a plugin that reports none) are left out of the prompt distribution.
   */
  recordOperation(usage: TokenUsage, outputTokens: number = usage.completionTokens): void {
    this.operations++;
    if (usage.estimated === true) this.estimated++;
    if (usage.promptTokens >= 1) this.rec('prompt').record(Math.round(usage.promptTokens));
    if (outputTokens >= 1) this.rec('output').record(Math.round(outputTokens));
    this.outputTotal += outputTokens > 0 ? outputTokens : 0;
  }

  /** A streamed call's timing (LLMResponse.timing). */
  recordTiming(t: LLMTiming): void {
    this.streamed++;
    this.rec('ttft').record(ns(t.ttftNs));
    const gaps = chunkGapsOf(t);
    const chunks = t.chunks ?? gaps.length + 1;
    const tokens = t.outputTokens;
    if (gaps.length > 0) {
      const chunkGap = this.rec('chunkGap');
      let decode = 0;
      for (const g of gaps) {
        chunkGap.record(ns(g));
        decode += g;
      }
      if (tokens >= 2) this.rec('tpot').record(ns(decode / (tokens - 1)));
      // Tokens a chunk carries, on average; each gap is split over that many tokens and
      // recorded that many times (fractions carried over, so a call adds ~ its tokens).
      const perChunk = chunks > 0 ? tokens / chunks : 0;
      if (perChunk > 0) {
        const tokenGap = this.rec('tokenGap');
        let carry = 0;
        for (const g of gaps) {
          carry += perChunk;
          const weight = Math.floor(carry + 1e-9);
          if (weight < 1) continue;
          carry -= weight;
          const each = ns(g / perChunk);
          // recordBatch records its mean `weight` times: one value per token of the chunk.
          tokenGap.recordBatch(each * weight, weight);
        }
      }
    }
    if (t.totalNs > 0 && tokens > 0) this.rec('rate').record(Math.max(1, Math.round((tokens / (t.totalNs / 1e9)) * RATE_SCALE)));
  }

  /** An llm.call answer: its tokens, and its timing when streamed. */
  recordResponse(r: LLMResponse): void {
    const t = r.timing;
    const estimated = r.usage.estimated === true || t?.outputTokensEstimated === true;
    this.recordOperation(estimated && r.usage.estimated !== true ? { ...r.usage, estimated } : r.usage, t?.outputTokens ?? r.usage.completionTokens);
    if (t !== undefined) this.recordTiming(t);
  }

  figures(durationMs: number): LlmFigures {
    const out: LlmFigures = {};
    const get = (name: string): LatencyRecorder | undefined => {
      const r = this.recorders.get(name);
      return r !== undefined && r.count > 0 ? r : undefined;
    };
    if (this.streamed > 0) {
      for (const name of ['ttft', 'tpot', 'chunkGap', 'tokenGap'] as const) {
        const r = get(name);
        if (r !== undefined) out[name] = r.summarize();
      }
    }
    if (this.operations > 0) {
      const prompt = get('prompt');
      const output = get('output');
      const rate = get('rate');
      out.tokens = {
        source: this.estimated === 0 ? 'usage' : this.estimated === this.operations ? 'estimate' : 'mixed',
        operations: this.operations,
        estimated: this.estimated,
        ...(prompt ? { prompt: valueSummary(prompt, 'tokens', 1) } : {}),
        ...(output ? { output: valueSummary(output, 'tokens', 1) } : {}),
        outputTotal: this.outputTotal,
        outputPerSecond: durationMs > 0 ? this.outputTotal / (durationMs / 1000) : 0,
        ...(rate ? { outputPerSecondPerRequest: valueSummary(rate, 'tokens/s', RATE_SCALE) } : {}),
      };
    }
    return out;
  }

  reset(): void {
    for (const r of this.recorders.values()) r.reset();
    this.operations = 0;
    this.estimated = 0;
    this.outputTotal = 0;
    this.streamed = 0;
  }

  destroy(): void {
    for (const r of this.recorders.values()) r.destroy();
    this.recorders.clear();
  }
}
