/**
 * How a phase is timed: the decision (thresholds, hysteresis), the warm-up that feeds it
 * (a fixed length every run, rounds with pauses, the chosen mode last), and a real phase
 * recording its mode and continuing the warm-up's operation sequence. No wall-clock
 * figures: the warm-up is driven by a scripted driver and an injected clock.
 */
import { describe, expect, it } from 'vitest';
import type { Message, MemoryProvider } from '../../src/providers/types.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../src/providers/config.js';
import { runPhase, type PhaseRunOptions } from '../../src/runner/phase.js';
import type { OpContext } from '../../src/runner/operations.js';
import {
  BATCH_BELOW_NS,
  COMPILER_PAUSE_MS,
  ESTIMATE_CHUNK,
  ESTIMATE_MAX_MS,
  ESTIMATE_ROUNDS,
  MAX_BATCH,
  MAX_DECLARED_ROUNDS,
  MIN_BATCH,
  PER_OP_ABOVE_NS,
  ROUND_OPS,
  SETTLE_OPS,
  SETTLE_ROUNDS,
  batchSizeFor,
  decideAuto,
  fixedTiming,
  needsEstimate,
  warmUp,
  type WarmupPlan,
} from '../../src/runner/timing-mode.js';
import type { PhaseSpec } from '../../src/scenarios/types.js';

describe('the decision', () => {
  it('sizes batches to ~25 us, within [16, 4096]', () => {
    expect(batchSizeFor(100)).toBe(250);
    expect(batchSizeFor(1)).toBe(MAX_BATCH);
    expect(batchSizeFor(5_000)).toBe(MIN_BATCH);
    expect(batchSizeFor(0)).toBe(MAX_BATCH);
  });

  it.each([
    // estimate, previous mode, expected mode
    [300, undefined, 'batch'],
    [300, 'per-op', 'batch'],
    [BATCH_BELOW_NS + 1, undefined, 'batch'],
    [1_500, 'per-op', 'per-op'],
    [1_500, 'batch', 'batch'],
    [PER_OP_ABOVE_NS, 'batch', 'batch'],
    [PER_OP_ABOVE_NS + 1, 'batch', 'per-op'],
    [50_000, undefined, 'per-op'],
  ] as const)('estimate %d ns after %s: %s', (estimate, previous, mode) => {
    const t = decideAuto(estimate, previous);
    expect(t.mode).toBe(mode);
    expect(t.basis).toBe('auto');
    expect(t.estimateNs).toBe(estimate);
    expect(t.batchSize).toBe(mode === 'batch' ? batchSizeFor(estimate) : 1);
  });

  it('no estimate (nothing in the warm-up succeeded): timed per operation', () => {
    expect(decideAuto(undefined)).toEqual({ mode: 'per-op', batchSize: 1, basis: 'auto' });
    expect(decideAuto(0, 'batch')).toEqual({ mode: 'per-op', batchSize: 1, basis: 'auto' });
  });

  it('modes that need no measurement, and why', () => {
    expect(fixedTiming({ batch: 64, sequential: true, fast: false })).toEqual({ mode: 'batch', batchSize: 64, basis: 'pinned' });
    expect(fixedTiming({ batch: 1, sequential: true, fast: true })).toEqual({ mode: 'per-op', batchSize: 1, basis: 'pinned' });
    expect(fixedTiming({ batch: 'off', sequential: true, fast: true })).toEqual({ mode: 'per-op', batchSize: 1, basis: 'off' });
    expect(fixedTiming({ batch: 64, sequential: false, fast: true })).toEqual({ mode: 'per-op', batchSize: 1, basis: 'concurrent' });
    expect(fixedTiming({ batch: 'auto', sequential: true, fast: false })).toEqual({ mode: 'per-op', batchSize: 1, basis: 'slow op' });
    expect(needsEstimate({ batch: 'auto', sequential: true, fast: true })).toBe(true);
    expect(needsEstimate({ batch: 'auto', sequential: false, fast: true })).toBe(false);
  });
});

interface Call {
  ops: number;
  batchSize: number;
}

