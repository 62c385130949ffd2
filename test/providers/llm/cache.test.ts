import { describe, expect, it } from 'vitest';
import { CachedLLMProvider } from '../../../src/providers/llm/cache.js';
import { DEFAULT_PROVIDERS_CONFIG, type ProvidersConfig } from '../../../src/providers/config.js';
import { PooledLLMProvider, createPool } from '../../../src/providers/llm/pool.js';
import { createManualClock } from '../../../src/providers/random.js';
import { createProviders, initializeAll } from '../../../src/providers/registry.js';
import type { LLMConfig, LLMProvider, LLMResponse, Message } from '../../../src/providers/types.js';

/** An LLM that counts calls, answers with the last message's text, and can be held or made to fail. */
function fakeLLM(opts: { fail?: boolean; timing?: boolean } = {}) {
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const gates: Array<() => void> = [];
  let hold = false;
  const llm: LLMProvider & { calls: number; maxInFlight: number; hold: boolean; release(): void } = {
    name: 'fake',
    simulated: true,
    get calls() {
      return calls;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get hold() {
      return hold;
    },
    set hold(v: boolean) {
      hold = v;
    },
    release() {
      for (const g of gates.splice(0)) g();
    },
    initialize: () => Promise.resolve(),
    async call(messages: readonly Message[], config?: LLMConfig): Promise<LLMResponse> {
      calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (hold) await new Promise<void>((r) => gates.push(r));
        else await Promise.resolve();
        if (opts.fail) throw Object.assign(new Error('boom'), { code: 'HTTP_5XX' });
        return {
          id: `r${calls}`,
          model: config?.model ?? 'm',
          content: messages[messages.length - 1]?.content ?? '',
          toolCalls: [],
          finishReason: 'stop',
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          ...(opts.timing ? { timing: { ttftNs: 1, chunkGapsNs: [], outputTokens: 1, totalNs: 1 } } : {}),
        };
      } finally {
        inFlight--;
      }
    },
    counters: () => ({ retries: 7 }),
    close: () => Promise.resolve(),
  };
  return llm;
}

const HELLO: Message[] = [{ role: 'user', content: 'Hello' }];
const OTHER: Message[] = [{ role: 'user', content: 'Other' }];

describe('CachedLLMProvider', () => {
  it('answers repeated calls from the cache and counts hits and misses', async () => {
    const inner = fakeLLM();
    const c = new CachedLLMProvider(inner, { max: 10, ttlMs: 0 });
    const first = await c.call(HELLO);
    const again = await c.call([{ role: 'user', content: 'Hello' }]);
    await c.call(OTHER);
    expect(inner.calls).toBe(2);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(c.counters()).toEqual({ retries: 7, cacheHits: 1, cacheMisses: 2, cacheJoins: 0 });
  });

  it('keys on the config too: model, temperature, max tokens and tools', async () => {
    const inner = fakeLLM();
    const c = new CachedLLMProvider(inner, { max: 10, ttlMs: 0 });
    const tools = [{ name: 't', description: 'd', parameters: {} }];
    const configs: Array<LLMConfig | undefined> = [undefined, { model: 'a' }, { model: 'b' }, { temperature: 0.1 }, { maxTokens: 5 }, { tools }];
    for (const cfg of configs) await c.call(HELLO, cfg);
    expect(inner.calls).toBe(configs.length);
    for (const cfg of configs) await c.call(HELLO, cfg);
    expect(inner.calls).toBe(configs.length);
    // The same tools in another array object is the same key.
    await c.call(HELLO, { tools: [{ name: 't', description: 'd', parameters: {} }] });
    expect(inner.calls).toBe(configs.length);
  });

  it('expires entries after the TTL (on the injected clock)', async () => {
    const clock = createManualClock(0);
    const inner = fakeLLM();
    const c = new CachedLLMProvider(inner, { max: 10, ttlMs: 1_000 }, { clock });
    await c.call(HELLO);
    clock.advance(999);
    await c.call(HELLO);
    expect(inner.calls).toBe(1);
    clock.advance(2);
    await c.call(HELLO);
    expect(inner.calls).toBe(2);
  });

  it('evicts the least recently used entry beyond max', async () => {
    const inner = fakeLLM();
    const c = new CachedLLMProvider(inner, { max: 2, ttlMs: 0 });
    const m = (s: string): Message[] => [{ role: 'user', content: s }];
    await c.call(m('a'));
    await c.call(m('b'));
    await c.call(m('a')); // a is now the most recent
    await c.call(m('c')); // evicts b
    expect(c.size).toBe(2);
    await c.call(m('a'));
    expect(inner.calls).toBe(3);
    await c.call(m('b'));
    expect(inner.calls).toBe(4);
  });

  it('joins identical calls in flight instead of sending them twice', async () => {
    const inner = fakeLLM();
    inner.hold = true;
    const c = new CachedLLMProvider(inner, { max: 10, ttlMs: 0 });
    const all = Array.from({ length: 5 }, () => c.call(HELLO));
    await Promise.resolve();
    inner.release();
    const answers = await Promise.all(all);
    expect(inner.calls).toBe(1);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(c.counters()).toMatchObject({ cacheHits: 4, cacheMisses: 1, cacheJoins: 4 });
  });

  it('does not cache failures', async () => {
    const inner = fakeLLM({ fail: true });
    const c = new CachedLLMProvider(inner, { max: 10, ttlMs: 0 });
    await expect(c.call(HELLO)).rejects.toMatchObject({ code: 'HTTP_5XX' });
    await expect(c.call(HELLO)).rejects.toMatchObject({ code: 'HTTP_5XX' });
    expect(inner.calls).toBe(2);
    expect(c.size).toBe(0);
  });

  it('gives stream timing to the call that streamed, never to hits', async () => {
    const c = new CachedLLMProvider(fakeLLM({ timing: true }), { max: 10, ttlMs: 0 });
    expect((await c.call(HELLO)).timing).toBeDefined();
    expect((await c.call(HELLO)).timing).toBeUndefined();
  });

  it('sits in front of the reference providers via providers.llm.cache, agent included', async () => {
    const cfg: ProvidersConfig = { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, cache: { max: 100, ttlMs: 60_000 } } };
    const p = createProviders(cfg, { seed: 1 });
    await initializeAll(p);
    expect(p.transport.description).toContain('LRU cache (max 100, ttl 1m)');
    for (let i = 0; i < 10; i++) await p.llm.call(HELLO);
    await p.agent.execute([{ role: 'user', content: 'What is 2 + 2?' }]);
    await p.agent.execute([{ role: 'user', content: 'What is 2 + 2?' }]);
    const counters = p.llm.counters?.() ?? {};
    // 1 miss for the plain calls, then the first agent run misses each of its LLM steps and the second hits them all.
    expect(counters['cacheHits']).toBeGreaterThanOrEqual(9 + 3);
    await p.close();
  });
});

