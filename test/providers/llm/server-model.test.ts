import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotQueue, describeServerModel, tokenServiceMs, validateServerModel, type ServerModelConfig } from '../../../src/providers/llm/server-model.js';

/**
 * An independent reference: a discrete-event simulation that processes arrivals and
 * completions in time order with an explicit FIFO queue, the way one would draw it on paper.
 * SlotQueue instead fixes each request's start at arrival; both must agree exactly.
 */
function simulate(cfg: ServerModelConfig, arrivals: Array<{ at: number; service: number }>): Array<{ start: number; end: number } | 'refused'> {
  const slots = cfg.slots ?? Number.POSITIVE_INFINITY;
  const limit = cfg.queueLimit ?? Number.POSITIVE_INFINITY;
  const out: Array<{ start: number; end: number } | 'refused'> = [];
  const running: number[] = []; // end times
  const queue: number[] = []; // indexes waiting
  let now = 0;
  const advance = (to: number): void => {
    // Complete and start waiting requests, in time order, up to `to` (inclusive).
    for (;;) {
      running.sort((a, b) => a - b);
      const next = running[0];
      if (next === undefined || next > to) break;
      now = next;
      running.shift();
      const i = queue.shift();
      if (i !== undefined) {
        const a = arrivals[i]!;
        out[i] = { start: now, end: now + a.service };
        running.push(now + a.service);
      }
    }
    now = to;
  };
  arrivals.forEach((a, i) => {
    advance(a.at);
    if (running.length < slots) {
      out[i] = { start: a.at, end: a.at + a.service };
      running.push(a.at + a.service);
    } else if (queue.length < limit) {
      queue.push(i);
    } else {
      out[i] = 'refused';
    }
  });
  advance(Number.POSITIVE_INFINITY);
  return out;
}

function admitAll(cfg: ServerModelConfig, arrivals: Array<{ at: number; service: number }>) {
  const q = new SlotQueue(cfg);
  return arrivals.map(({ at, service }) => {
    const a = q.admit(at, service);
    return a === undefined ? 'refused' : { start: a.startMs, end: a.endMs };
  });
}

describe('SlotQueue: a finite-capacity FIFO server in virtual time', () => {
  it('with unlimited slots starts every request when it arrives', () => {
    const q = new SlotQueue();
    expect(q.admit(5, 10)).toEqual({ startMs: 5, endMs: 15, queuedAhead: 0 });
    expect(q.admit(5, 10)).toEqual({ startMs: 5, endMs: 15, queuedAhead: 0 });
    expect(q.waiting(5)).toBe(0);
  });

  it('4 slots x 10 ms at 400 requests/s: nobody waits, latency stays at the service time', () => {
    const q = new SlotQueue({ slots: 4 });
    for (let k = 0; k < 4000; k++) {
      const at = k * 2.5;
      const a = q.admit(at, 10)!;
      expect(a.startMs).toBe(at);
    }
  });

  it('4 slots x 10 ms serve exactly 400 requests/s however fast they arrive; the wait grows without bound', () => {
    const q = new SlotQueue({ slots: 4 });
    const n = 10_000;
    const admitted = Array.from({ length: n }, (_, k) => q.admit(k * 2, 10)!); // 500/s offered
    // Once saturated, each slot serves back to back: request k starts when request k-4 ends,
    // so completions come 4 per 10 ms, 400/s, whatever the offered rate.
    for (let k = 4; k < n; k++) expect(admitted[k]!.startMs).toBe(admitted[k - 4]!.endMs);
    const last = admitted[n - 1]!;
    expect(((n - 4) / (last.endMs - admitted[3]!.endMs)) * 1000).toBeCloseTo(400, 9);
    // Offered 500/s against 400/s: the wait grows by 0.5 ms per request. The last request's slot
    // (the 4th, first busy at 6 ms) serves 2,500 requests back to back: it starts at
    // 6 + 2499 x 10 ms = 24,996 ms, having arrived at 19,998 ms.
    expect(last.startMs).toBe(24_996);
    expect(last.startMs - (n - 1) * 2).toBe(4998);
    expect(last.queuedAhead).toBeGreaterThan(1500);
  });

  it('refuses beyond queueLimit, and counts the refusals', () => {
    const q = new SlotQueue({ slots: 4, queueLimit: 2 });
    const out = Array.from({ length: 8 }, () => q.admit(0, 10));
    expect(out.slice(0, 4).map((a) => a?.startMs)).toEqual([0, 0, 0, 0]);
    expect(out.slice(4, 6).map((a) => a?.startMs)).toEqual([10, 10]);
    expect(out.slice(6)).toEqual([undefined, undefined]);
    expect(q.refused).toBe(2);
    expect(q.admitted).toBe(6);
    expect(q.waiting(0)).toBe(2);
    expect(q.waiting(10)).toBe(0);
    // Once the waiting ones have started, there is room again.
    expect(q.admit(10, 10)?.startMs).toBe(10);
  });

  it('queueLimit 0 refuses whenever every slot is busy, and admits again once one frees', () => {
    const q = new SlotQueue({ slots: 1, queueLimit: 0 });
    expect(q.admit(0, 10)?.startMs).toBe(0);
    expect(q.admit(5, 10)).toBeUndefined();
    expect(q.admit(10, 10)?.startMs).toBe(10);
  });

  it('agrees exactly with an event-by-event simulation (random arrivals, service times, limits)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 20 }), service: fc.integer({ min: 0, max: 40 }) }), { maxLength: 80 }),
        (slots, queueLimit, draws) => {
          let t = 0;
          const arrivals = draws.map((d) => ({ at: (t += d.gap), service: d.service }));
          const cfg: ServerModelConfig = { slots, ...(queueLimit !== undefined ? { queueLimit } : {}) };
          expect(admitAll(cfg, arrivals)).toEqual(simulate(cfg, arrivals));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects settings that are not whole numbers in range, naming them', () => {
    expect(() => validateServerModel({ slots: -1 })).toThrow(/slots must be a whole number >= 1/);
    expect(() => validateServerModel({ slots: 0 })).toThrow(/slots/);
    expect(() => validateServerModel({ slots: 1.5 })).toThrow(/slots/);
    expect(() => validateServerModel({ slots: 2, queueLimit: -1 })).toThrow(/queueLimit must be a whole number >= 0/);
    expect(() => new SlotQueue({ slots: -1 })).toThrow(RangeError);
    expect(() => validateServerModel({ slots: 4, queueLimit: 0 })).not.toThrow();
  });

  it('describes itself and computes token-based service times', () => {
    expect(describeServerModel({})).toBe('unlimited slots');
    expect(describeServerModel({ slots: 4 })).toBe('4 slots, unlimited queue');
    expect(describeServerModel({ slots: 1, queueLimit: 0 })).toBe('1 slot, no queue');
    expect(describeServerModel({ slots: 8, queueLimit: 100 })).toBe('8 slots, queue up to 100');
    expect(tokenServiceMs(20, 2, 32)).toBe(84);
    expect(tokenServiceMs(5, 1, -3)).toBe(5);
  });
});
