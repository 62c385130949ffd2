import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecutorSpec } from '../../src/results/types.js';
import { plannedOps } from '../../src/runner/executors.js';
import {
  closedModelOps,
  composeParts,
  partSeed,
  sessionPicker,
  shareOf,
  shareOps,
  splitPhase,
  stripeCount,
  vuIds,
  wholeShare,
  WHOLE,
  type Part,
  type PhaseShare,
} from '../../src/runner/split.js';

const parts = (count: number): Part[] => Array.from({ length: count }, (_, index) => ({ index, count }));

/** Every leaf of splitting into `outer` parts, each split again into `inner` parts. */
function leaves(spec: ExecutorSpec, outer: number, inner: number): Array<{ path: Part[]; share: PhaseShare }> {
  return parts(outer).flatMap((o) => parts(inner).map((i) => ({ path: [o, i], share: splitPhase(spec, [o, i]) })));
}

/** The whole-phase indexes a share runs (its local indexes 0..ops-1, mapped). */
function indexesOf(share: PhaseShare): number[] {
  const ops = shareOps(share) ?? 0;
  return Array.from({ length: ops }, (_, j) => share.global(j));
}

function expectExactCover(sets: number[][], total: number): void {
  const all = sets.flat().sort((a, b) => a - b);
  // Disjoint (no index twice) and the union is the original 0..total-1.
  expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
}

describe('shares of a capacity (k6 execution segments)', () => {
  it('10 over 4 gives 3, 2, 3, 2', () => {
    expect(parts(4).map((p) => shareOf(10, p))).toEqual([3, 2, 3, 2]);
  });

  it('sum to the whole, each within one of an even split (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 64 }), (total, n) => {
        const shares = parts(n).map((p) => shareOf(total, p));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        for (const s of shares) expect(Math.abs(s - total / n)).toBeLessThan(1);
      }),
    );
  });

  it('stripes count every index once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 64 }), (total, n) => {
        expect(parts(n).reduce((a, p) => a + stripeCount(total, p), 0)).toBe(total);
      }),
    );
  });

  it('VU ids: k6 counts, disjoint, together every VU, and a part\'s own stripe when the split is even', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 16 }), (vus, n) => {
        const ids = parts(n).map((p) => vuIds(vus, p));
        ids.forEach((set, i) => expect(set.length).toBe(shareOf(vus, { index: i, count: n })));
        expectExactCover(ids, vus);
        if (vus % n === 0) ids.forEach((set, i) => expect(set.every((id) => id % n === i)).toBe(true));
      }),
    );
  });
});

const iterationsSpec = fc.record({ iterations: fc.integer({ min: 1, max: 3_000 }), concurrency: fc.integer({ min: 1, max: 40 }) }).map((e): ExecutorSpec => ({ kind: 'iterations', ...e }));
const vusSpec = fc.record({ vus: fc.integer({ min: 1, max: 60 }), iterationsPerVu: fc.integer({ min: 1, max: 30 }) }).map((e): ExecutorSpec => ({ kind: 'vus', ...e }));
const rateSpec = fc
  .record({ rate: fc.integer({ min: 1, max: 500 }), durationMs: fc.integer({ min: 1, max: 20_000 }), maxInFlight: fc.integer({ min: 1, max: 50 }) })
  .map((e): ExecutorSpec => ({ kind: 'rate', ...e }));

