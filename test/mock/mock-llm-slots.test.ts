/**
 * mock-llm with a finite capacity (--slots, --queue-limit, --service-time): the same server
 * model as the simulated transport, over HTTP. Timing bounds are lower bounds only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMockFlags, type MockLlmFlags } from '../../src/cli/mock-llm.js';
import { startMockLLM, type MockLLMServer } from '../../src/mock/mock-llm-server.js';
import { runInProcess } from '../helpers/in-process.js';

let server: MockLLMServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(base: string, body: Record<string, unknown>): Promise<{ status: number; ms: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - t0, text };
}

describe('mock-llm: slots and queue', () => {
  it('queues beyond its slots (JSON and streamed answers alike) and refuses beyond the queue limit with a 429', async () => {
    server = await startMockLLM({ slots: 1, queueLimit: 1, ttftMs: 40, tokens: 4 });
    const base = server.baseUrl;
    const [a, b, c] = await Promise.all([post(base, {}), post(base, { stream: true }), post(base, {})]);
    const statuses = [a, b, c].map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const ok = [a, b, c].filter((r) => r.status === 200).sort((x, y) => x.ms - y.ms);
    // The second one waited for the first's 40 ms in the single slot.
    expect(ok[1]!.ms).toBeGreaterThanOrEqual(79);
    expect([a, b, c].find((r) => r.status === 429)!.text).toContain('overloaded');
    expect(server.description).toContain('1 slot, queue up to 1');
  });

  it('--service-time draws each request\'s time to the answer from a latency model', async () => {
    server = await startMockLLM({ slots: 2, serviceTime: { model: 'fixed', ms: 30 }, tokens: 4 });
    const out = await Promise.all([0, 1, 2, 3].map(() => post(server!.baseUrl, {})));
    const ms = out.map((r) => r.ms).sort((x, y) => x - y);
    expect(out.every((r) => r.status === 200)).toBe(true);
    // Two slots, four requests of 30 ms: the last two finish a round later.
    expect(ms[3]!).toBeGreaterThanOrEqual(59);
    expect(server.description).toContain('service time fixed 30ms');
  });
});

describe('mock-llm flags', () => {
  const base: MockLlmFlags = { port: '0', host: '127.0.0.1', ttft: '0ms', tokensPerSecond: '0', tokens: '16', errorRate: '0', errorStatus: '500', toolRounds: '1', seed: '1' };

  it('parses --slots, --queue-limit and --service-time', () => {
    expect(parseMockFlags({ ...base, slots: '4', queueLimit: '10', serviceTime: 'uniform(5ms,15ms)' }, {})).toMatchObject({
      slots: 4,
      queueLimit: 10,
      serviceTime: { model: 'uniform', minMs: 5, maxMs: 15 },
    });
  });

  it.each([
    [['--slots', '0'], '--slots "0": expected a whole number from 1 to 1000000'],
    [['--slots', '-1'], '--slots "-1": expected a whole number from 1 to 1000000'],
    [['--queue-limit', '5'], '--queue-limit needs --slots'],
    [['--service-time', 'soon'], '--service-time "soon" is not a latency model'],
    [['--service-time', '5ms', '--ttft', '5ms'], '--service-time replaces --ttft'],
  ])('mock-llm %j is bad input: exit 2, one line', async (args, message) => {
    const r = await runInProcess(['mock-llm', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
