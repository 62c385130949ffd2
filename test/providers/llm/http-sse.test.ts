import { describe, expect, it } from 'vitest';
import { ChatStreamReader, createSseParser } from '../../../src/providers/llm/sse.js';

function parseAll(pieces: string[]): string[] {
  const out: string[] = [];
  const p = createSseParser((data) => out.push(data));
  pieces.forEach((piece, i) => p.push(piece, i));
  p.end(pieces.length);
  return out;
}

describe('createSseParser', () => {
  const cases: Array<{ name: string; pieces: string[]; want: string[] }> = [
    { name: 'one event', pieces: ['data: a\n\n'], want: ['a'] },
    { name: 'two events in one read', pieces: ['data: a\n\ndata: b\n\n'], want: ['a', 'b'] },
    { name: 'an event split across reads', pieces: ['da', 'ta: hel', 'lo\n', '\n'], want: ['hello'] },
    { name: 'CRLF line ends', pieces: ['data: a\r\n\r\ndata: b\r\n\r\n'], want: ['a', 'b'] },
    { name: 'CRLF split between reads', pieces: ['data: a\r', '\n\r', '\n'], want: ['a'] },
    { name: 'bare CR line ends', pieces: ['data: a\r\rdata: b\r\r'], want: ['a', 'b'] },
    { name: 'multi-line data joined with \\n', pieces: ['data: a\ndata: b\n\n'], want: ['a\nb'] },
    { name: 'comments and other fields skipped', pieces: [': keep-alive\n\nevent: x\nid: 1\nretry: 5\ndata: a\n\n'], want: ['a'] },
    { name: 'no space after the colon', pieces: ['data:a\n\n'], want: ['a'] },
    { name: 'only one leading space removed', pieces: ['data:  a\n\n'], want: [' a'] },
    { name: 'a last event without a blank line', pieces: ['data: a\n\ndata: [DONE]'], want: ['a', '[DONE]'] },
    { name: 'events without data are not dispatched', pieces: ['event: ping\n\n\n\n'], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => expect(parseAll(c.pieces)).toEqual(c.want));
  }

  it('stamps every event with the time of the read that completed it', () => {
    const times: number[] = [];
    const p = createSseParser((_d, at) => times.push(at));
    p.push('data: a\n\ndata: b', 10);
    p.push('\n\n', 20);
    expect(times).toEqual([10, 20]);
  });
});

function chunk(delta: object, finish: string | null = null, extra: object = {}): string {
  return JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
}

describe('ChatStreamReader', () => {
  it('reassembles content; ttft to the first content event, itl between the rest', () => {
    const r = new ChatStreamReader(100);
    r.onData(chunk({ role: 'assistant', content: '' }), 101); // role only: not a token
    r.onData(chunk({ content: 'Hel' }), 150);
    r.onData(chunk({ content: 'lo' }), 160);
    r.onData(chunk({ content: '!' }), 175);
    r.onData(chunk({}, 'stop'), 176);
    r.onData(JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } }), 177);
    r.onData('[DONE]', 178);
    expect(r.done).toBe(true);
    const res = r.finishAt(180);
    expect(res.content).toBe('Hello!');
    expect(res.finishReason).toBe('stop');
    expect(res.usage).toEqual({ promptTokens: 7, completionTokens: 3, totalTokens: 10 });
    expect(res.timing?.ttftNs).toBeCloseTo(50e6);
    expect(res.timing?.chunkGapsNs.map((v) => Math.round(v))).toEqual([10e6, 15e6]);
    expect(res.timing?.chunks).toBe(3);
    expect(res.timing?.totalNs).toBeCloseTo(80e6);
    expect(res.timing?.outputTokens).toBe(3);
    expect(res.timing?.outputTokensEstimated).toBeUndefined();
  });

  it('without usage from the server, estimates the answer tokens from its text (4 characters a token) and says so', () => {
    const r = new ChatStreamReader(0);
    r.onData(chunk({ content: 'abcdefgh' }), 1);
    r.onData(chunk({ content: 'ijklmnop' }), 2);
    r.onData(chunk({ content: 'qrst' }, 'length'), 3);
    const res = r.finishAt(4);
    // 20 characters: 5 tokens by the estimate, though the stream had 3 chunks.
    expect(res.usage).toEqual({ promptTokens: 0, completionTokens: 5, totalTokens: 5, estimated: true });
    expect(res.timing).toMatchObject({ outputTokens: 5, outputTokensEstimated: true, chunks: 3 });
    expect(res.finishReason).toBe('length');
  });

  it('assembles tool calls whose arguments arrive in pieces', () => {
    const r = new ChatStreamReader(0);
    r.onData(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '' } }] }), 1);
    r.onData(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"expression":' } }] }), 2);
    r.onData(chunk({ tool_calls: [{ index: 0, function: { arguments: '"1+1"}' } }] }), 3);
    r.onData(chunk({}, 'tool_calls'), 4);
    const res = r.finishAt(5);
    expect(res.toolCalls).toEqual([{ id: 'call_1', name: 'calculator', arguments: '{"expression":"1+1"}' }]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.timing?.ttftNs).toBeCloseTo(1e6);
    expect(res.timing?.chunkGapsNs).toHaveLength(2);
  });

  it('rejects a stream that ends before its finish_reason', () => {
    const r = new ChatStreamReader(0);
    r.onData(chunk({ content: 'a' }), 1);
    expect(() => r.finishAt(2)).toThrow(expect.objectContaining({ code: 'LLM_BAD_RESPONSE' }));
  });

  it('turns an error event into LLM_SERVER_ERROR and bad JSON into LLM_BAD_RESPONSE', () => {
    expect(() => new ChatStreamReader(0).onData('{"error":{"message":"overloaded"}}', 1)).toThrow(
      expect.objectContaining({ code: 'LLM_SERVER_ERROR', message: expect.stringContaining('overloaded') }),
    );
    expect(() => new ChatStreamReader(0).onData('{not json', 1)).toThrow(expect.objectContaining({ code: 'LLM_BAD_RESPONSE' }));
    expect(() => new ChatStreamReader(0).onData(chunk({ content: 'a' }, 'weird'), 1)).toThrow(expect.objectContaining({ code: 'LLM_BAD_RESPONSE' }));
  });

  it('an empty answer has its first token at the end of the stream and no chunk gaps', () => {
    const r = new ChatStreamReader(0);
    r.onData(chunk({ role: 'assistant', content: '' }, 'stop'), 4);
    const res = r.finishAt(5);
    expect(res.timing?.ttftNs).toBeCloseTo(5e6);
    expect(res.timing?.chunkGapsNs).toEqual([]);
    expect(res.timing?.chunks).toBe(0);
  });
});