describe('pool', () => {
  it('hands out items, queues callers in order beyond its size, and counts the waits', async () => {
    const pool = createPool(['a', 'b']);
    const order: string[] = [];
    const held = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(pool.available).toBe(0);
    const third = pool.acquire().then((x) => order.push(`3:${x}`));
    const fourth = pool.acquire().then((x) => order.push(`4:${x}`));
    expect(pool.waiting).toBe(2);
    pool.release(held[0] as string);
    pool.release(held[1] as string);
    await Promise.all([third, fourth]);
    expect(order).toEqual([`3:${held[0]}`, `4:${held[1]}`]);
    expect(pool.waits).toBe(2);
  });

  it('releases on failure, and rejects waiters on close', async () => {
    const pool = createPool([1]);
    await expect(pool.use(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(pool.available).toBe(1);
    const item = await pool.acquire();
    const waiter = pool.acquire();
    pool.close();
    await expect(waiter).rejects.toMatchObject({ code: 'PROVIDER_NOT_READY' });
    pool.release(item);
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'PROVIDER_NOT_READY' });
  });

  it('PooledLLMProvider: at most one call per instance at a time, counters summed', async () => {
    const instances = [fakeLLM(), fakeLLM(), fakeLLM()];
    for (const i of instances) i.hold = true;
    const p = new PooledLLMProvider(instances);
    await p.initialize();
    const calls = Array.from({ length: 9 }, () => p.call(HELLO));
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setTimeout(r, 1));
      for (const i of instances) i.release();
    }
    await Promise.all(calls);
    for (const i of instances) {
      expect(i.maxInFlight).toBe(1);
      expect(i.calls).toBe(3);
    }
    expect(p.counters()).toEqual({ retries: 21, poolWaits: 6 });
    await p.close();
  });

  it('providers.llm.pool builds that many reference instances', async () => {
    const cfg: ProvidersConfig = { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, pool: { size: 4 } } };
    const p = createProviders(cfg, { seed: 1 });
    await initializeAll(p);
    expect(p.transport.description).toContain('pool of 4');
    const answers = await Promise.all(Array.from({ length: 20 }, () => p.llm.call(HELLO)));
    expect(answers).toHaveLength(20);
    // 20 calls at once: 4 instances take the first 4, the other 16 wait their turn.
    expect(p.llm.counters?.()['poolWaits']).toBe(16);
    await p.close();
  });
});
