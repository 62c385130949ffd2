import { describe, it, expect } from 'vitest';
import type { LLMProviderConfig } from '../../../src/providers/config.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../../src/providers/config.js';
import type { ChatCompletionRequest, ChatCompletionResponse, WireMessage, WireTool } from '../../../src/providers/llm/chat-completion.js';
import { createRandom } from '../../../src/providers/random.js';
import { createSimulatedTransport } from '../../../src/providers/llm/simulated-transport.js';
import { BUILTIN_TOOLS } from '../../../src/providers/agent/tools.js';
import { caught } from '../../helpers/caught.js';

function config(overrides: Partial<LLMProviderConfig> = {}): LLMProviderConfig {
  return { ...DEFAULT_PROVIDERS_CONFIG.llm, ...overrides };
}

function transport(overrides: Partial<LLMProviderConfig> = {}, seed = 1) {
  return createSimulatedTransport(config(overrides), { random: createRandom(seed) });
}

const TOOLS: WireTool[] = Object.values(BUILTIN_TOOLS).map((t) => ({
  type: 'function',
  function: { name: t.spec.name, description: t.spec.description, parameters: t.spec.parameters },
}));

function body(messages: WireMessage[], extra: Partial<ChatCompletionRequest> = {}): string {
  // tools first, as the DeepSeek provider sends it (exercises the server's tools cache)
  const { tools, ...rest } = extra;
  return JSON.stringify(tools === undefined ? { model: 'deepseek-chat', messages, ...rest } : { tools, model: 'deepseek-chat', messages, ...rest });
}

async function send(t: ReturnType<typeof transport>, text: string): Promise<ChatCompletionResponse> {
  return JSON.parse(await t.send(text)) as ChatCompletionResponse;
}

/** Drives a conversation the way an agent does, running the real tools. */
async function converse(t: ReturnType<typeof transport>, userText: string, maxRounds = 10) {
  const messages: WireMessage[] = [{ role: 'user', content: userText }];
  const used: string[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const res = await send(t, body(messages, { tools: TOOLS }));
    const msg = res.choices[0]!.message;
    if (msg.tool_calls === undefined) return { used, final: res, messages };
    messages.push({ role: 'assistant', content: msg.content, tool_calls: msg.tool_calls });
    for (const call of msg.tool_calls) {
      used.push(call.function.name);
      const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
      messages.push({ role: 'tool', content: BUILTIN_TOOLS[call.function.name]!.run(args), tool_call_id: call.id });
    }
  }
  throw new Error('the simulated model never answered');
}

