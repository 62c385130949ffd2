/**
 * Arrival schedules of the open model (the `rate` executor): when each operation is due, as
 * millisecond offsets from the phase's start. Pure: no clock and no timers. The executor adds
 * the offsets to its start time and measures latency from those due times; tests check a
 * schedule's statistics without waiting for it.
 *
 * - constant: every 1000/rate ms, starting at 0 (what the executor always did).
 * - poisson: independent exponential gaps of mean 1000/rate ms, seeded, the first one after a
 *   gap. With `burst` b other than 1 the gaps are gamma-distributed with the same mean and a
 *   coefficient of variation of b: b = 1 is Poisson, b > 1 clusters arrivals into bursts
 *   (b = 2: gaps four times as variable), b < 1 smooths them towards constant, b = 0 is
 *   constant. vLLM's `--burstiness` is the gamma shape, 1/b² in these terms.
 * - trace: recorded timestamps replayed as offsets from the first one, divided by `speed`.
 */
import { createRandom, normal } from '../providers/random.js';
import type { Random } from '../providers/types.js';
import { sampleGamma, type GammaDraws } from '../util/gamma.js';

export type ArrivalPattern = 'constant' | 'poisson' | 'trace';

/** A schedule read one arrival at a time (an hour at 1,000/s is 3.6 million of them). */
export interface Arrivals {
  /** Offset of the next arrival from the start, ms (non-decreasing); undefined when the schedule is over. */
  next(): number | undefined;
}

/** `rate` per second for `durationMs`: floor(duration x rate) arrivals, the first at 0. */
export function constantArrivals(rate: number, durationMs: number): Arrivals {
  const intervalMs = 1000 / rate;
  const total = Math.floor((durationMs / 1000) * rate);
  let k = 0;
  return {
    next: () => (k < total ? k++ * intervalMs : undefined),
  };
}

/**
 * Poisson arrivals at `rate` per second for `durationMs` (arrivals due before the end), or,
 * with `burst` b != 1, gamma-distributed gaps of the same mean whose coefficient of variation
 * is b. Seeded: the same random source gives the same schedule.
 */
export function poissonArrivals(rate: number, durationMs: number, random: Random, burst = 1): Arrivals {
  if (!(rate > 0)) throw new RangeError(`rate must be > 0, got ${rate}`);
  if (!(burst >= 0) || !Number.isFinite(burst)) throw new RangeError(`burst must be a finite number >= 0, got ${burst}`);
  const meanMs = 1000 / rate;
  let gap: () => number;
  if (burst === 0) gap = () => meanMs;
  else if (burst === 1) gap = () => -Math.log(1 - random.next()) * meanMs;
  else {
    const shape = 1 / (burst * burst);
    const scale = meanMs / shape;
    // 1 - u is in (0, 1]: the logarithm and the boost's power never see 0.
    const draws: GammaDraws = { unit: () => 1 - random.next(), normal: () => normal(random) };
    gap = () => sampleGamma(shape, draws) * scale;
  }
  let t = 0;
  let over = false;
  return {
    next() {
      if (over) return undefined;
      t += gap();
      if (t >= durationMs) {
        over = true;
        return undefined;
      }
      return t;
    },
  };
}

/**
 * Replays recorded timestamps (ms, non-decreasing) as offsets from the first, `speed` times
 * faster; with `durationMs` > 0, only the arrivals due before it.
 */
export function traceArrivals(timestampsMs: ArrayLike<number>, speed: number, durationMs = 0): Arrivals {
  if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  const n = timestampsMs.length;
  const t0 = n > 0 ? (timestampsMs[0] as number) : 0;
  let k = 0;
  return {
    next() {
      if (k >= n) return undefined;
      const at = ((timestampsMs[k] as number) - t0) / speed;
      if (durationMs > 0 && at >= durationMs) {
        k = n;
        return undefined;
      }
      k++;
      return at;
    },
  };
}

/** The random source of a phase's arrivals: its own stream, apart from the providers' (same seed, other draws). */
export function arrivalRandom(seed: number): Random {
  // XOR with a constant before createRandom's scrambling: a stream uncorrelated with
  // createRandom(seed), which the simulated providers draw latencies and faults from.
  return createRandom((seed ^ 0x2545f491) >>> 0);
}

/** Every offset of a schedule (tests and small phases; an open-ended one would not end). */
export function collectArrivals(arrivals: Arrivals, limit = 10_000_000): number[] {
  const out: number[] = [];
  for (let t = arrivals.next(); t !== undefined && out.length < limit; t = arrivals.next()) out.push(t);
  return out;
}

/** Mean and coefficient of variation (stddev / mean) of the gaps between consecutive offsets. */
export function gapStatistics(offsetsMs: readonly number[]): { count: number; meanMs: number; cv: number } {
  const n = offsetsMs.length - 1;
  if (n < 1) return { count: 0, meanMs: 0, cv: 0 };
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += (offsetsMs[i] as number) - (offsetsMs[i - 1] as number);
  const mean = sum / n;
  let sq = 0;
  for (let i = 1; i <= n; i++) {
    const d = (offsetsMs[i] as number) - (offsetsMs[i - 1] as number) - mean;
    sq += d * d;
  }
  const sd = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
  return { count: n, meanMs: mean, cv: mean > 0 ? sd / mean : 0 };
}