describe('splitPhase: parts are disjoint and their union is the original (property)', () => {
  it.each([
    ['iterations', iterationsSpec],
    ['vus x iterations', vusSpec],
    ['rate (arrivals)', rateSpec],
  ] as const)('%s, split over shards and then threads', (_name, specs) => {
    fc.assert(
      fc.property(specs, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (spec, outer, inner) => {
        const total = shareOps(wholeShare(spec)) ?? 0;
        const all = leaves(spec, outer, inner);
        expectExactCover(all.map((l) => indexesOf(l.share)), total);
        const capacity = (e: ExecutorSpec): number => (e.kind === 'iterations' ? e.concurrency : e.kind === 'vus' ? e.vus : e.maxInFlight);
        // Capacity is split without loss among the parts that run; idle parts run nothing.
        const running = all.filter((l) => l.share.active);
        expect(running.reduce((a, l) => a + capacity(l.share.executor), 0)).toBeLessThanOrEqual(capacity(spec));
        if (spec.kind === 'vus') expect(all.reduce((a, l) => a + capacity(l.share.executor), 0)).toBe(capacity(spec));
        for (const l of all) if (!l.share.active) expect(shareOps(l.share)).toBe(0);
      }),
    );
  });

  it('a striped open model keeps every arrival at its place in the one global schedule', () => {
    fc.assert(
      fc.property(rateSpec, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (spec, outer, inner) => {
        if (spec.kind !== 'rate') return;
        for (const { share } of leaves(spec, outer, inner)) {
          const e = share.executor;
          if (e.kind !== 'rate') throw new Error('kind');
          // Every part walks the phase's own schedule (same rate, same arrival pattern and
          // seed) and launches the arrivals of its stripe: its j-th is global arrival
          // rank + j*of, which is also the operation index it runs under.
          expect(e.rate).toBe(spec.rate);
          if (share.arrivals === 0) continue;
          const stripe = share.stripe;
          if (stripe === undefined) throw new Error('an active open-model part has a stripe');
          for (let j = 0; j < Math.min(share.arrivals ?? 0, 50); j++) {
            expect(share.global(j)).toBe(stripe.rank + j * stripe.of);
          }
        }
      }),
    );
  });

  it('nesting equals one flat split for stripes: shard s of N, thread w of W is part s + N*w of N*W', () => {
    const spec: ExecutorSpec = { kind: 'iterations', iterations: 1000, concurrency: 12 };
    for (const s of parts(3)) {
      for (const w of parts(2)) {
        const nested = splitPhase(spec, [s, w]);
        const flat = splitPhase(spec, [composeParts(s, w)]);
        expect(indexesOf(nested)).toEqual(indexesOf(flat));
        expect(composeParts(s, w)).toEqual({ index: s.index + 3 * w.index, count: 6 });
      }
    }
  });

  it('the stress shape over 2 threads: 500 VUs each, half of the 100,000 requests each', () => {
    const spec: ExecutorSpec = { kind: 'vus', vus: 1000, iterationsPerVu: 100 };
    const [a, b] = parts(2).map((p) => splitPhase(spec, [p]));
    expect([a!.executor, b!.executor]).toEqual([
      { kind: 'vus', vus: 500, iterationsPerVu: 100 },
      { kind: 'vus', vus: 500, iterationsPerVu: 100 },
    ]);
    expect([shareOps(a!), shareOps(b!)]).toEqual([50_000, 50_000]);
  });

  it('a sequential phase is not made concurrent: one part runs it all, the others idle', () => {
    const spec: ExecutorSpec = { kind: 'iterations', iterations: 100, concurrency: 1 };
    const shares = parts(4).map((p) => splitPhase(spec, [p]));
    expect(shares.filter((s) => s.active).map((s) => [shareOps(s), s.executor.kind === 'iterations' && s.executor.concurrency])).toEqual([[100, 1]]);
    expect(shares.filter((s) => !s.active).map(shareOps)).toEqual([0, 0, 0]);
  });

  it('one part is the whole phase, untouched', () => {
    const spec: ExecutorSpec = { kind: 'rate', rate: 50, durationMs: 10_000, maxInFlight: 100 };
    const share = splitPhase(spec, [{ index: 0, count: 1 }]);
    expect(share.executor).toBe(spec);
    expect(share.arrivals).toBe(500);
    expect(share.global(123)).toBe(123);
  });
});

// The one count of a closed-model executor: the executors' plan and a share's operations.
describe('closedModelOps', () => {
  it.each<[ExecutorSpec & { kind: 'iterations' | 'vus' }, number | undefined]>([
    [{ kind: 'iterations', iterations: 120, concurrency: 4 }, 120],
    [{ kind: 'vus', vus: 5, iterationsPerVu: 7 }, 35],
    [{ kind: 'vus', vus: 5, durationMs: 2000 }, undefined],
  ])('%j: %s operations, as the executor plans them and as its unsplit share runs them', (spec, ops) => {
    expect(closedModelOps(spec)).toBe(ops);
    expect(plannedOps(spec)).toBe(ops);
    expect(shareOps(wholeShare(spec))).toBe(ops);
  });

  it("a part's operations are those of its own executor; an idle part runs none", () => {
    const spec: ExecutorSpec = { kind: 'vus', vus: 3, iterationsPerVu: 4 };
    const shares = parts(4).map((p) => splitPhase(spec, [p]));
    expect(shares.map(shareOps)).toEqual(shares.map((s) => (s.active ? closedModelOps(s.executor as ExecutorSpec & { kind: 'vus' }) : 0)));
    // 3 VUs over 4 parts, k6's way: 1, 1, 0, 1.
    expect(shares.map(shareOps)).toEqual([4, 4, 0, 4]);
  });
});

describe('per-part seeds', () => {
  it('the whole keeps the run\'s seed; every part of a run gets a distinct seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 2, max: 256 }), (seed, n) => {
        expect(partSeed(seed, { index: 0, count: 1 })).toBe(seed);
        const seeds = parts(n).map((p) => partSeed(seed, p));
        expect(new Set(seeds).size).toBe(n);
        for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
      }),
    );
  });
});

