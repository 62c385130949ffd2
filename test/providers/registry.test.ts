import { describe, it, expect } from 'vitest';
import { DEFAULT_PROVIDERS_CONFIG } from '../../src/providers/config.js';
import type { ProvidersConfig } from '../../src/providers/config.js';
import { createProvider, createProviders, initializeAll } from '../../src/providers/registry.js';
import { createManualClock } from '../../src/providers/random.js';
import { caught } from '../helpers/caught.js';
import type { AgentProvider, LLMProvider, MemoryProvider } from '../../src/providers/types.js';

const QUESTION = [{ role: 'user' as const, content: 'What is 2 + 2? Then search memory windows.' }];

describe('createProviders', () => {
  it('builds uninitialized providers; the agent shares the llm and memory', async () => {
    const p = createProviders(DEFAULT_PROVIDERS_CONFIG, { seed: 1, clock: createManualClock(0) });
    expect((await caught(p.llm.call(QUESTION))).code).toBe('PROVIDER_NOT_READY');
    await initializeAll(p);
    expect(p.llm.simulated).toBe(true);
    expect(p.transport.description).toBe('simulated in-process (latency none)');
    await p.agent.execute(QUESTION, { sessionId: 'shared' });
    // The agent's store is visible through the memory provider the run holds.
    expect((await p.memory.retrieve('shared', 100)).length).toBe(6);
    await p.close();
    await p.close(); // twice is fine
    expect((await caught(p.llm.call(QUESTION))).code).toBe('PROVIDER_NOT_READY');
    expect((await caught(p.transport.send('{}'))).code).toBe('TRANSPORT_CLOSED');
  });

  it('replays the same run for the same seed', async () => {
    const cfg: ProvidersConfig = { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, errorRate: 0.3 } };
    const run = async (seed: number) => {
      const p = createProviders(cfg, { seed });
      await initializeAll(p);
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        try {
          out.push((await p.agent.execute(QUESTION)).output);
        } catch (error) {
          out.push(`error ${(error as { code?: string }).code}`);
        }
      }
      await p.close();
      return out;
    };
    const a = await run(9);
    expect(a.some((x) => x.startsWith('error LLM_SERVER_ERROR'))).toBe(true);
    expect(a.some((x) => !x.startsWith('error'))).toBe(true);
    expect(await run(9)).toEqual(a);
    expect(await run(10)).not.toEqual(a);
  });
});

describe('createProvider', () => {
  it.each(['llm', 'memory', 'agent'] as const)('builds a fresh, uninitialized %s', async (kind) => {
    const a = createProvider(kind, DEFAULT_PROVIDERS_CONFIG, { seed: 1 });
    const b = createProvider(kind, DEFAULT_PROVIDERS_CONFIG, { seed: 1 });
    expect(a).not.toBe(b);
    // Uninitialized: its work is refused until initialize().
    const use = (p: unknown): Promise<unknown> =>
      kind === 'llm' ? (p as LLMProvider).call(QUESTION) : kind === 'memory' ? (p as MemoryProvider).store('s', QUESTION) : (p as AgentProvider).execute(QUESTION);
    expect((await caught(use(a))).code).toBe('PROVIDER_NOT_READY');
    await a.initialize();
    await use(a); // now accepted
    // b is its own instance: initializing a did not initialize it.
    expect((await caught(use(b))).code).toBe('PROVIDER_NOT_READY');
    await a.close();
  });

  it('an agent owns its fresh llm and memory: initialize() starts them, close() ends them', async () => {
    const agent = createProvider('agent', DEFAULT_PROVIDERS_CONFIG, { seed: 1 });
    await agent.initialize();
    const { state } = await agent.execute(QUESTION);
    expect(state).toMatchObject({ status: 'completed', iterations: 3, toolCalls: 2 });
    await agent.close();
    expect((await caught(agent.execute(QUESTION))).code).toBe('PROVIDER_NOT_READY');
  });

  it('initializes ten providers concurrently', async () => {
    const agents = Array.from({ length: 10 }, () => createProvider('agent', DEFAULT_PROVIDERS_CONFIG, { seed: 1 }));
    await Promise.all(agents.map((a) => a.initialize()));
    const results = await Promise.all(agents.map((a) => a.execute(QUESTION)));
    expect(results.every((r) => r.state.status === 'completed')).toBe(true);
    await Promise.all(agents.map((a) => a.close()));
  });

  it('reports a bad config at initialize(), not at build', async () => {
    const cfg = { ...DEFAULT_PROVIDERS_CONFIG, memory: { ...DEFAULT_PROVIDERS_CONFIG.memory, windowSize: 0 } };
    const memory = createProvider('memory', cfg, { seed: 1 });
    expect((await caught(memory.initialize())).code).toBe('PROVIDER_CONFIG_INVALID');
    const badLatency = { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, latency: { model: 'fixed' as const, ms: -5 } } };
    const llm = createProvider('llm', badLatency, { seed: 1 });
    const error = await caught(llm.initialize());
    expect(error.code).toBe('PROVIDER_CONFIG_INVALID');
    expect(error.message).toMatch(/latency: .*ms must be a finite number >= 0, got -5/);
    const set = createProviders(badLatency, { seed: 1 });
    expect((await caught(set.transport.send('{}'))).code).toBe('PROVIDER_CONFIG_INVALID');
  });
});
