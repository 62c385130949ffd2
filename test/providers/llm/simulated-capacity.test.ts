/**
 * The simulated transport with a finite-capacity server (providers.llm.slots): queueing is part
 * of the latency, a full queue refuses as LLM_OVERLOADED, and token-based service time follows
 * the answer's length. Timing bounds are lower bounds only (they hold however busy the machine).
 */
import { describe, expect, it } from 'vitest';
import type { LLMProviderConfig } from '../../../src/providers/config.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../../src/providers/config.js';
import { createSimulatedTransport } from '../../../src/providers/llm/simulated-transport.js';
import { createRandom } from '../../../src/providers/random.js';
import { loadScenario } from '../../../src/scenarios/load.js';
import { builtinPath } from '../../../src/scenarios/builtin.js';

function transport(overrides: Partial<LLMProviderConfig>) {
  return createSimulatedTransport({ ...DEFAULT_PROVIDERS_CONFIG.llm, ...overrides }, { random: createRandom(1) });
}

const BODY = JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello, how are you?' }] });

/** Sends `n` requests at once; resolves with each one's outcome and time, in order of settling. */
async function burst(t: ReturnType<typeof transport>, n: number) {
  const t0 = performance.now();
  const settled: Array<{ i: number; ms: number; code?: string }> = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      t.send(BODY).then(
        () => void settled.push({ i, ms: performance.now() - t0 }),
        (e: { code?: string }) => void settled.push({ i, ms: performance.now() - t0, ...(e.code !== undefined ? { code: e.code } : {}) }),
      ),
    ),
  );
  return settled;
}

describe('simulated transport: slots and queue', () => {
  it('serves `slots` at once; the rest wait their turn, and the wait is part of their latency', async () => {
    const t = transport({ latency: { model: 'fixed', ms: 20 }, slots: 2 });
    const out = await burst(t, 5);
    const byIndex = [...out].sort((a, b) => a.i - b.i);
    expect(byIndex.every((o) => o.code === undefined)).toBe(true);
    // Two rounds of 20 ms for requests 2-3, three for request 4: at least that long.
    expect(byIndex[2]!.ms).toBeGreaterThanOrEqual(39);
    expect(byIndex[4]!.ms).toBeGreaterThanOrEqual(59);
    // FIFO: they are served in the order they were sent, two at a time, so they finish round
    // by round (0-1, then 2-3, then 4); within a round both end at the same instant.
    expect(out.map((o) => Math.floor(o.i / 2))).toEqual([0, 0, 1, 1, 2]);
    expect(t.description).toContain('2 slots, unlimited queue');
    await t.close();
  });

  it('refuses beyond queueLimit at once, as LLM_OVERLOADED', async () => {
    const t = transport({ latency: { model: 'fixed', ms: 20 }, slots: 1, queueLimit: 1 });
    const out = await burst(t, 4);
    const refused = out.filter((o) => o.code === 'LLM_OVERLOADED');
    expect(refused.map((o) => o.i)).toEqual([2, 3]);
    // Refusals do not wait for a slot: they come back before the first answer.
    for (const r of refused) expect(r.ms).toBeLessThan(out.find((o) => o.i === 0)!.ms);
    expect(t.refused).toBe(2);
    await t.close();
  });

  it('token-based service time: prefill plus per-token time of the answer', async () => {
    const t = transport({ latency: { model: 'none' }, prefillMs: 5, perTokenMs: 1, completionTokens: 32, slots: 1 });
    const out = await burst(t, 2);
    const second = out.find((o) => o.i === 1)!;
    // Each answer holds the single slot for 5 + 32 x 1 ms; the second waits for the first.
    expect(second.ms).toBeGreaterThanOrEqual(2 * 37 - 1);
    expect(t.description).toContain('service 5ms + 1ms/token');
    await t.close();
  });

  it('close() rejects requests still waiting for a slot', async () => {
    const t = transport({ latency: { model: 'fixed', ms: 1000 }, slots: 1 });
    const pending = [t.send(BODY), t.send(BODY)].map((p) => p.then(() => 'ok', (e: { code?: string }) => e.code));
    await t.close();
    expect(await Promise.all(pending)).toEqual(['TRANSPORT_CLOSED', 'TRANSPORT_CLOSED']);
  });
});

describe('scenario files: slots, queueLimit, prefill, perToken', () => {
  const file = builtinPath('llm-call') as string;
  const load = (set: string[]) => loadScenario(file, { set });

  it('reads them into the LLM config', () => {
    const s = load(['providers.llm.slots=4', 'providers.llm.queueLimit=100', 'providers.llm.latency=none', 'providers.llm.prefill=5ms', 'providers.llm.perToken=2ms']);
    expect(s.providers.llm).toMatchObject({ slots: 4, queueLimit: 100, prefillMs: 5, perTokenMs: 2 });
  });

  it('rejects slots: -1 and the other bad values with one line naming the field', () => {
    expect(() => load(['providers.llm.slots=-1'])).toThrow(/providers\.llm\.slots: expected a number > 0 \(from --set providers\.llm\.slots=-1\)$/);
    expect(() => load(['providers.llm.slots=1.5'])).toThrow(/providers\.llm\.slots: expected a whole number/);
    expect(() => load(['providers.llm.queueLimit=5'])).toThrow(/providers\.llm\.queueLimit: a queue limit needs slots/);
    expect(() => load(['providers.llm.latency=5ms', 'providers.llm.perToken=1ms'])).toThrow(/providers\.llm\.perToken: service time is either the latency model or token-based/);
  });
});
