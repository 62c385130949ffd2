import { afterEach, describe, expect, it } from 'vitest';
import type { LLMResponse, LLMTiming } from '../../src/providers/types.js';
import { ChatStreamReader } from '../../src/providers/llm/sse.js';
import { LlmMetrics } from '../../src/runner/llm-metrics.js';

const MS = 1e6;
let metrics: LlmMetrics;
afterEach(() => metrics?.destroy());

function response(timing: LLMTiming | undefined, usage: Partial<LLMResponse['usage']> = {}): LLMResponse {
  return {
    id: 'x',
    model: 'm',
    content: '',
    toolCalls: [],
    finishReason: 'stop',
    usage: { promptTokens: 10, completionTokens: timing?.outputTokens ?? 5, totalTokens: 15, ...usage },
    ...(timing !== undefined ? { timing } : {}),
  };
}

describe('LlmMetrics: one meaning per name', () => {
  it('one token per chunk, 10 ms apart: TPOT, the chunk gap and the token gap are all 10 ms; TTFT is apart', () => {
    metrics = new LlmMetrics();
    metrics.recordResponse(response({ ttftNs: 50 * MS, chunkGapsNs: new Array(9).fill(10 * MS), chunks: 10, outputTokens: 10, totalNs: 140 * MS }));
    const f = metrics.figures(1000);
    expect((f.ttft?.p50 ?? 0) / MS).toBeCloseTo(50, 1);
    expect(f.tpot?.count).toBe(1);
    expect((f.tpot?.p50 ?? 0) / MS).toBeCloseTo(10, 1);
    expect(f.chunkGap?.count).toBe(9);
    expect((f.chunkGap?.p50 ?? 0) / MS).toBeCloseTo(10, 1);
    expect(f.tokenGap?.count).toBe(9);
    expect((f.tokenGap?.mean ?? 0) / MS).toBeCloseTo(10, 1);
    // 10 tokens in 140 ms.
    expect(f.tokens?.outputPerSecondPerRequest?.p50).toBeCloseTo(71.4, 0);
  });

  it('four tokens per chunk (a server that batches): the chunk gap is 40 ms, the gap per token 10 ms, recorded per token', () => {
    metrics = new LlmMetrics();
    // 8 chunks of 4 tokens, 40 ms apart: 32 tokens.
    metrics.recordResponse(response({ ttftNs: 30 * MS, chunkGapsNs: new Array(7).fill(40 * MS), chunks: 8, outputTokens: 32, totalNs: 310 * MS }));
    const f = metrics.figures(1000);
    expect(f.chunkGap?.count).toBe(7);
    expect((f.chunkGap?.p50 ?? 0) / MS).toBeCloseTo(40, 1);
    expect(f.tokenGap?.count).toBe(28);
    expect((f.tokenGap?.p50 ?? 0) / MS).toBeCloseTo(10, 1);
    // TPOT excludes the first token: 280 ms of decoding over 31 tokens.
    expect((f.tpot?.p50 ?? 0) / MS).toBeCloseTo(280 / 31, 1);
  });

  it('TPOT excludes the first token: a long TTFT does not move it; a single-token answer has none', () => {
    metrics = new LlmMetrics();
    metrics.recordResponse(response({ ttftNs: 900 * MS, chunkGapsNs: [5 * MS, 5 * MS], chunks: 3, outputTokens: 3, totalNs: 910 * MS }));
    metrics.recordResponse(response({ ttftNs: 20 * MS, chunkGapsNs: [], chunks: 1, outputTokens: 1, totalNs: 20 * MS }));
    const f = metrics.figures(1000);
    expect(f.ttft?.count).toBe(2);
    expect(f.tpot?.count).toBe(1);
    expect((f.tpot?.p50 ?? 0) / MS).toBeCloseTo(5, 1);
  });

  it('reads chunk gaps under the old itlNs name (plugins written before)', () => {
    metrics = new LlmMetrics();
    metrics.recordResponse(response({ ttftNs: 1 * MS, itlNs: [2 * MS, 2 * MS], outputTokens: 3, totalNs: 5 * MS } as unknown as LLMTiming));
    expect(metrics.figures(1000).chunkGap?.count).toBe(2);
  });

  it('counts come from usage, or are marked as estimates; totals per phase second', () => {
    metrics = new LlmMetrics();
    metrics.recordResponse(response(undefined, { promptTokens: 100, completionTokens: 20 }));
    metrics.recordResponse(response(undefined, { promptTokens: 400, completionTokens: 60 }));
    let f = metrics.figures(2000);
    expect(f.tokens).toMatchObject({ source: 'usage', operations: 2, estimated: 0, outputTotal: 80, outputPerSecond: 40 });
    expect(f.tokens?.prompt).toMatchObject({ unit: 'tokens', count: 2, min: 100, max: 400 });
    expect(f.ttft).toBeUndefined();
    metrics.recordResponse(response(undefined, { promptTokens: 7, completionTokens: 3, estimated: true }));
    f = metrics.figures(2000);
    expect(f.tokens).toMatchObject({ source: 'mixed', operations: 3, estimated: 1 });
    metrics.reset();
    metrics.recordResponse(response(undefined, { estimated: true }));
    expect(metrics.figures(1000).tokens?.source).toBe('estimate');
  });

  it('from a real stream without usage: tokens estimated from the text, the token gap split accordingly', () => {
    metrics = new LlmMetrics();
    const r = new ChatStreamReader(0);
    const chunk = (content: string) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    // Three chunks of 16 characters (4 tokens each by the estimate), 20 ms apart.
    r.onData(chunk('abcdefghijklmnop'), 10);
    r.onData(chunk('abcdefghijklmnop'), 30);
    r.onData(chunk('abcdefghijklmnop'), 50);
    r.onData(JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), 51);
    metrics.recordResponse(r.finishAt(52));
    const f = metrics.figures(1000);
    expect(f.tokens).toMatchObject({ source: 'estimate', estimated: 1 });
    expect((f.chunkGap?.p50 ?? 0) / MS).toBeCloseTo(20, 1);
    expect((f.tokenGap?.p50 ?? 0) / MS).toBeCloseTo(5, 1);
    expect(f.tokenGap?.count).toBe(8);
  });
});