/** A scripted warm-up: each round returns the next median; pauses and the clock are recorded. */
function scripted(medians: number[], msPerRound = 1) {
  const calls: Call[] = [];
  const pauses: number[] = [];
  let t = 0;
  let k = 0;
  const drive = (ops: number, batchSize: number): Promise<number | undefined> => {
    calls.push({ ops, batchSize });
    t += msPerRound;
    return Promise.resolve(medians[Math.min(k++, medians.length - 1)]);
  };
  const plan = (p: Partial<WarmupPlan>): WarmupPlan => ({
    batch: 'auto',
    sequential: true,
    fast: true,
    declared: 2_000,
    stopped: () => false,
    now: () => t,
    pause: (ms) => {
      pauses.push(ms);
      return Promise.resolve();
    },
    ...p,
  });
  return { calls, pauses, drive, plan };
}

describe('the warm-up', () => {
  it('auto: declared rounds, estimation rounds in chunks, then the chosen mode; a pause after every round', async () => {
    // Declared rounds (8 of 250), then estimation rounds falling as the JIT settles.
    const s = scripted([900, 900, 900, 900, 900, 900, 900, 900, 800, 700, 600, 500, 420, 400, 410, 405, 400]);
    const out = await warmUp(s.plan({}), s.drive);
    const declaredRounds = Math.ceil(2_000 / ROUND_OPS);
    expect(s.calls.slice(0, declaredRounds).reduce((a, c) => a + c.ops, 0)).toBe(2_000);
    expect(s.calls.slice(0, declaredRounds + ESTIMATE_ROUNDS).every((c) => c.batchSize === ESTIMATE_CHUNK)).toBe(true);
    expect(s.calls.slice(declaredRounds, declaredRounds + ESTIMATE_ROUNDS).every((c) => c.ops === ROUND_OPS)).toBe(true);
    // The lowest of the last four estimation rounds (420, 400, 410, 405).
    expect(out.timing).toEqual({ mode: 'batch', batchSize: batchSizeFor(400), basis: 'auto', estimateNs: 400 });
    const settle = s.calls.slice(declaredRounds + ESTIMATE_ROUNDS);
    expect(settle).toEqual(Array.from({ length: SETTLE_ROUNDS }, () => ({ ops: SETTLE_OPS, batchSize: batchSizeFor(400) })));
    expect(out.ops).toBe(2_000 + ESTIMATE_ROUNDS * ROUND_OPS + SETTLE_ROUNDS * SETTLE_OPS);
    expect(s.pauses).toEqual(s.calls.map(() => COMPILER_PAUSE_MS));
  });

  it('the same length every run, whatever the figures (the measured phase starts from the same state)', async () => {
    const fast = scripted([100]);
    const slow = scripted([1_900]);
    const a = await warmUp(fast.plan({}), fast.drive);
    const b = await warmUp(slow.plan({}), slow.drive);
    expect(a.timing.mode).toBe('batch');
    expect(b.timing.mode).toBe('batch');
    expect(a.ops).toBe(b.ops);
    expect(fast.calls.map((c) => c.ops)).toEqual(slow.calls.map((c) => c.ops));
  });

  it('hysteresis: an estimate inside the band keeps the mode the phase had before', async () => {
    const s = scripted([1_500]);
    expect((await warmUp(s.plan({ previous: 'per-op' }), s.drive)).timing.mode).toBe('per-op');
    const t = scripted([1_500]);
    expect((await warmUp(t.plan({ previous: 'batch' }), t.drive)).timing.mode).toBe('batch');
    const u = scripted([1_500]);
    expect((await warmUp(u.plan({}), u.drive)).timing.mode).toBe('batch');
  });

  it('a long declared warm-up runs in at most 16 rounds; a short one is not topped up beyond the estimation', async () => {
    const s = scripted([5_000]);
    const out = await warmUp(s.plan({ declared: 100_000 }), s.drive);
    const declared = s.calls.slice(0, MAX_DECLARED_ROUNDS);
    expect(declared.reduce((a, c) => a + c.ops, 0)).toBe(100_000);
    expect(out.timing).toMatchObject({ mode: 'per-op', batchSize: 1 });
    const none = scripted([300]);
    const z = await warmUp(none.plan({ declared: 0 }), none.drive);
    expect(z.ops).toBe(ESTIMATE_ROUNDS * ROUND_OPS + SETTLE_ROUNDS * SETTLE_OPS);
  });

  it('a slow operation stops estimating after the time cap', async () => {
    const s = scripted([40_000], 200);
    await warmUp(s.plan({ declared: 0 }), s.drive);
    const estimation = s.calls.length - SETTLE_ROUNDS;
    expect(estimation).toBe(Math.floor(ESTIMATE_MAX_MS / 200) + 1);
  });

  it('a fixed mode runs the declared warm-up in that mode and nothing more', async () => {
    const s = scripted([300]);
    const out = await warmUp(s.plan({ batch: 64, declared: 1_000 }), s.drive);
    expect(out).toEqual({ timing: { mode: 'batch', batchSize: 64, basis: 'pinned' }, ops: 1_000 });
    expect(s.calls.every((c) => c.batchSize === 64)).toBe(true);
    const none = scripted([300]);
    expect(await warmUp(none.plan({ batch: 'off', declared: 0 }), none.drive)).toEqual({ timing: { mode: 'per-op', batchSize: 1, basis: 'off' }, ops: 0 });
    expect(none.pauses).toEqual([]);
  });

  it('stops as soon as the run is stopped', async () => {
    let stop = false;
    const s = scripted([300]);
    const drive = (ops: number, batchSize: number): Promise<number | undefined> => {
      stop = s.calls.length >= 2;
      return s.drive(ops, batchSize);
    };
    await warmUp(s.plan({ stopped: () => stop }), drive);
    expect(s.calls).toHaveLength(3);
  });
});

