import { describe, it, expect } from 'vitest';
import type { MemoryProviderConfig } from '../../../src/providers/config.js';
import type { Message } from '../../../src/providers/types.js';
import { createManualClock } from '../../../src/providers/random.js';
import { SessionMemoryProvider } from '../../../src/providers/memory/session-memory.js';
import { caught } from '../../helpers/caught.js';

function msg(i: number): Message {
  return { role: 'user', content: `Test message #${i}` };
}

function range(from: number, to: number): Message[] {
  return Array.from({ length: to - from }, (_, k) => msg(from + k));
}

const contents = (ms: Message[]) => ms.map((m) => m.content);

async function memory(config: Partial<MemoryProviderConfig> = {}, startMs = 0) {
  const clock = createManualClock(startMs);
  const m = new SessionMemoryProvider({ windowSize: 10, idleTtlMs: 1000, maxSessions: 100, ...config }, { clock });
  await m.initialize();
  return { m, clock };
}

describe('SessionMemoryProvider: sliding window', () => {
  it.each([
    // [window, how many stored, stored how (batch sizes)]
    [10, 5, [1, 1, 1, 1, 1]],
    [10, 10, [10]],
    [10, 25, [1, 7, 3, 14]],
    [3, 100, Array.from({ length: 100 }, () => 1)],
    [4, 9, [9]], // one store bigger than twice the window
    [1, 50, [2, 3, 45]],
  ])('window %d keeps the last messages in order after %d stores', async (windowSize, total, chunks) => {
    const { m } = await memory({ windowSize });
    let next = 0;
    for (const n of chunks) {
      await m.store('s', range(next, next + n));
      next += n;
    }
    expect(next).toBe(total);
    const kept = await m.retrieve('s', 1000);
    expect(contents(kept)).toEqual(contents(range(Math.max(0, total - windowSize), total)));
    expect(m.stats().messages).toBe(Math.min(total, windowSize));
  });

  it.each([
    [3, ['#7', '#8', '#9']],
    [1, ['#9']],
    [10, ['#0', '#1', '#2', '#3', '#4', '#5', '#6', '#7', '#8', '#9']],
    [50, ['#0', '#1', '#2', '#3', '#4', '#5', '#6', '#7', '#8', '#9']],
    [0, []],
    [-1, []],
    [2.7, ['#8', '#9']],
  ])('retrieve(limit %d) returns the last N, oldest first', async (limit, expected) => {
    const { m } = await memory({ windowSize: 100 });
    await m.store('s', range(0, 10));
    expect(contents(await m.retrieve('s', limit)).map((c) => c.slice(-2))).toEqual(expected);
  });

  it('returns [] for an unknown session', async () => {
    const { m } = await memory();
    expect(await m.retrieve('nope', 10)).toEqual([]);
  });

  it('stores messages by reference but hands out fresh arrays', async () => {
    const { m } = await memory();
    const original = msg(1);
    await m.store('s', [original]);
    const a = await m.retrieve('s', 10);
    expect(a[0]).toBe(original); // shared, not copied
    a.push(msg(2));
    a.length = 0;
    expect(contents(await m.retrieve('s', 10))).toEqual(['Test message #1']);
  });

  it('storeBatch stores into several sessions in one call', async () => {
    const { m } = await memory({ windowSize: 3 });
    await m.storeBatch([
      { sessionId: 'a', messages: range(0, 2) },
      { sessionId: 'b', messages: range(10, 15) },
      { sessionId: 'a', messages: range(2, 4) },
      { sessionId: 'c', messages: [] },
    ]);
    expect(contents(await m.retrieve('a', 10))).toEqual(contents(range(1, 4)));
    expect(contents(await m.retrieve('b', 10))).toEqual(contents(range(12, 15)));
    expect(m.stats()).toEqual({ sessions: 2, messages: 6, expired: 0, evicted: 0 });
  });

  it('handles the seed workload: 1000 messages round-robin into 100 sessions', async () => {
    const { m } = await memory({ windowSize: 100, maxSessions: 100_000 });
    for (let i = 0; i < 1000; i++) await m.store(`session_${i % 100}`, [msg(i)]);
    const last = await m.retrieve('session_7', 10);
    expect(contents(last)).toEqual(Array.from({ length: 10 }, (_, k) => `Test message #${7 + k * 100}`));
    expect(m.stats()).toMatchObject({ sessions: 100, messages: 1000 });
  });
});

