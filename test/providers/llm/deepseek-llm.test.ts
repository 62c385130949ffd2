import { describe, it, expect } from 'vitest';
import type { LLMProviderConfig } from '../../../src/providers/config.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../../src/providers/config.js';
import type { ChatTransport, Message } from '../../../src/providers/types.js';
import { DeepSeekLLMProvider, serializeChatRequest } from '../../../src/providers/llm/deepseek-llm.js';
import { createRandom } from '../../../src/providers/random.js';
import { createSimulatedTransport } from '../../../src/providers/llm/simulated-transport.js';
import { BUILTIN_TOOLS } from '../../../src/providers/agent/tools.js';
import { caught } from '../../helpers/caught.js';

const LLM = DEFAULT_PROVIDERS_CONFIG.llm;
const SPECS = Object.values(BUILTIN_TOOLS).map((t) => t.spec);

/** A transport that records what it is sent and answers with canned text. */
function fakeTransport(answer: string | ((body: string) => string), simulated = false) {
  const bodies: string[] = [];
  let closed = false;
  const t: ChatTransport & { bodies: string[]; closed: () => boolean } = {
    simulated,
    description: 'fake',
    bodies,
    closed: () => closed,
    async send(body) {
      bodies.push(body);
      return typeof answer === 'string' ? answer : answer(body);
    },
    async close() {
      closed = true;
    },
  };
  return t;
}

const OK_RESPONSE = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'deepseek-chat',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Fine, thanks.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
});

async function ready(config: LLMProviderConfig, transport: ChatTransport) {
  const p = new DeepSeekLLMProvider(config, { transport });
  await p.initialize();
  return p;
}

describe('DeepSeekLLMProvider lifecycle', () => {
  it('refuses calls before initialize() and after close()', async () => {
    const t = fakeTransport(OK_RESPONSE);
    const p = new DeepSeekLLMProvider(LLM, { transport: t });
    const before = await caught(p.call([{ role: 'user', content: 'hi' }]));
    expect(before.code).toBe('PROVIDER_NOT_READY');
    expect(before.message).toMatch(/before initialize/);
    expect(t.bodies).toHaveLength(0);
    await p.initialize();
    await p.call([{ role: 'user', content: 'hi' }]);
    await p.close();
    expect(t.closed()).toBe(true);
    expect((await caught(p.call([{ role: 'user', content: 'hi' }]))).message).toMatch(/after close/);
  });

  it('is named deepseek and mirrors the transport on simulated', () => {
    expect(new DeepSeekLLMProvider(LLM, { transport: fakeTransport('', true) }).simulated).toBe(true);
    const real = new DeepSeekLLMProvider(LLM, { transport: fakeTransport('', false) });
    expect(real.simulated).toBe(false);
    expect(real.name).toBe('deepseek');
  });

  it.each<[Partial<LLMProviderConfig>, RegExp]>([
    [{ model: '' }, /model: must be a non-empty string/],
    [{ temperature: 3 }, /temperature/],
    [{ maxTokens: 0 }, /maxTokens/],
    [{ errorRate: 1.5 }, /errorRate/],
    [{ timeoutRate: -0.1 }, /timeoutRate/],
    [{ stallEvery: 1.5 }, /stallEvery/],
    [{ toolRounds: -1 }, /toolRounds/],
    [{ completionTokens: 0 }, /completionTokens/],
    [{ latency: { model: 'uniform', minMs: 3, maxMs: 1 } }, /latency: .*minMs/],
  ])('initialize() rejects %j', async (bad, message) => {
    const p = new DeepSeekLLMProvider({ ...LLM, ...bad }, { transport: fakeTransport(OK_RESPONSE) });
    const error = await caught(p.initialize());
    expect(error.code).toBe('PROVIDER_CONFIG_INVALID');
    expect(error.message).toMatch(/^deepseek provider: invalid config: /);
    expect(error.message).toMatch(message);
  });
});

