/**
 * How a phase's operations are timed, decided the same way every run.
 *
 * Timing one operation costs two clock reads and a histogram record (~100-200 ns,
 * NOTES-hdr-and-timing.md): for an operation under a microsecond that is most of the figure.
 * Such operations are timed in batches instead: N in a row, one clock pair, and the batch's
 * mean recorded N times (what mitata does). The two modes answer different questions:
 *  - per-op: each value is one operation's latency, clock reads included: percentiles are
 *    those of operations (a p99 is an operation's tail);
 *  - batch: each value is the mean of a batch of N back-to-back operations: the p50 is a
 *    typical operation's cost without the clock, but the tail is that of batches (a slow
 *    operation is spread over its batch), so a batch p99 is not an operation's p99.
 * So a figure is only comparable with one timed the same way (compare checks this).
 *
 * `batch: auto` used to decide on the per-operation p50 of a short warm-up, and an operation
 * costing about the 1 us threshold flipped between the modes from run to run (a 2.6x swing of
 * memory.store's p50 between identical runs). Now:
 *  1. the warm-up runs in rounds with a short idle pause after each, so that the code V8
 *     optimised on its background threads is installed before anything counts;
 *  2. the estimate is the cost per operation of batch-timed warm-up chunks (no clock in it,
 *     so it does not move with the clock's cost under load): the lowest round median of the
 *     last rounds, since the JIT and the neighbours only ever make a round slower;
 *  3. the decision has hysteresis: batch below 1 us, per-op above 2 us; in between, the mode
 *     the same phase had earlier in this process (trials), else batch, since there the clock
 *     still costs 5-20 % of the figure;
 *  4. the warm-up ends with rounds in the chosen mode, so the measured code path is the one
 *     the JIT has compiled;
 *  5. warm-up lengths are counts, the same every run, so the measured phase starts from the
 *     same provider state every run (its operations continue the warm-up's sequence).
 * Only `fast` operations (in-process memory operations, noop) in strictly sequential phases
 * are ever batch-timed under auto; `off` and a fixed size are obeyed as written.
 */
import type { PhaseTiming, TimingBasis, TimingMode } from '../results/types.js';
import type { BatchMode } from '../scenarios/types.js';

export type { PhaseTiming, TimingBasis, TimingMode };

/** Below this estimated cost per operation, auto times in batches. */
export const BATCH_BELOW_NS = 1_000;
/** Above this, auto times every operation; in between, the earlier decision stands (hysteresis). */
export const PER_OP_ABOVE_NS = 2_000;
/** Batches long enough that two clock reads (~100 ns) are noise against them. */
export const BATCH_TARGET_NS = 25_000;
export const MIN_BATCH = 16;
export const MAX_BATCH = 4_096;

/**
 * Warm-up runs in rounds of about this many operations, each followed by a short idle pause.
 * V8 optimises hot functions on background threads and installs the optimised code only when
 * the main thread gets back to the event loop; a loop of already-resolved operations never
 * does, so without the pauses memory.retrieve ran at 150-350 ns after 7,000 operations in
 * one process and at 85 ns in another (load-dependent, and so different in every run). With
 * a pause after every round the optimised code is in within 5-8 rounds.
 */
export const ROUND_OPS = 256;
/** At most this many rounds for the declared warm-up (longer ones get longer rounds). */
export const MAX_DECLARED_ROUNDS = 16;
/** The idle pause after each round: the compiler threads get the CPU, the event loop a turn. */
export const COMPILER_PAUSE_MS = 5;
/** While the cost is estimated, warm-up operations are timed in chunks of this many. */
export const ESTIMATE_CHUNK = 32;
/**
 * Estimation rounds after the declared warm-up; the estimate is the lowest round median of the
 * last ESTIMATE_TAIL (the JIT and the neighbours on a shared machine only make a round slower).
 * A count, never "until it looks steady": operations change the providers' state (sessions fill
 * up), and only a warm-up of the same length every run starts the phase from the same state.
 */
export const ESTIMATE_ROUNDS = 8;
export const ESTIMATE_TAIL = 4;
/**
 * Closing rounds in the chosen mode, so that the measured code path is the compiled one; a
 * fixed count (not a number of batches) keeps the warm-up's length the same every run.
 */
export const SETTLE_ROUNDS = 2;
export const SETTLE_OPS = 1_024;
/** Slow operations (a plugin's "fast" store at 100 us) stop estimating after this long. */
export const ESTIMATE_MAX_MS = 500;

/** Batch size for an operation that costs `estimateNs`: batches of ~25 us, within [16, 4096]. */
export function batchSizeFor(estimateNs: number): number {
  if (!(estimateNs > 0)) return MAX_BATCH;
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.ceil(BATCH_TARGET_NS / estimateNs)));
}

