import { describe, expect, it } from 'vitest';
import { createManualClock, createRandom } from '../../src/providers/random.js';
import type { ConversationSource } from '../../src/workload/dataset.js';
import type { Conversation } from '../../src/workload/record.js';
import { ConversationPool, type Assignment } from '../../src/workload/sessions.js';

/** n conversations of `turns` turns each, `thinkMs` apart; `available` limits what is at hand. */
function source(turns: number, thinkMs = 0, opts: { available?: number } = {}): ConversationSource & { given: number; refill(n: number): void } {
  let n = 0;
  let available = opts.available ?? Number.POSITIVE_INFINITY;
  const s = {
    given: 0,
    passes: 1,
    next(): Conversation | undefined {
      if (available <= 0) return undefined;
      available--;
      n++;
      s.given++;
      return {
        session: `c${n}`,
        turns: Array.from({ length: turns }, (_, k) => ({ user: { role: 'user' as const, content: `c${n} turn ${k}` }, thinkTimeMs: k === 0 ? 0 : thinkMs })),
      };
    },
    ready: () => Promise.resolve(),
    close: () => undefined,
    refill(k: number) {
      available += k;
    },
  };
  return s;
}

function pool(src: ConversationSource, cap: number, opts: { zipf?: number } = {}) {
  const clock = createManualClock(1000);
  const p = new ConversationPool({
    source: src,
    cap,
    popularity: opts.zipf !== undefined ? { kind: 'zipf', s: opts.zipf } : { kind: 'even' },
    random: createRandom(1),
    now: () => clock.now(),
  });
  return { p, clock };
}

const label = (a: Assignment | undefined): string => (a === undefined ? '-' : `${a.conversation.session}/${a.turnIndex}`);

describe('ConversationPool', () => {
  it('opens `cap` conversations first, then continues them in turn (round robin) and replaces finished ones', () => {
    const { p } = pool(source(2), 3);
    const got: string[] = [];
    for (let k = 0; k < 9; k++) {
      const a = p.take({ mode: 'closed' });
      got.push(label(a));
      if (a) p.release(a);
    }
    expect(got).toEqual(['c1/0', 'c2/0', 'c3/0', 'c1/1', 'c2/1', 'c3/1', 'c4/0', 'c5/0', 'c6/0']);
    expect(p.stats).toMatchObject({ conversations: 6, turns: 9, finished: 3, overCap: 0 });
  });

  it('never hands out a conversation with a turn in flight: turns of one session stay in order', () => {
    const { p } = pool(source(5), 2);
    const a = p.take({ mode: 'closed' });
    const b = p.take({ mode: 'closed' });
    expect([label(a), label(b)]).toEqual(['c1/0', 'c2/0']);
    // Both busy and the cap reached: a third conversation, beyond the cap.
    const c = p.take({ mode: 'closed' });
    expect(label(c)).toBe('c3/0');
    expect(p.stats.overCap).toBe(1);
    p.release(b as Assignment);
    expect(label(p.take({ mode: 'closed' }))).toBe('c2/1');
  });

  it('think time: the closed model gets the first conversation to be ready, with the wait; the open model opens another', () => {
    const { p, clock } = pool(source(3, 100), 2);
    const a = p.take({ mode: 'closed' }) as Assignment;
    const b = p.take({ mode: 'closed' }) as Assignment;
    p.release(a);
    clock.advance(30);
    p.release(b);
    // c1 is ready at +100 after its release, c2 30 ms later.
    const closed = p.take({ mode: 'closed' });
    expect(label(closed)).toBe('c1/1');
    expect(closed?.waitMs).toBe(100 - 30);
    expect(p.stats).toMatchObject({ thinkWaits: 1, thinkWaitMs: 70 });
    const open = p.take({ mode: 'open' });
    expect(label(open)).toBe('c3/0');
    expect(open?.waitMs).toBe(0);
    clock.advance(100);
    expect(label(p.take({ mode: 'open' }))).toBe('c2/1');
  });

  it('batch mode takes the next idle conversation whatever its think time', () => {
    const { p } = pool(source(3, 1000), 1);
    const a = p.take({ mode: 'batch' }) as Assignment;
    p.release(a);
    const b = p.take({ mode: 'batch' });
    expect(label(b)).toBe('c1/1');
    expect(b?.waitMs).toBe(0);
  });

  it('a source with nothing at hand: undefined, and nothing changes until asked again', () => {
    const src = source(1, 0, { available: 1 });
    const { p } = pool(src, 2);
    const a = p.take({ mode: 'closed' }) as Assignment;
    expect(p.take({ mode: 'closed' })).toBeUndefined();
    p.release(a);
    expect(p.take({ mode: 'closed' })).toBeUndefined();
    src.refill(2);
    expect(label(p.take({ mode: 'closed' }))).toBe('c2/0');
    expect(p.stats.conversations).toBe(2);
  });

  it('zipf(1.2) popularity: the first slots get far more turns than the last', () => {
    const { p } = pool(source(50), 20, { zipf: 1.2 });
    // Counted by slot: a popular slot runs through its conversations fast, each replaced by the next.
    const counts = new Map<number, number>();
    for (let k = 0; k < 20_000; k++) {
      const a = p.take({ mode: 'closed' }) as Assignment;
      counts.set(a.slot.index, (counts.get(a.slot.index) ?? 0) + 1);
      p.release(a);
    }
    const first = counts.get(0) ?? 0;
    const last = counts.get(19) ?? 0;
    // 1/k^1.2: slot 1 vs slot 20 is 20^1.2 ~ 36 times as popular.
    expect(first / last).toBeGreaterThan(15);
    expect(first / 20_000).toBeGreaterThan(0.2);
  });

  it('even popularity spreads turns evenly', () => {
    const { p } = pool(source(1_000), 20);
    const counts = new Map<string, number>();
    for (let k = 0; k < 2_000; k++) {
      const a = p.take({ mode: 'closed' }) as Assignment;
      counts.set(a.conversation.session, (counts.get(a.conversation.session) ?? 0) + 1);
      p.release(a);
    }
    expect(new Set(counts.values())).toEqual(new Set([100]));
  });

  it('trace sessions: an arrival that names a session continues that conversation, think time or not', () => {
    const { p } = pool(source(3, 10_000), 1);
    const a = p.take({ mode: 'open', ref: 'u1' }) as Assignment;
    expect(label(a)).toBe('c1/0');
    p.release(a);
    const b = p.take({ mode: 'open', ref: 'u1' }) as Assignment;
    expect(label(b)).toBe('c1/1');
    // While u1's turn is in flight, another u1 arrival cannot continue it: served as an unnamed one.
    expect(label(p.take({ mode: 'open', ref: 'u1' }))).toBe('c2/0');
    p.release(b);
    expect(label(p.take({ mode: 'open', ref: 'u2' }))).toBe('c3/0');
  });
});
