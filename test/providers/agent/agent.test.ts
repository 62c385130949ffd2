import { describe, it, expect } from 'vitest';
import type { AgentProviderConfig, LLMProviderConfig } from '../../../src/providers/config.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../../src/providers/config.js';
import type { LLMConfig, LLMProvider, LLMResponse, Message } from '../../../src/providers/types.js';
import { ReActAgentProvider } from '../../../src/providers/agent/agent.js';
import { DeepSeekLLMProvider } from '../../../src/providers/llm/deepseek-llm.js';
import { createManualClock, createRandom } from '../../../src/providers/random.js';
import { SessionMemoryProvider } from '../../../src/providers/memory/session-memory.js';
import { createSimulatedTransport } from '../../../src/providers/llm/simulated-transport.js';
import { caught } from '../../helpers/caught.js';

const QUESTION: Message = { role: 'user', content: 'What is 12 * (3 + 4)? Also tell me about the tokio runtime.' };

/** Wraps an LLM provider and records every call and response. */
function recording(inner: LLMProvider) {
  const calls: Array<{ messages: Message[]; config: LLMConfig | undefined }> = [];
  const responses: LLMResponse[] = [];
  const llm: LLMProvider = {
    name: inner.name,
    simulated: inner.simulated,
    initialize: () => inner.initialize(),
    close: () => inner.close(),
    async call(messages, config) {
      calls.push({ messages: [...messages], config });
      const r = await inner.call(messages, config);
      responses.push(r);
      return r;
    },
  };
  return { llm, calls, responses };
}

async function setup(llmOverrides: Partial<LLMProviderConfig> = {}, agentOverrides: Partial<AgentProviderConfig> = {}) {
  const llmConfig = { ...DEFAULT_PROVIDERS_CONFIG.llm, ...llmOverrides };
  const transport = createSimulatedTransport(llmConfig, { random: createRandom(7) });
  const rec = recording(new DeepSeekLLMProvider(llmConfig, { transport }));
  const memory = new SessionMemoryProvider(DEFAULT_PROVIDERS_CONFIG.memory, { clock: createManualClock(0) });
  const agent = new ReActAgentProvider({ ...DEFAULT_PROVIDERS_CONFIG.agent, ...agentOverrides }, { llm: rec.llm, memory });
  await rec.llm.initialize();
  await memory.initialize();
  await agent.initialize();
  return { agent, memory, ...rec };
}

/** An LLM that plays a script of responses. */
function scripted(script: Array<Partial<LLMResponse>>): LLMProvider {
  let i = 0;
  return {
    name: 'script',
    simulated: true,
    async initialize() {},
    async close() {},
    async call() {
      const step = script[Math.min(i++, script.length - 1)]!;
      return {
        id: `r${i}`,
        model: 'script-model',
        content: '',
        toolCalls: [],
        finishReason: step.toolCalls?.length ? 'tool_calls' : 'stop',
        usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
        ...step,
      };
    },
  };
}

