/**
 * The simulated transport and the mock-llm endpoint share one model: for the same request
 * they agree on whether it is valid (and why not) and on the tool call they ask for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, type MockLLMServer } from '../../../src/mock/mock-llm-server.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../../src/providers/config.js';
import type { ChatCompletionResponse, WireMessage, WireTool } from '../../../src/providers/llm/chat-completion.js';
import { answerLength, readConversation } from '../../../src/providers/llm/simulated-model.js';
import { createSimulatedTransport } from '../../../src/providers/llm/simulated-transport.js';
import { createRandom } from '../../../src/providers/random.js';
import { BUILTIN_TOOLS } from '../../../src/providers/agent/tools.js';

const TOOLS: WireTool[] = Object.values(BUILTIN_TOOLS).map((t) => ({
  type: 'function',
  function: { name: t.spec.name, description: t.spec.description, parameters: t.spec.parameters },
}));

const transport = () => createSimulatedTransport({ ...DEFAULT_PROVIDERS_CONFIG.llm, toolRounds: 2 }, { random: createRandom(1) });

/** The transport's verdict: its answer, or the 400's message. */
async function viaTransport(body: unknown): Promise<{ status: number; message?: string; response?: ChatCompletionResponse }> {
  try {
    return { status: 200, response: JSON.parse(await transport().send(JSON.stringify(body))) as ChatCompletionResponse };
  } catch (e) {
    const error = e as { code?: string; message: string };
    expect(error.code).toBe('LLM_BAD_REQUEST');
    return { status: 400, message: error.message.replace(/^simulated 400 from LLM endpoint: /, '') };
  }
}

describe('one model behind the simulated transport and mock-llm', () => {
  let mock: MockLLMServer;
  beforeAll(async () => {
    mock = await startMockLLM({ toolRounds: 2 });
  });
  afterAll(() => mock.close());

  async function viaMock(body: unknown): Promise<{ status: number; message?: string; response?: ChatCompletionResponse }> {
    const res = await fetch(`${mock.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const json = (await res.json()) as ChatCompletionResponse & { error?: { message: string } };
    return res.status === 200 ? { status: 200, response: json } : { status: res.status, ...(json.error ? { message: json.error.message } : {}) };
  }

  const user = (content: string): WireMessage => ({ role: 'user', content });
  it.each<[string, unknown]>([
    ['not an object', [1, 2]],
    ['no model', { messages: [user('hi')] }],
    ['no messages', { model: 'm', messages: [] }],
    ['a bad role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }],
    ['content a number', { model: 'm', messages: [{ role: 'user', content: 3 }] }],
    ['a tool call without arguments', { model: 'm', messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{ function: { name: 'f' } }] }] }],
    ['tools not a list', { model: 'm', messages: [user('x')], tools: {} }],
    ['a tool without a name', { model: 'm', messages: [user('x')], tools: [{ type: 'function', function: {} }] }],
  ])('both refuse %s with the same message', async (_name, body) => {
    const [a, b] = await Promise.all([viaTransport(body), viaMock(body)]);
    expect(a.status).toBe(400);
    expect(b).toEqual(a);
  });

  it('both accept an assistant tool call without content, as OpenAI does', async () => {
    const body = { model: 'm', messages: [user('What is 2 + 2?'), { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2 + 2"}' } }] }, { role: 'tool', tool_call_id: 'c', content: '4' }] };
    expect((await viaTransport(body)).status).toBe(200);
    expect((await viaMock(body)).status).toBe(200);
  });

  it.each([
    ['What is 12 * (3 + 4)?'],
    ['Tell me about the sliding memory window'],
  ])('both ask for the same tool calls, round after round: %s', async (question) => {
    const messages: WireMessage[] = [user(question)];
    for (let round = 0; round < 2; round++) {
      const body = { model: 'm', messages, tools: TOOLS };
      const [a, b] = await Promise.all([viaTransport(body), viaMock(body)]);
      const ca = a.response!.choices[0]!.message.tool_calls![0]!;
      const cb = b.response!.choices[0]!.message.tool_calls![0]!;
      expect(cb.function).toEqual(ca.function);
      expect(b.response!.usage.prompt_tokens).toBe(a.response!.usage.prompt_tokens);
      messages.push({ role: 'assistant', content: null, tool_calls: [ca] }, { role: 'tool', tool_call_id: ca.id, content: 'done' });
    }
  });
});

describe('the model, piece by piece', () => {
  it('reads the conversation in one pass: last question, prompt size, tool rounds since it', () => {
    const c = readConversation([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'search', arguments: '{}' } }] },
      { role: 'user', content: 'second' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'b', type: 'function', function: { name: 'calc', arguments: '{"x":1}' } }] },
      { role: 'tool', content: '42', tool_call_id: 'b' },
    ]);
    expect(c).toEqual({ lastUser: 2, userText: 'second', promptChars: 5 + 6 + 6 + 2 + 4 + 7 + 2, rounds: 1 });
  });

  it('cuts the answer at max_tokens', () => {
    expect(answerLength(16, {})).toEqual({ tokens: 16, finish: 'stop' });
    expect(answerLength(16, { max_tokens: 20 })).toEqual({ tokens: 16, finish: 'stop' });
    expect(answerLength(16, { max_tokens: 5.7 })).toEqual({ tokens: 5, finish: 'length' });
  });
});