describe('SessionMemoryProvider: expiry and eviction', () => {
  it('expires idle sessions; sweep() removes and counts them', async () => {
    const { m, clock } = await memory({ idleTtlMs: 1000 });
    await m.store('old', [msg(1)]);
    await m.store('kept', [msg(2)]);
    clock.advance(600);
    await m.retrieve('kept', 1); // reading refreshes the idle age
    clock.advance(600); // old: idle 1200 ms, kept: idle 600 ms
    expect(await m.sweep()).toBe(1);
    expect(m.stats()).toEqual({ sessions: 1, messages: 1, expired: 1, evicted: 0 });
    expect(await m.retrieve('old', 10)).toEqual([]);
    expect(contents(await m.retrieve('kept', 10))).toEqual(['Test message #2']);
    clock.advance(2000);
    expect(await m.sweep()).toBe(1);
    expect(await m.sweep()).toBe(0);
    expect(m.stats()).toEqual({ sessions: 0, messages: 0, expired: 2, evicted: 0 });
  });

  it('an expired session found on access is gone and counted, and starts afresh', async () => {
    const { m, clock } = await memory({ idleTtlMs: 100 });
    await m.store('s', range(0, 3));
    clock.advance(101);
    await m.store('s', [msg(9)]);
    expect(contents(await m.retrieve('s', 10))).toEqual(['Test message #9']);
    expect(m.stats()).toMatchObject({ expired: 1, messages: 1 });
  });

  it('writing refreshes the idle age too', async () => {
    const { m, clock } = await memory({ idleTtlMs: 100 });
    for (let i = 0; i < 5; i++) {
      clock.advance(60);
      await m.store('s', [msg(i)]);
    }
    expect(await m.sweep()).toBe(0);
    expect((await m.retrieve('s', 10)).length).toBe(5);
  });

  it('idleTtlMs 0 never expires', async () => {
    const { m, clock } = await memory({ idleTtlMs: 0 });
    await m.store('s', [msg(1)]);
    clock.advance(1e9);
    expect(await m.sweep()).toBe(0);
    expect((await m.retrieve('s', 1)).length).toBe(1);
  });

  it('the session cap evicts the least recently used session and counts it', async () => {
    const { m } = await memory({ maxSessions: 3 });
    await m.store('a', [msg(1)]);
    await m.store('b', [msg(2)]);
    await m.store('c', [msg(3)]);
    await m.retrieve('a', 1); // a is now more recent than b
    await m.store('d', range(0, 4));
    expect(await m.retrieve('b', 10)).toEqual([]);
    expect((await m.retrieve('a', 10)).length).toBe(1);
    expect(m.stats()).toEqual({ sessions: 3, messages: 6, expired: 0, evicted: 1 });
    await m.store('e', [msg(5)]);
    await m.store('f', [msg(6)]);
    expect(m.stats().evicted).toBe(3);
    expect(m.stats().sessions).toBe(3);
  });
});

describe('SessionMemoryProvider: lifecycle', () => {
  it('refuses use before initialize() and after close()', async () => {
    const m = new SessionMemoryProvider({ windowSize: 10, idleTtlMs: 1000, maxSessions: 10 }, { clock: createManualClock() });
    expect((await caught(m.store('s', [msg(1)]))).code).toBe('PROVIDER_NOT_READY');
    expect((await caught(m.retrieve('s', 1))).message).toMatch(/before initialize/);
    await m.initialize();
    await m.store('s', [msg(1)]);
    await m.close();
    expect((await caught(m.retrieve('s', 1))).message).toMatch(/after close/);
    expect(m.stats().messages).toBe(0);
  });

  it.each<[Partial<MemoryProviderConfig>, RegExp]>([
    [{ windowSize: 0 }, /windowSize/],
    [{ windowSize: 2.5 }, /windowSize/],
    [{ idleTtlMs: -1 }, /idleTtlMs/],
    [{ maxSessions: 0 }, /maxSessions/],
  ])('initialize() rejects %j', async (bad, message) => {
    const m = new SessionMemoryProvider({ windowSize: 10, idleTtlMs: 1000, maxSessions: 10, ...bad }, { clock: createManualClock() });
    const error = await caught(m.initialize());
    expect(error.code).toBe('PROVIDER_CONFIG_INVALID');
    expect(error.message).toMatch(message);
  });

  it('initialize() twice keeps the data', async () => {
    const { m } = await memory();
    await m.store('s', [msg(1)]);
    await m.initialize();
    expect((await m.retrieve('s', 1)).length).toBe(1);
  });
});