describe('a phase', () => {
  /** A memory provider that remembers the index of every message stored ("m{i}"). */
  function recordingMemory(): MemoryProvider & { seen: number[] } {
    const seen: number[] = [];
    return {
      name: 'recording',
      seen,
      initialize: () => Promise.resolve(),
      store: (_id: string, messages: readonly Message[]) => {
        seen.push(Number((messages[0] as Message).content.slice(1)));
        return Promise.resolve();
      },
      storeBatch: () => Promise.resolve(),
      retrieve: () => Promise.resolve([]),
      sweep: () => Promise.resolve(0),
      stats: () => ({ sessions: 0, messages: 0, expired: 0, evicted: 0 }),
      close: () => Promise.resolve(),
    };
  }

  const opts: PhaseRunOptions = {
    scenario: 't',
    index: 0,
    phases: 1,
    onEvent: () => undefined,
    stopped: () => false,
    stopSignal: new Promise(() => undefined),
    graceMs: 0,
  };

  function phase(batch: PhaseSpec['batch'], warmup: number): PhaseSpec {
    return {
      name: 'store',
      op: 'memory.store',
      params: { prompt: '', sessions: 10, content: 'm{i}', limit: 10, batchSize: 1, advanceMs: 0, order: 'sequential', popularity: { kind: 'even' }, thinkTimeScale: 1 },
      executor: { kind: 'iterations', iterations: 300, concurrency: 1 },
      warmup,
      timeoutMs: 30_000,
      batch,
      intervalMs: 10_000,
    };
  }

  it.each([
    ['auto', 500],
    [32, 100],
    ['off', 0],
  ] as const)('batch %s: records its mode, and the measured operations continue the warm-up sequence', async (batch, warmup) => {
    const memory = recordingMemory();
    const ctx = { providers: { memory }, config: DEFAULT_PROVIDERS_CONFIG, deps: { seed: 1 }, advanceClock: () => undefined } as unknown as OpContext;
    const r = await runPhase(phase(batch, warmup), ctx, opts);
    expect(r.count).toBe(300);
    expect(r.timing).toBeDefined();
    expect(r.batchTimed).toBe(r.timing?.mode === 'batch');
    if (batch === 'auto') expect(r.timing?.basis).toBe('auto');
    else expect(r.timing).toEqual(batch === 'off' ? { mode: 'per-op', batchSize: 1, basis: 'off' } : { mode: 'batch', batchSize: 32, basis: 'pinned' });
    expect(r.warmup).toBeGreaterThanOrEqual(warmup);
    // Every index once, in order: the warm-up's 0..W-1, then the measured W..W+299.
    expect(memory.seen).toEqual(Array.from({ length: r.warmup + 300 }, (_, i) => i));
  });
});