describe('ReActAgentProvider', () => {
  it('runs 3 LLM calls with toolRounds 2, uses both tools and answers', async () => {
    const { agent, calls, responses } = await setup({ toolRounds: 2 });
    const { output, state } = await agent.execute([QUESTION], { sessionId: 'sess-1' });

    expect(state.status).toBe('completed');
    expect(state.iterations).toBe(3);
    expect(state.toolCalls).toBe(2);
    expect(calls).toHaveLength(3);
    expect(state.steps.map((s) => `${s.kind}:${s.name}:${s.ok}`)).toEqual([
      'llm:deepseek-chat:true',
      'tool:calculator:true',
      'llm:deepseek-chat:true',
      'tool:search:true',
      'llm:deepseek-chat:true',
      'memory:store:true',
    ]);
    const sum = (k: 'promptTokens' | 'completionTokens' | 'totalTokens') => responses.reduce((a, r) => a + r.usage[k], 0);
    expect(state.tokens).toEqual({ promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens'), totalTokens: sum('totalTokens') });
    expect(state.tokens.totalTokens).toBeGreaterThan(0);
    expect(output).toBe(responses[2]!.content);
    expect(output.length).toBe(DEFAULT_PROVIDERS_CONFIG.llm.completionTokens * 4);
    // Tools were offered on every call, and each call saw the growing conversation.
    expect(calls.map((c) => c.config?.tools?.map((t) => t.name))).toEqual([
      ['calculator', 'search'],
      ['calculator', 'search'],
      ['calculator', 'search'],
    ]);
    expect(calls.map((c) => c.messages.length)).toEqual([1, 3, 5]);
    expect(calls[1]!.messages[2]).toMatchObject({ role: 'tool', content: '84', name: 'calculator' });
    expect(state.steps.every((s) => s.durationNs >= 0)).toBe(true);
    expect(state.durationNs).toBe(state.steps.reduce((a, s) => a + s.durationNs, 0));
  });

  it('stores the turn in memory in one store, in order', async () => {
    const { agent, memory } = await setup({ toolRounds: 2 });
    const history: Message[] = [
      { role: 'user', content: 'earlier question' },
      { role: 'assistant', content: 'earlier answer' },
    ];
    const { output } = await agent.execute([...history, QUESTION], { sessionId: 'sess-2' });
    const stored = await memory.retrieve('sess-2', 100);
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(stored[0]).toBe(QUESTION); // by reference; earlier history is not stored again
    expect(stored[1]!.toolCalls?.[0]?.name).toBe('calculator');
    expect(stored[2]!.toolCallId).toBe(stored[1]!.toolCalls?.[0]?.id);
    expect(stored[4]!.content).toMatch(/Tokio async runtime/);
    expect(stored[5]!.content).toBe(output);
    expect(memory.stats()).toMatchObject({ sessions: 1, messages: 6 });
    await agent.execute([QUESTION]);
    expect((await memory.retrieve('agent', 100)).length).toBe(6); // default session id
  });

  it('stops at maxIterations with status max-iterations', async () => {
    const { agent, calls, memory } = await setup({ toolRounds: 10 }, { maxIterations: 3 });
    const { state, output } = await agent.execute([QUESTION], { sessionId: 's' });
    expect(state.status).toBe('max-iterations');
    expect(state.iterations).toBe(3);
    expect(state.toolCalls).toBe(3);
    expect(calls).toHaveLength(3);
    expect(output).toBe('');
    expect((await memory.retrieve('s', 100)).length).toBe(7);
    const override = await agent.execute([QUESTION], { maxIterations: 1 });
    expect(override.state).toMatchObject({ status: 'max-iterations', iterations: 1 });
  });

  it('propagates an LLM failure and stores nothing', async () => {
    const { agent, memory } = await setup({ errorRate: 1 });
    const error = await caught(agent.execute([QUESTION], { sessionId: 's' }));
    expect(error.code).toBe('LLM_SERVER_ERROR');
    expect(memory.stats().messages).toBe(0);
  });

  it('turns tool failures into tool messages and keeps going', async () => {
    const memory = new SessionMemoryProvider(DEFAULT_PROVIDERS_CONFIG.memory, { clock: createManualClock(0) });
    await memory.initialize();
    const llm = scripted([
      {
        toolCalls: [
          { id: 'a', name: 'weather', arguments: '{}' },
          { id: 'b', name: 'calculator', arguments: '{"expression":"1 / 0"}' },
          { id: 'c', name: 'calculator', arguments: '{not json' },
          { id: 'd', name: 'search', arguments: '[1]' },
          { id: 'e', name: 'calculator', arguments: '{"expression":"2 ^ 8"}' },
        ],
      },
      { content: 'done' },
    ]);
    const agent = new ReActAgentProvider(DEFAULT_PROVIDERS_CONFIG.agent, { llm, memory });
    await agent.initialize();
    const { state, output } = await agent.execute([QUESTION], { sessionId: 's' });
    expect(state.status).toBe('completed');
    expect(output).toBe('done');
    expect(state.toolCalls).toBe(5);
    expect(state.steps.filter((s) => s.kind === 'tool').map((s) => s.ok)).toEqual([false, false, false, false, true]);
    const tools = (await memory.retrieve('s', 100)).filter((m) => m.role === 'tool').map((m) => m.content);
    expect(tools).toEqual([
      'error: unknown tool "weather"',
      expect.stringMatching(/^error: division by zero/),
      'error: arguments of calculator are not valid JSON',
      'error: arguments of search must be a JSON object',
      '256',
    ]);
  });

  it('offers only the tools asked for', async () => {
    const { agent, calls } = await setup({ toolRounds: 2 }, { tools: ['search'] });
    const { state } = await agent.execute([QUESTION]);
    expect(state.steps.filter((s) => s.kind === 'tool').map((s) => s.name)).toEqual(['search', 'search']);
    expect(calls[0]!.config?.tools?.map((t) => t.name)).toEqual(['search']);
    const perCall = await agent.execute([QUESTION], { tools: ['calculator'] });
    expect(perCall.state.steps.filter((s) => s.kind === 'tool').map((s) => s.name)).toEqual(['calculator', 'calculator']);
    expect((await caught(agent.execute([QUESTION], { tools: ['nope'] }))).code).toBe('AGENT_UNKNOWN_TOOL');
  });

  it('passes per-execution LLM config through, with its own tools', async () => {
    const { agent, calls } = await setup({ toolRounds: 0 });
    await agent.execute([QUESTION], { llm: { temperature: 0.1, maxTokens: 50 } });
    expect(calls[0]!.config).toMatchObject({ temperature: 0.1, maxTokens: 50 });
    expect(calls[0]!.config?.tools?.map((t) => t.name)).toEqual(['calculator', 'search']);
  });

  it('does not store when storeConversation is false', async () => {
    const { agent, memory } = await setup({}, { storeConversation: false });
    const { state } = await agent.execute([QUESTION]);
    expect(state.steps.some((s) => s.kind === 'memory')).toBe(false);
    expect(memory.stats().sessions).toBe(0);
  });

  it('times steps with an injected clock', async () => {
    const memory = new SessionMemoryProvider(DEFAULT_PROVIDERS_CONFIG.memory, { clock: createManualClock(0) });
    await memory.initialize();
    const clock = createManualClock(1000);
    const slow: LLMProvider = { ...scripted([{ content: 'ok' }]) };
    const inner = slow.call.bind(slow);
    slow.call = async (m, c) => {
      clock.advance(2.5);
      return inner(m, c);
    };
    const agent = new ReActAgentProvider(DEFAULT_PROVIDERS_CONFIG.agent, { llm: slow, memory, clock });
    await agent.initialize();
    const { state } = await agent.execute([QUESTION]);
    expect(state.steps.map((s) => s.durationNs)).toEqual([2_500_000, 0]);
    expect(state.durationNs).toBe(2_500_000);
  });

  it('refuses to run before initialize() and rejects unknown configured tools', async () => {
    const memory = new SessionMemoryProvider(DEFAULT_PROVIDERS_CONFIG.memory, { clock: createManualClock(0) });
    const agent = new ReActAgentProvider(DEFAULT_PROVIDERS_CONFIG.agent, { llm: scripted([{}]), memory });
    expect((await caught(agent.execute([QUESTION]))).code).toBe('PROVIDER_NOT_READY');
    const bad = new ReActAgentProvider({ ...DEFAULT_PROVIDERS_CONFIG.agent, tools: ['calculator', 'shell'] }, { llm: scripted([{}]), memory });
    const error = await caught(bad.initialize());
    expect(error.code).toBe('PROVIDER_CONFIG_INVALID');
    expect(error.message).toMatch(/unknown tool "shell" \(available: calculator, search\)/);
    const zero = new ReActAgentProvider({ ...DEFAULT_PROVIDERS_CONFIG.agent, maxIterations: 0 }, { llm: scripted([{}]), memory });
    expect((await caught(zero.initialize())).message).toMatch(/maxIterations/);
  });

  it('runs many executions concurrently without mixing conversations', async () => {
    const { agent, memory } = await setup({ toolRounds: 2 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => agent.execute([{ role: 'user', content: `What is ${i} + ${i}?` }], { sessionId: `s${i}` })),
    );
    expect(results.every((r) => r.state.status === 'completed' && r.state.iterations === 3)).toBe(true);
    for (const i of [0, 17, 49]) {
      const stored = await memory.retrieve(`s${i}`, 100);
      expect(stored[2]!.content).toBe(String(2 * i));
    }
  });
});