describe('sessionPicker: striped session ids', () => {
  it('one part: session_{i % sessions}, as in one thread', () => {
    const pick = sessionPicker(100);
    expect([0, 99, 100, 257].map(pick)).toEqual(['session_0', 'session_99', 'session_0', 'session_57']);
  });

  it('parts never share a session, whatever the split and the number of sessions (property)', () => {
    fc.assert(
      fc.property(fc.oneof(iterationsSpec, vusSpec, rateSpec), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 300 }), (spec, outer, inner, sessions) => {
        const owners = new Map<string, number>();
        const all = leaves(spec, outer, inner);
        if (sessions < outer * inner) return;
        all.forEach(({ path, share }, leaf) => {
          const pick = sessionPicker(sessions, composeParts(path[0]!, path[1]!));
          for (const g of indexesOf(share)) {
            const id = pick(g);
            expect(owners.get(id) ?? leaf).toBe(leaf);
            owners.set(id, leaf);
          }
        });
      }),
      { numRuns: 80 },
    );
  });

  it('when the parts divide the sessions, striped operations keep their single-thread session', () => {
    const spec: ExecutorSpec = { kind: 'iterations', iterations: 1_000, concurrency: 10 };
    for (const p of parts(4)) {
      const pick = sessionPicker(100, p);
      for (const g of indexesOf(splitPhase(spec, [p]))) expect(pick(g)).toBe(`session_${g % 100}`);
    }
    // The stress shape: 1,000 VUs, 1,000 sessions, 2 threads: every VU keeps its own session.
    const stress: ExecutorSpec = { kind: 'vus', vus: 1000, iterationsPerVu: 3 };
    for (const p of parts(2)) {
      const pick = sessionPicker(1000, p);
      for (const g of indexesOf(splitPhase(stress, [p]))) expect(pick(g)).toBe(`session_${g % 1000}`);
    }
  });
});

describe('the whole and the parts that run nothing', () => {
  it('WHOLE is the one part of one: composing with it changes no part, splitting by it changes no phase', () => {
    for (const p of [...parts(1), ...parts(3)]) {
      expect(composeParts(WHOLE, p)).toEqual(p);
      expect(composeParts(p, WHOLE)).toEqual(p);
    }
    const spec: ExecutorSpec = { kind: 'iterations', iterations: 10, concurrency: 2 };
    const share = splitPhase(spec, [WHOLE]);
    expect(share.executor).toBe(spec);
    expect(indexesOf(share)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('a closed-model phase plans no open-model arrivals (the phase plans its operations from its executor)', () => {
    for (const spec of [{ kind: 'iterations', iterations: 10, concurrency: 2 }, { kind: 'vus', vus: 3, durationMs: 1_000 }] as ExecutorSpec[]) {
      expect(wholeShare(spec)).not.toHaveProperty('arrivals');
      expect(wholeShare(spec)).not.toHaveProperty('stripe');
    }
  });

  it('an open-model phase runs the arrivals its schedule holds: rate x duration', () => {
    expect(shareOps(wholeShare({ kind: 'rate', rate: 50, durationMs: 2_500, maxInFlight: 10 }))).toBe(125);
    const halves = parts(2).map((p) => splitPhase({ kind: 'rate', rate: 50, durationMs: 2_500, maxInFlight: 10 }, [p]));
    expect(halves.map(shareOps)).toEqual([63, 62]);
  });

  it('VUs that run for a duration: a part with no VU is idle and runs nothing', () => {
    const spec: ExecutorSpec = { kind: 'vus', vus: 1, durationMs: 5_000 };
    const [a, b] = parts(2).map((p) => splitPhase(spec, [p]));
    expect([a!.active, shareOps(a!)]).toEqual([true, undefined]);
    expect([b!.active, shareOps(b!)]).toEqual([false, 0]);
  });

  it("open model: each part's in-flight cap is its share (at least 1)", () => {
    const caps = (maxInFlight: number, n: number): number[] =>
      parts(n).map((p) => {
        const e = splitPhase({ kind: 'rate', rate: 10, durationMs: 1_000, maxInFlight }, [p]).executor;
        return e.kind === 'rate' ? e.maxInFlight : Number.NaN;
      });
    expect(caps(10, 2)).toEqual([5, 5]);
    expect(caps(7, 3)).toEqual([2, 3, 2]);
    expect(caps(1, 2)).toEqual([1, 1]);
  });

  it('VU ids come in ascending order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 16 }), (vus, n) => {
        for (const p of parts(n)) {
          const ids = vuIds(vus, p);
          expect(ids).toEqual([...ids].sort((a, b) => a - b));
        }
      }),
    );
  });

  it('fewer sessions than parts: a part that owns none uses the sessions by index, as one thread would', () => {
    const pick = sessionPicker(2, { index: 3, count: 4 });
    expect([0, 1, 2, 3, 7].map(pick)).toEqual(['session_0', 'session_1', 'session_0', 'session_1', 'session_1']);
    // A part that owns one: it always uses its own.
    const own = sessionPicker(2, { index: 1, count: 4 });
    expect([0, 1, 2, 3].map(own)).toEqual(['session_1', 'session_1', 'session_1', 'session_1']);
  });
});