describe('simulated transport: the wire', () => {
  it('answers with an OpenAI-shaped chat completion', async () => {
    const t = transport();
    const text = await t.send(body([{ role: 'user', content: 'Hello, how are you?' }], { temperature: 0.7, max_tokens: 1024 }));
    const res = JSON.parse(text) as Record<string, unknown>;
    expect(res).toMatchObject({
      object: 'chat.completion',
      model: 'deepseek-chat',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
    });
    expect(typeof res['id']).toBe('string');
    expect(Number.isInteger(res['created'])).toBe(true);
    const r = res as unknown as ChatCompletionResponse;
    const content = r.choices[0]!.message.content!;
    expect(typeof content).toBe('string');
    expect(r.usage.completion_tokens).toBe(DEFAULT_PROVIDERS_CONFIG.llm.completionTokens);
    expect(r.usage.prompt_tokens).toBe(Math.ceil('Hello, how are you?'.length / 4));
    expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens + r.usage.completion_tokens);
    expect(r.choices[0]!.message.tool_calls).toBeUndefined();
    await t.close();
  });

  it('is described as simulated with its latency model', () => {
    expect(transport().simulated).toBe(true);
    expect(transport().description).toBe('simulated in-process (latency none)');
    expect(transport({ latency: { model: 'fixed', ms: 5 }, errorRate: 0.01 }).description).toBe(
      'simulated in-process (latency fixed 5ms; errors 1%)',
    );
    expect(transport({ errorRate: 0.07, timeoutRate: 0.001, stallEvery: 100, stallForMs: 50 }).description).toBe(
      'simulated in-process (latency none; errors 7%, timeouts 0.1%, stall 50ms every 100 calls)',
    );
  });

  it.each([
    ['not JSON', '{nope', /not valid JSON/],
    ['not an object', '[1,2]', /JSON object/],
    ['missing model', JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), /'model'/],
    ['empty messages', JSON.stringify({ model: 'm', messages: [] }), /'messages'/],
    ['bad role', JSON.stringify({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }), /role/],
    ['bad content', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 5 }] }), /content/],
    ['bad tools', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: {} }), /'tools'/],
  ])('rejects a bad request (%s) with LLM_BAD_REQUEST', async (_name, text, message) => {
    const error = await caught(transport().send(text));
    expect(error.code).toBe('LLM_BAD_REQUEST');
    expect(error.message).toMatch(message);
  });

  it('parses tools the same whether they come first (cached) or not', async () => {
    const messages: WireMessage[] = [{ role: 'user', content: 'What is 2 + 3?' }];
    const first = await send(transport(), body(messages, { tools: TOOLS }));
    const t = transport();
    await t.send(body(messages, { tools: TOOLS })); // primes the cache
    const cached = await send(t, body(messages, { tools: TOOLS }));
    const last = await send(transport(), JSON.stringify({ model: 'deepseek-chat', messages, tools: TOOLS }));
    for (const r of [cached, last]) {
      expect(r.choices[0]!.message.tool_calls![0]!.function).toEqual(first.choices[0]!.message.tool_calls![0]!.function);
    }
    // A different tool list after the cache was primed is not mistaken for the cached one.
    const onlySearch = await send(t, body(messages, { tools: TOOLS.filter((x) => x.function.name === 'search') }));
    expect(onlySearch.choices[0]!.message.tool_calls![0]!.function.name).toBe('search');
  });
});

