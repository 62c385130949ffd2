/**
 * The mock endpoint, checked with the official `openai` client: if the reference client
 * can use it, streaming and tool calls included, the mock really is OpenAI-compatible.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, type MockLLMServer } from '../../../src/mock/mock-llm-server.js';

const KEY = 'sk-test-SECRET-openai-client';

describe('mock-llm with the official openai client', () => {
  let m: MockLLMServer;
  let client: OpenAI;
  beforeAll(async () => {
    m = await startMockLLM({ ttftMs: 5, tokensPerSecond: 1000, tokens: 8, apiKey: KEY });
    client = new OpenAI({ apiKey: KEY, baseURL: m.baseUrl, maxRetries: 0, timeout: 10_000 });
  });
  afterAll(() => m.close());

  it('answers GET / for health', async () => {
    const res = await fetch(`${m.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('lists a model', async () => {
    const models = await client.models.list();
    expect(models.data.map((x) => x.id)).toEqual(['mock-model']);
  });

  it('answers a chat completion', async () => {
    const r = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello, how are you?' }] });
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe('deepseek-chat');
    expect(r.choices[0]?.finish_reason).toBe('stop');
    expect(r.choices[0]?.message.content?.split(' ')).toHaveLength(8);
    expect(r.usage?.completion_tokens).toBe(8);
  });

  it('streams a chat completion, with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 5,
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.split(' ')).toHaveLength(5);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(5);
  });

  it('asks for a tool, streamed or not, and the client assembles the call', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'calculator', description: 'arithmetic', parameters: { type: 'object', properties: { expression: { type: 'string' } } } } },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is 12 * 3?' }];
    const r = await client.chat.completions.create({ model: 'm', messages, tools });
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(r.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({ expression: '12 * 3' });

    const runner = client.chat.completions.stream({ model: 'm', messages, tools });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === 'function' ? streamed.function.name : undefined).toBe('calculator');
    expect(streamed?.type === 'function' ? JSON.parse(streamed.function.arguments) : undefined).toEqual({ expression: '12 * 3' });

    // After the tool's answer the mock answers in words.
    const after = await client.chat.completions.create({
      model: 'm',
      tools,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"12 * 3"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '36' },
      ],
    });
    expect(after.choices[0]?.finish_reason).toBe('stop');
  });

  it('refuses a wrong key with 401 and a bad request with 400, as the client expects', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: m.baseUrl, maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('injects errors at the configured rate', async () => {
    const failing = await startMockLLM({ errorRate: 1, errorStatus: 429 });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: failing.baseUrl, maxRetries: 0 });
      await expect(c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    } finally {
      await failing.close();
    }
  });
});
