/**
 * How one phase's load is shared between parts that run it at the same time: worker threads
 * of one process, shards on many machines, or both (a shard split again over its threads).
 * Pure arithmetic; the rules, after k6's execution segments (NOTES-scale-out.md):
 *
 * - Operation indexes and open-model arrivals are striped: part s of S takes s, s+S, s+2S, ...
 *   Every part's arrivals keep their place in the one global schedule t_k = t0 + k/rate, so
 *   the union of the parts is exactly the single schedule, not S copies of it.
 * - Capacities (VUs, concurrency, maxInFlight) split as k6 splits VUs, without rounding loss:
 *   part i of n gets round(v(i+1)/n) - round(v i/n) (10 over 4: 3, 2, 3, 2). A part whose
 *   capacity comes out 0 runs nothing, and the stripes go to the parts that do run.
 * - Each part gets its own seed (its simulated providers must not replay the same random
 *   stream), and sessions are owned by one part each, so parts never share a session.
 *
 * Splits nest: shard s of N split over W threads gives the parts s + N*w of N*W, so indexes,
 * seeds and sessions of a sharded, threaded run are those of one flat split.
 */
import type { ExecutorSpec } from '../results/types.js';

/** Part `index` (0-based) of `count`. */
export interface Part {
  index: number;
  count: number;
}

export const WHOLE: Part = Object.freeze({ index: 0, count: 1 });

/** Part `inner` of part `outer`, as a part of the whole (stripes nest: s + N*w of N*W). */
export function composeParts(outer: Part, inner: Part): Part {
  return { index: outer.index + outer.count * inner.index, count: outer.count * inner.count };
}

/** round(a / b) for whole numbers, half up, without floating-point error. */
function roundDiv(a: number, b: number): number {
  const twiceA = 2 * a;
  const twiceB = 2 * b;
  // Stryker disable next-line ArithmeticOperator: equivalent; twiceA - b lowers every roundDiv by exactly 1, and shareOf only takes differences of two
  return Math.floor((twiceA + b) / twiceB);
}

/** k6's share of a capacity: round(total (i+1)/n) - round(total i/n). The shares sum to total. */
export function shareOf(total: number, part: Part): number {
  return roundDiv(total * (part.index + 1), part.count) - roundDiv(total * part.index, part.count);
}

/** How many of 0..total-1 are congruent to index modulo count. */
export function stripeCount(total: number, part: Part): number {
  // For index >= total, total - index - 1 lies in [-count, -1] (index < count): the count is 0.
  return Math.floor((total - part.index - 1) / part.count) + 1;
}

/** The seed of a part's providers: the run's seed for the whole, a distinct one for every part. */
export function partSeed(seed: number, part: Part): number {
  // Math.imul by an odd constant is a bijection modulo 2^32: distinct parts, distinct seeds.
  // The whole (and part 0) is index 0, which xors nothing: seeds are below 2^32 (parseSeed), so it keeps the run's seed.
  return (seed ^ Math.imul(part.index, 0x9e3779b1)) >>> 0;
}

/** What one part of a phase runs. */
export interface PhaseShare {
  /** The phase's executor with this part's counts (the open model keeps the rate; its stripe divides it). */
  executor: ExecutorSpec;
  /** False when this part's share of the capacity is 0: it runs nothing (and no warm-up). */
  active: boolean;
  /** A local operation index (what this part's executor hands out) → its index in the whole phase. */
  global(local: number): number;
  /** Open model: the arrivals this part schedules (the executor's own count would round). */
  arrivals?: number;
  /** Open model: which arrivals of the one global schedule this part launches (index % of === rank). */
  stripe?: { rank: number; of: number };
}

/** The whole phase, unsplit. */
export function wholeShare(spec: ExecutorSpec): PhaseShare {
  return {
    executor: spec,
    active: true,
    global: (i) => i,
    ...(spec.kind === 'rate' ? { arrivals: Math.floor((spec.durationMs / 1000) * spec.rate), stripe: { rank: 0, of: 1 } } : {}),
  };
}

/**
 * Among the parts that get some of a capacity, the rank of this one and how many there are.
 * With capacity >= parts every part runs; below, the shares are 0 or 1.
 */
function activeRank(capacity: number, part: Part): { active: boolean; rank: number; of: number } {
  let rank = 0;
  for (let i = 0; i < part.index; i++) if (shareOf(capacity, { index: i, count: part.count }) > 0) rank++;
  return { active: shareOf(capacity, part) > 0, rank, of: Math.min(capacity, part.count) };
}

/**
 * The VU ids (0..vus-1) of one part: k6's count, taken from the part's own stripe first, so
 * that when parts divide the VUs evenly a part's VUs are exactly its stripe (and a VU's
 * session, when sessions = VUs, is a session the part owns). Uneven leftovers fill the parts
 * whose stripe is short of their share, in order.
 */