describe('simulated transport: the model', () => {
  it.each([0, 1, 2, 3])('asks for tools %d times, then answers', async (toolRounds) => {
    const { used, final } = await converse(transport({ toolRounds }), 'What is 12 * (3 + 4)? Also, what is tokio?');
    expect(used).toHaveLength(toolRounds);
    expect(final.choices[0]!.finish_reason).toBe('stop');
    expect(final.usage.completion_tokens).toBe(DEFAULT_PROVIDERS_CONFIG.llm.completionTokens);
  });

  it.each([
    ['What is 12 * (3 + 4)?', ['calculator', 'search'], /^84$/],
    ['Tell me about the sliding memory window', ['search', 'calculator'], /Sliding memory window/],
  ])('picks tools from the question and alternates: %s', async (question, expected, firstResult) => {
    const { used, messages } = await converse(transport({ toolRounds: 2 }), question);
    expect(used).toEqual(expected);
    expect(messages[2]!.content).toMatch(firstResult);
    // The second tool's result is real too (no "error:" from a bad argument).
    expect(messages[4]!.content).not.toMatch(/^error/);
  });

  it('asks for the expression found in the text', async () => {
    const res = await send(transport(), body([{ role: 'user', content: 'Please compute 2.5 * (4 - 1) ^ 2 now' }], { tools: TOOLS }));
    expect(JSON.parse(res.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual({ expression: '2.5 * (4 - 1) ^ 2' });
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect(res.choices[0]!.message.content).toBeNull();
  });

  it('answers without tools when none are offered', async () => {
    const res = await send(transport({ toolRounds: 5 }), body([{ role: 'user', content: 'What is 1 + 1?' }]));
    expect(res.choices[0]!.finish_reason).toBe('stop');
  });

  it('counts tool rounds from the last user message only', async () => {
    const t = transport({ toolRounds: 1 });
    const first = await converse(t, 'What is 1 + 1?');
    expect(first.used).toHaveLength(1);
    const history: WireMessage[] = [...first.messages, { role: 'assistant', content: 'two' }, { role: 'user', content: 'And 2 + 2?' }];
    const res = await send(t, body(history, { tools: TOOLS }));
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('caps the answer at max_tokens with finish_reason length', async () => {
    const res = await send(transport({ completionTokens: 100 }), body([{ role: 'user', content: 'hi there' }], { max_tokens: 10 }));
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage.completion_tokens).toBe(10);
  });

  it('is deterministic for a seed', async () => {
    const run = async (seed: number) => {
      const t = transport({}, seed);
      const out: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await send(t, body([{ role: 'user', content: 'Tell me about agents, memory windows and tokio runtime scheduling' }]));
        out.push(r.choices[0]!.message.content!);
      }
      return out;
    };
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
  });
});

describe('simulated transport: faults and latency', () => {
  it('errorRate 1 fails every call with LLM_SERVER_ERROR', async () => {
    const t = transport({ errorRate: 1 });
    for (let i = 0; i < 5; i++) {
      const error = await caught(t.send(body([{ role: 'user', content: 'hi' }])));
      expect(error.code).toBe('LLM_SERVER_ERROR');
      expect(error.message).toMatch(/simulated 500/);
    }
  });

  it('errorRate 0.1 fails about 10% of 5000 calls, the same ones for the same seed', async () => {
    const run = async (seed: number) => {
      const t = transport({ errorRate: 0.1 }, seed);
      const failed: number[] = [];
      const text = body([{ role: 'user', content: 'hi' }]);
      for (let i = 0; i < 5000; i++) {
        try {
          await t.send(text);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('LLM_SERVER_ERROR');
          failed.push(i);
        }
      }
      return failed;
    };
    const a = await run(123);
    expect(a.length).toBeGreaterThan(420);
    expect(a.length).toBeLessThan(580);
    expect(await run(123)).toEqual(a);
  });

  it('timeouts stay pending until close() rejects them with TRANSPORT_CLOSED', async () => {
    const t = transport({ timeoutRate: 1 });
    const settled: string[] = [];
    const calls = [0, 1, 2].map((i) =>
      t.send(body([{ role: 'user', content: 'hi' }])).then(
        () => settled.push(`${i} resolved`),
        (e: { code?: string }) => settled.push(`${i} ${e.code}`),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toEqual([]);
    expect(t.pending).toBe(3);
    await t.close();
    await Promise.all(calls);
    expect(settled.sort()).toEqual(['0 TRANSPORT_CLOSED', '1 TRANSPORT_CLOSED', '2 TRANSPORT_CLOSED']);
    expect(t.pending).toBe(0);
    const after = await caught(t.send(body([{ role: 'user', content: 'hi' }])));
    expect(after.code).toBe('TRANSPORT_CLOSED');
  });

  it('waits out a fixed latency with a timer', async () => {
    const t = transport({ latency: { model: 'fixed', ms: 30 } });
    const start = performance.now();
    await t.send(body([{ role: 'user', content: 'hi' }]));
    expect(performance.now() - start).toBeGreaterThanOrEqual(28);
  });

  it('rejects requests waiting out their latency on close()', async () => {
    const t = transport({ latency: { model: 'fixed', ms: 10_000 } });
    const p = t.send(body([{ role: 'user', content: 'hi' }]));
    expect(t.pending).toBe(1);
    await t.close();
    expect((await caught(p)).code).toBe('TRANSPORT_CLOSED');
  });

  it('zero latency answers without a timer (before any macrotask)', async () => {
    const t = transport();
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    await t.send(body([{ role: 'user', content: 'hi' }]));
    expect(timerFired).toBe(false);
  });

  it('freezes the process after every N-th call, between operations, not inside the call', async () => {
    const t = transport({ stallEvery: 3, stallForMs: 40 });
    const text = body([{ role: 'user', content: 'hi' }]);
    const sendTimes: number[] = [];
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      await t.send(text);
      sendTimes.push(performance.now() - start);
      // A macrotask turn: a stall queued by the call runs here.
      const before = performance.now();
      await new Promise<void>((r) => setImmediate(r));
      gaps.push(performance.now() - before);
    }
    // The 3rd and 6th calls themselves are quick; the turn after them is frozen.
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(gaps[5]).toBeGreaterThanOrEqual(39);
    expect([0, 1, 3, 4].filter((i) => gaps[i]! < 39).length).toBeGreaterThanOrEqual(3);
    expect(sendTimes.filter((ms) => ms < 39).length).toBeGreaterThanOrEqual(5);
    expect(t.calls).toBe(6);
  });
});