describe('DeepSeekLLMProvider request', () => {
  const conversation: Message[] = [
    { role: 'system', content: 'Be brief "please".' },
    { role: 'user', content: 'What is 2 + 2?\nThanks' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'calculator', arguments: '{"expression":"2 + 2"}' }] },
    { role: 'tool', content: '4', toolCallId: 'call_1', name: 'calculator' },
  ];

  it('builds an OpenAI-style chat-completion request', async () => {
    const t = fakeTransport(OK_RESPONSE);
    const p = await ready(LLM, t);
    await p.call(conversation, { tools: SPECS });
    const req = JSON.parse(t.bodies[0]!) as Record<string, unknown>;
    expect(req).toEqual({
      model: 'deepseek-chat',
      temperature: 0.7,
      max_tokens: 1024,
      messages: [
        { role: 'system', content: 'Be brief "please".' },
        { role: 'user', content: 'What is 2 + 2?\nThanks' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2 + 2"}' } }],
        },
        { role: 'tool', content: '4', tool_call_id: 'call_1', name: 'calculator' },
      ],
      tools: SPECS.map((s) => ({ type: 'function', function: { name: s.name, description: s.description, parameters: s.parameters } })),
    });
  });

  it('writes the same JSON that JSON.stringify would (apart from key order)', () => {
    const tricky: Message[] = [{ role: 'user', content: 'quote " backslash \\ tab \t nul \u0000 emoji 😀 lone \ud800 line\u2028sep' }];
    const text = serializeChatRequest({ model: 'm"x', temperature: 0.1, max_tokens: 7 }, tricky, SPECS);
    expect(JSON.parse(text)).toEqual({
      tools: SPECS.map((s) => ({ type: 'function', function: { name: s.name, description: s.description, parameters: s.parameters } })),
      model: 'm"x',
      messages: [{ role: 'user', content: tricky[0]!.content }],
      temperature: 0.1,
      max_tokens: 7,
    });
  });

  it('per-call config overrides the provider config', async () => {
    const t = fakeTransport(OK_RESPONSE);
    const p = await ready(LLM, t);
    await p.call([{ role: 'user', content: 'hi' }], { model: 'deepseek-reasoner', temperature: 0, maxTokens: 5 });
    await p.call([{ role: 'user', content: 'hi' }]);
    const [a, b] = t.bodies.map((x) => JSON.parse(x) as Record<string, unknown>);
    expect(a).toMatchObject({ model: 'deepseek-reasoner', temperature: 0, max_tokens: 5 });
    expect(a!['tools']).toBeUndefined();
    expect(b).toMatchObject({ model: 'deepseek-chat', temperature: 0.7, max_tokens: 1024 });
  });
});

describe('DeepSeekLLMProvider response', () => {
  it('maps a simulated round trip to an LLMResponse', async () => {
    const transport = createSimulatedTransport(LLM, { random: createRandom(1) });
    const p = await ready(LLM, transport);
    const r = await p.call([{ role: 'user', content: 'Hello, how are you?' }]);
    expect(r.model).toBe('deepseek-chat');
    expect(r.finishReason).toBe('stop');
    expect(r.toolCalls).toEqual([]);
    expect(r.content.length).toBe(LLM.completionTokens * 4);
    expect(r.usage).toEqual({ promptTokens: 5, completionTokens: 32, totalTokens: 37 });
    expect(r.id).toMatch(/^chatcmpl-/);
    await p.close();
  });

  it('maps tool calls', async () => {
    const transport = createSimulatedTransport(LLM, { random: createRandom(1) });
    const p = await ready(LLM, transport);
    const r = await p.call([{ role: 'user', content: 'What is 6 * 7?' }], { tools: SPECS });
    expect(r.finishReason).toBe('tool_calls');
    expect(r.content).toBe('');
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]).toMatchObject({ name: 'calculator', arguments: '{"expression":"6 * 7"}' });
    expect(typeof r.toolCalls[0]!.id).toBe('string');
  });

  const base = JSON.parse(OK_RESPONSE) as Record<string, unknown>;
  it.each<[string, string]>([
    ['not JSON', 'Internal Server Error'],
    ['no choices', JSON.stringify({ ...base, choices: [] })],
    ['no message', JSON.stringify({ ...base, choices: [{ index: 0, finish_reason: 'stop' }] })],
    ['content not a string', JSON.stringify({ ...base, choices: [{ index: 0, message: { role: 'assistant', content: 5 }, finish_reason: 'stop' }] })],
    ['bad finish reason', JSON.stringify({ ...base, choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'nope' }] })],
    [
      'bad tool call',
      JSON.stringify({ ...base, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 1 }] }, finish_reason: 'tool_calls' }] }),
    ],
    ['no usage', JSON.stringify({ ...base, usage: undefined })],
    ['no id', JSON.stringify({ ...base, id: undefined })],
  ])('a malformed response (%s) is LLM_BAD_RESPONSE', async (_name, answer) => {
    const p = await ready(LLM, fakeTransport(answer));
    const error = await caught(p.call([{ role: 'user', content: 'hi' }]));
    expect(error.code).toBe('LLM_BAD_RESPONSE');
    expect(error.message).toMatch(/malformed response/);
  });

  it('passes transport failures through with their code', async () => {
    const transport = createSimulatedTransport({ ...LLM, errorRate: 1 }, { random: createRandom(1) });
    const p = await ready(LLM, transport);
    expect((await caught(p.call([{ role: 'user', content: 'hi' }]))).code).toBe('LLM_SERVER_ERROR');
  });
});