export function vuIds(vus: number, part: Part): number[] {
  const parts = part.count;
  const at = (i: number): Part => ({ index: i, count: parts });
  const keep = (i: number): number => Math.min(shareOf(vus, at(i)), stripeCount(vus, at(i)));
  const own: number[] = [];
  for (let m = 0; m < keep(part.index); m++) own.push(part.index + parts * m);
  // A part has either spare stripe or a shortfall (short > 0), never both; spares fill shortfalls in order.
  const short = shareOf(vus, part) - own.length;
  const spare = Array.from({ length: parts }, (_, i) => {
    const ids: number[] = [];
    for (let m = keep(i); m < stripeCount(vus, at(i)); m++) ids.push(i + parts * m);
    return ids;
  }).flat();
  let from = 0;
  for (let i = 0; i < part.index; i++) from += shareOf(vus, at(i)) - keep(i);
  // Ascending without a sort: spares lie at the ends of their stripes, past the short part's own (a tested property).
  own.push(...spare.slice(from, from + short));
  return own;
}

/** Part `part` of a share (a share of the whole phase, or already a part of it). */
export function splitShare(parent: PhaseShare, part: Part): PhaseShare {
  if (part.count === 1) return parent;
  const spec = parent.executor;
  switch (spec.kind) {
    case 'iterations': {
      const { active, rank, of } = activeRank(spec.concurrency, part);
      const total = parent.active ? spec.iterations : 0;
      const iterations = active ? stripeCount(total, { index: rank, count: of }) : 0;
      return {
        executor: { kind: 'iterations', iterations, concurrency: Math.max(1, shareOf(spec.concurrency, part)) },
        active: active && iterations > 0,
        global: (j) => parent.global(rank + j * of),
      };
    }
    case 'vus': {
      const ids = parent.active ? vuIds(spec.vus, part) : [];
      const v = ids.length;
      const vus = spec.vus;
      return {
        executor: { ...spec, vus: v },
        active: v > 0,
        // Local index j stands for "VU u's k-th operation" (j = k*v + u) and maps to the same
        // VU and round in the parent (k*V + id): disjoint parts, and their union is the parent.
        global: (j) => parent.global(Math.floor(j / v) * vus + (ids[j % v] as number)),
      };
    }
    case 'rate': {
      const { active, rank, of } = activeRank(spec.maxInFlight, part);
      const arrivals = active && parent.active ? stripeCount(parent.arrivals ?? 0, { index: rank, count: of }) : 0;
      return {
        // The rate stays the phase's: the part walks the global schedule and keeps its stripe.
        executor: { ...spec, maxInFlight: Math.max(1, shareOf(spec.maxInFlight, part)) },
        active: arrivals > 0,
        global: (j) => parent.global(rank + j * of),
        arrivals,
        // Nested stripes compose: rank r of `of` inside the parent's stripe (R of O) is
        // global index R + O·(r + j·of), i.e. rank R + O·r of O·of.
        // Stryker disable next-line OptionalChaining: equivalent; the parent of a rate part is a rate share, and every rate share has a stripe (wholeShare and this case set one)
        stripe: { rank: (parent.stripe?.rank ?? 0) + (parent.stripe?.of ?? 1) * rank, of: (parent.stripe?.of ?? 1) * of },
      };
    }
  }
}

/** A phase's share for a path of nested parts (e.g. [shard, worker]). */
export function splitPhase(spec: ExecutorSpec, path: readonly Part[]): PhaseShare {
  return path.reduce(splitShare, wholeShare(spec));
}

/**
 * Operations a closed-model executor runs when its spec fixes them: its iterations, or VUs x
 * iterations each; undefined for VUs that run for a duration. The one count of the executors'
 * plan (executors.ts plannedOps) and of a share's, since a closed-model part is an executor of its own.
 */
export function closedModelOps(spec: Extract<ExecutorSpec, { kind: 'iterations' | 'vus' }>): number | undefined {
  if (spec.kind === 'iterations') return spec.iterations;
  return spec.iterationsPerVu !== undefined ? spec.vus * spec.iterationsPerVu : undefined;
}

/** Operations a share runs, when known in advance: an open-model part, the arrivals of its stripe. */
export function shareOps(share: PhaseShare): number | undefined {
  if (!share.active) return 0;
  return share.executor.kind === 'rate' ? share.arrivals : closedModelOps(share.executor);
}

/**
 * Which session operation i uses: `session_{i % sessions}` as in one thread, except that
 * every session belongs to one part (session k to the part whose stripe holds k), and a part
 * that meets a session it does not own uses one of its own instead. So parts never share a
 * session, and when the parts divide the sessions evenly striped operations keep exactly the
 * single-thread sessions. With fewer sessions than parts, the parts past them share names
 * (with in-process providers each part's store is its own anyway).
 */
export function sessionPicker(sessions: number, owner: Part = WHOLE): (i: number) => string {
  const ids = Array.from({ length: sessions }, (_, k) => `session_${k}`);
  const n = ids.length;
  const parts = owner.count;
  const mine = owner.index;
  const owned = stripeCount(n, owner);
  return (i) => {
    const k = i % n;
    if (owned === 0) return ids[k] as string;
    // Session k = r + parts*q is the q-th of stripe r: the q-th (modulo owned) of this part's
    // own stripe stands in for it, and a session of its own (r = mine, q < owned) is itself.
    return ids[mine + parts * (Math.floor(k / parts) % owned)] as string;
  };
}
