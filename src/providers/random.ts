/**
 * Injected sources of randomness and time. Everything random in the providers draws from
 * a `Random` built here, so a run with the same `--seed` replays the same faults, latencies
 * and model output; tests drive TTLs with a manual clock instead of sleeping.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, Random } from './types.js';

/**
 * Scrambles the user's seed first: mulberry32 fed consecutive seeds (1, 2, 3...) starts
 * with visibly correlated outputs, and people do pass small consecutive seeds.
 */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A seeded PRNG (mulberry32: 32-bit state, period 2^32, a few ns per draw). Not
 * cryptographic; good enough for fault injection and latency sampling, and cheap enough
 * for a hot path that draws several numbers per simulated call.
 */
export function createRandom(seed: number): Random {
  const s = Number.isFinite(seed) ? Math.trunc(seed) : 0;
  // Fold the high bits in, so seeds that differ only above 2^32 still differ.
  let state = fmix32((s ^ Math.trunc(s / 4294967296)) >>> 0);
  return {
    next(): number {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A standard normal deviate (Box-Muller). */
export function normal(rng: Random): number {
  // 1 - u keeps the logarithm's argument in (0, 1], so it never sees 0.
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** An integer in [0, n). */
export function randomInt(rng: Random, n: number): number {
  return Math.floor(rng.next() * n);
}

export const systemClock: Clock = {
  now: () => performance.now(),
};

export interface ManualClock extends Clock {
  /** Moves time forward; negative steps are refused because the clock is monotonic. */
  advance(ms: number): void;
}

export function createManualClock(startMs = 0): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    advance(ms: number): void {
      if (!(ms >= 0)) throw new RangeError(`manual clock: cannot advance by ${ms} ms (monotonic clock)`);
      t += ms;
    },
  };
}

export interface VirtualClock extends ManualClock {
  /** Resolves when the clock reaches now + ms, or at once when `signal` aborts; see createVirtualClock. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * A clock whose time moves only when something waits on it: a discrete-event scheduler.
 * Each turn of the event loop (setImmediate, after all pending promise work has run) it moves
 * time to the earliest wake-up and wakes that sleeper, so sleepers that overlap in virtual
 * time overlap as they would in real time. Ties wake in the order they slept. Everything
 * that times with it (the runner, the simulated LLM's latency) is then exact and repeatable.
 */
export function createVirtualClock(startMs = 0): VirtualClock {
  const manual = createManualClock(startMs);
  // Sorted by wake-up time, then by order of arrival.
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  let scheduled = false;

  const step = (): void => {
    scheduled = false;
    const next = sleepers.shift();
    if (next === undefined) return;
    const t = manual.now();
    if (next.at > t) manual.advance(next.at - t);
    next.wake();
    if (sleepers.length > 0) schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(step);
  };

  return {
    now: manual.now,
    advance: (ms) => manual.advance(ms),
    sleep(ms, signal) {
      return new Promise<void>((wake) => {
        if (signal?.aborted) return wake();
        const at = manual.now() + Math.max(0, ms);
        const sleeper = { at, wake };
        let i = sleepers.length;
        while (i > 0 && (sleepers[i - 1] as { at: number }).at > at) i--;
        sleepers.splice(i, 0, sleeper);
        schedule();
        // A wait given up no longer moves the clock: time would otherwise jump to it when all else is idle.
        signal?.addEventListener(
          'abort',
          () => {
            const k = sleepers.indexOf(sleeper);
            if (k >= 0) sleepers.splice(k, 1);
            wake();
          },
          { once: true },
        );
      });
    },
  };
}