export interface TimingInput {
  batch: BatchMode;
  /** One operation at a time (batches are only ever formed of sequential operations). */
  sequential: boolean;
  /** The operation may take under a microsecond (PreparedOp.fast). */
  fast: boolean;
}

/** Whether the phase's mode depends on a measurement (auto on a fast, sequential operation). */
export function needsEstimate(input: TimingInput): boolean {
  return input.batch === 'auto' && input.sequential && input.fast;
}

/** The mode of a phase whose mode needs no measurement. */
export function fixedTiming(input: TimingInput): PhaseTiming {
  if (!input.sequential) return { mode: 'per-op', batchSize: 1, basis: 'concurrent' };
  if (input.batch === 'off') return { mode: 'per-op', batchSize: 1, basis: 'off' };
  if (typeof input.batch === 'number') {
    return input.batch > 1 ? { mode: 'batch', batchSize: input.batch, basis: 'pinned' } : { mode: 'per-op', batchSize: 1, basis: 'pinned' };
  }
  return { mode: 'per-op', batchSize: 1, basis: 'slow op' };
}

/**
 * The auto decision from an estimate, with hysteresis around the threshold: `previous` is the
 * mode this phase had earlier in the same process, if any.
 */
export function decideAuto(estimateNs: number | undefined, previous?: TimingMode): PhaseTiming {
  // No operation of the warm-up succeeded: nothing to estimate from, nothing worth batching.
  if (estimateNs === undefined || !(estimateNs > 0)) return { mode: 'per-op', batchSize: 1, basis: 'auto' };
  let mode: TimingMode;
  if (estimateNs < BATCH_BELOW_NS) mode = 'batch';
  else if (estimateNs > PER_OP_ABOVE_NS) mode = 'per-op';
  else mode = previous ?? 'batch';
  const rounded = Math.round(estimateNs);
  return mode === 'batch'
    ? { mode, batchSize: batchSizeFor(estimateNs), basis: 'auto', estimateNs: rounded }
    : { mode, batchSize: 1, basis: 'auto', estimateNs: rounded };
}

/**
 * Runs `ops` warm-up operations with `batchSize` per timed batch (1 = each timed) and returns
 * the median recorded value in ns per operation, or undefined when none succeeded or the run
 * was stopped. Supplied by the phase (it owns the executor, the watchdog and the stop signal).
 */
export type WarmupDriver = (ops: number, batchSize: number) => Promise<number | undefined>;

export interface WarmupPlan extends TimingInput {
  /** Warm-up operations the scenario asks for (a minimum). */
  declared: number;
  previous?: TimingMode;
  stopped: () => boolean;
  now?: () => number;
  /** Waits without offering load (see COMPILER_PAUSE_MS); tests pass a no-op. */
  pause?: (ms: number) => Promise<void>;
}

const idle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface WarmupOutcome {
  timing: PhaseTiming;
  /** Warm-up operations actually run. */
  ops: number;
}

/**
 * The whole warm-up of a phase: the declared operations in rounds, then (auto on a fast
 * sequential operation) estimation rounds, the decision, and closing rounds in the chosen
 * mode. Phases whose mode is fixed run the declared warm-up in that mode, nothing more.
 */
export async function warmUp(plan: WarmupPlan, drive: WarmupDriver): Promise<WarmupOutcome> {
  const now = plan.now ?? (() => performance.now());
  const pause = plan.pause ?? idle;
  let ops = 0;
  const round = async (n: number, batchSize: number): Promise<number | undefined> => {
    if (n <= 0 || plan.stopped()) return undefined;
    ops += n;
    const m = await drive(n, batchSize);
    if (!plan.stopped()) await pause(COMPILER_PAUSE_MS);
    return m;
  };
  const auto = needsEstimate(plan);
  const fixed = auto ? undefined : fixedTiming(plan);

  // The declared warm-up: the JIT compiles the operation and the paths around it.
  const rounds = Math.min(MAX_DECLARED_ROUNDS, Math.ceil(plan.declared / ROUND_OPS));
  for (let r = 0; r < rounds; r++) {
    const n = Math.floor((plan.declared * (r + 1)) / rounds) - Math.floor((plan.declared * r) / rounds);
    await round(n, fixed?.batchSize ?? ESTIMATE_CHUNK);
  }
  if (fixed) return { timing: fixed, ops };

  const medians: number[] = [];
  const t0 = now();
  for (let r = 0; r < ESTIMATE_ROUNDS && !plan.stopped(); r++) {
    const m = await round(ROUND_OPS, ESTIMATE_CHUNK);
    if (m !== undefined) medians.push(m);
    if (now() - t0 > ESTIMATE_MAX_MS) break;
  }
  const tail = medians.slice(-ESTIMATE_TAIL);
  const timing = decideAuto(tail.length > 0 ? Math.min(...tail) : undefined, plan.previous);

  for (let r = 0; r < SETTLE_ROUNDS; r++) await round(SETTLE_OPS, timing.batchSize);
  return { timing, ops };
}
