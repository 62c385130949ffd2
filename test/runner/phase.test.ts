/**
 * runPhase: what a phase result says about the load it ran. Behaviour only (counts, events,
 * what is batch-timed, series, checkpoints, warnings), through the public PhaseSpec and
 * providers, so that these tests outlive changes to how the executors record.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS_CONFIG, type ProvidersConfig } from '../../src/providers/config.js';
import { createProviders, initializeAll, type Providers } from '../../src/providers/registry.js';
import type { ExecutorSpec, PhaseResult } from '../../src/results/types.js';
import type { RunEvent } from '../../src/runner/events.js';
import { LATE_FRACTION_WARN, LOOP_SATURATED_NS, generatorWarnings, runPhase } from '../../src/runner/phase.js';
import type { OpName, OpParams, PhaseSpec } from '../../src/scenarios/types.js';

const PARAMS: OpParams = { prompt: 'Hello', sessions: 4, content: 'message {i}', limit: 10, batchSize: 10, advanceMs: 0, order: 'sequential', popularity: { kind: 'even' }, thinkTimeScale: 1 };

function spec(executor: ExecutorSpec, over: Partial<PhaseSpec> = {}, op: OpName = 'noop'): PhaseSpec {
  return { name: 'p', op, params: PARAMS, executor, warmup: 0, timeoutMs: 30_000, batch: 'off', intervalMs: 10_000, ...over };
}

async function withProviders<T>(cfg: ProvidersConfig, fn: (p: Providers) => Promise<T>): Promise<T> {
  const providers = createProviders(cfg, { seed: 1 });
  await initializeAll(providers);
  try {
    return await fn(providers);
  } finally {
    await providers.close();
  }
}

interface Run {
  result: PhaseResult;
  events: RunEvent[];
  checkpoints: PhaseResult[];
}

async function run(
  phase: PhaseSpec,
  opts: { cfg?: ProvidersConfig; stopAfterMs?: number; checkpointMs?: number } = {},
): Promise<Run> {
  const cfg = opts.cfg ?? DEFAULT_PROVIDERS_CONFIG;
  return withProviders(cfg, async (providers) => {
    const events: RunEvent[] = [];
    const checkpoints: PhaseResult[] = [];
    let stopped = false;
    let resolveStop!: () => void;
    const stopSignal = new Promise<void>((r) => (resolveStop = r));
    const timer = opts.stopAfterMs !== undefined ? setTimeout(() => ((stopped = true), resolveStop()), opts.stopAfterMs) : undefined;
    try {
      const result = await runPhase(
        phase,
        { providers, config: cfg, deps: { seed: 1 }, advanceClock: () => undefined },
        {
          scenario: 's',
          index: 0,
          phases: 1,
          onEvent: (e) => events.push(e),
          stopped: () => stopped,
          stopSignal,
          graceMs: 100,
          ...(opts.checkpointMs !== undefined ? { onCheckpoint: (p: PhaseResult) => checkpoints.push(p), checkpointMs: opts.checkpointMs } : {}),
        },
      );
      return { result, events, checkpoints };
    } finally {
      if (timer) clearTimeout(timer);
    }
  });
}

describe('runPhase: counts', () => {
  it('counts the measured operations only: warm-up runs first, in two halves, and is not recorded', async () => {
    const { result, events } = await run(spec({ kind: 'iterations', iterations: 300, concurrency: 1 }, { warmup: 50 }));
    expect(result).toMatchObject({ name: 'p', op: 'noop', count: 300, errors: 0, errorRate: 0, warmup: 50, batchTimed: false });
    expect(result.latency.count).toBe(300);
    expect(result.errorsByKind).toEqual({});
    expect(result.throughput).toBeCloseTo(300 / (result.durationMs / 1000), 6);
    expect(result.interrupted).toBeUndefined();
    const starts = events.filter((e) => e.type === 'phase-start');
    expect(starts).toEqual([
      expect.objectContaining({ phase: 'p (warm-up)', plannedOps: 50 }),
      expect.objectContaining({ phase: 'p', plannedOps: 300, index: 0, phases: 1, scenario: 's', op: 'noop' }),
    ]);
  });

  it('a phase without warm-up announces only itself; a time-based one its planned duration', async () => {
    const { events } = await run(spec({ kind: 'vus', vus: 2, durationMs: 30 }));
    const starts = events.filter((e) => e.type === 'phase-start');
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ phase: 'p', plannedMs: 30 });
    expect(starts[0]).not.toHaveProperty('plannedOps');
  });

  it('errors are counted by kind, most frequent first, with the error rate', async () => {
    const cfg: ProvidersConfig = { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, errorRate: 0.5 } };
    const { result } = await run(spec({ kind: 'iterations', iterations: 200, concurrency: 4 }, {}, 'llm.call'), { cfg });
    expect(result.count).toBe(200);
    expect(result.errors).toBeGreaterThan(60);
    expect(result.errors).toBeLessThan(140);
    expect(result.errorRate).toBeCloseTo(result.errors / 200, 12);
    expect(Object.values(result.errorsByKind).reduce((a, b) => a + b, 0)).toBe(result.errors);
    expect(result.latency.count).toBe(200 - result.errors);
  });

  it('an operation slower than the timeout counts as a timeout error', async () => {
    const cfg: ProvidersConfig = { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, latency: { model: 'fixed', ms: 5_000 } } };
    const { result } = await run(spec({ kind: 'iterations', iterations: 3, concurrency: 3 }, { timeoutMs: 20 }, 'llm.call'), { cfg });
    expect(result).toMatchObject({ count: 3, errors: 3, errorsByKind: { timeout: 3 }, errorRate: 1 });
    expect(result.latency.count).toBe(0);
  });

  it('stopped: the phase ends early and says it was interrupted', async () => {
    const { result } = await run(spec({ kind: 'vus', vus: 2, durationMs: 60_000 }), { stopAfterMs: 50 });
    expect(result.interrupted).toBe(true);
    expect(result.count).toBeGreaterThan(0);
    expect(result.durationMs).toBeLessThan(60_000);
  });
});

describe('runPhase: batch timing', () => {
  it('an explicit batch size times a sequential phase in batches, and says so', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 640, concurrency: 1 }, { batch: 64 }));
    expect(result).toMatchObject({ batchTimed: true, batchSize: 64, count: 640 });
    expect(result.latency.count).toBe(640);
  });

  it('never for concurrent phases, whatever the scenario asks', async () => {
    for (const executor of [
      { kind: 'iterations', iterations: 200, concurrency: 2 },
      { kind: 'vus', vus: 3, iterationsPerVu: 50 },
    ] as ExecutorSpec[]) {
      const { result } = await run(spec(executor, { batch: 64 }));
      expect(result.batchTimed).toBe(false);
      expect(result).not.toHaveProperty('batchSize');
    }
  });

  it('off: one at a time', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, { batch: 'off', warmup: 200 }));
    expect(result.batchTimed).toBe(false);
    expect(result).not.toHaveProperty('batchSize');
  });
});

describe('runPhase: the open model', () => {
  it('reports service time and the schedule beside the latency; closed models do not', async () => {
    const open = await run(spec({ kind: 'rate', rate: 500, durationMs: 100, maxInFlight: 100 }));
    expect(open.result.count).toBe(50);
    expect(open.result.serviceTime?.count).toBe(50);
    expect(open.result.schedule).toMatchObject({ dropped: 0 });
    const closed = await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }));
    expect(closed.result).not.toHaveProperty('serviceTime');
    expect(closed.result).not.toHaveProperty('schedule');
  });
});

describe('runPhase: time series, checkpoints, progress', () => {
  it('a phase longer than its interval gets a series that adds up to the phase', async () => {
    const { result } = await run(spec({ kind: 'vus', vus: 2, durationMs: 400 }, { intervalMs: 60 }));
    const series = result.intervals ?? [];
    expect(series.length).toBeGreaterThanOrEqual(3);
    expect(result.intervalMs).toBe(60);
    expect(series.reduce((a, s) => a + s.count, 0)).toBe(result.count);
    expect(series.reduce((a, s) => a + s.errors, 0)).toBe(result.errors);
    for (const s of series) {
      expect(s.throughput).toBeCloseTo((s.count * 1000) / (s.durationMs ?? Number.NaN), 6);
      expect(s.p99).toBeGreaterThanOrEqual(s.p50);
    }
    // Later samples are later: tMs grows.
    expect(series.map((s) => s.tMs)).toEqual([...series.map((s) => s.tMs)].sort((a, b) => a - b));
    expect(result.leak).toBeDefined();
    expect(result.drift).toBeDefined();
    // The histogram folded interval by interval still holds every operation.
    expect(result.latency.count).toBe(result.count);
  });

  it('a phase shorter than one interval has no series', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 20, concurrency: 1 }, { intervalMs: 10_000 }));
    expect(result).not.toHaveProperty('intervals');
    expect(result).not.toHaveProperty('leak');
  });

  it('saves checkpoints of the figures so far, each marked interrupted', async () => {
    const { result, checkpoints } = await run(spec({ kind: 'vus', vus: 2, durationMs: 400 }), { checkpointMs: 100 });
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    for (const c of checkpoints) {
      expect(c.interrupted).toBe(true);
      expect(c.count).toBeLessThanOrEqual(result.count);
      expect(c.latency.count).toBe(c.count - c.errors);
    }
    expect(checkpoints.map((c) => c.count)).toEqual([...checkpoints.map((c) => c.count)].sort((a, b) => a - b));
  });

  it('sends progress while a phase runs', async () => {
    const { events, result } = await run(spec({ kind: 'vus', vus: 2, durationMs: 700 }));
    const progress = events.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const p of progress) {
      expect(p.snapshot.done).toBeLessThanOrEqual(result.count);
      expect(p.snapshot.plannedMs).toBe(700);
      expect(p.snapshot.warmup).toBe(false);
    }
  });
});

describe('generatorWarnings', () => {
  it('says nothing when the generator kept up', () => {
    expect(generatorWarnings(1e6, 1000, undefined)).toEqual([]);
    expect(generatorWarnings(LOOP_SATURATED_NS, 1000, { late: 50, dropped: 0, maxLateNs: 3e6 })).toEqual([]);
  });

  it('late starts beyond the threshold, counted over every start (dropped ones too)', () => {
    // 10 late of 90 finished + 10 dropped = 10 %.
    expect(generatorWarnings(0, 90, { late: 10, dropped: 10, maxLateNs: 3_250_000 })).toEqual([
      'load generator fell behind its schedule: 10% of starts more than 1ms late (worst 3.25ms), 10 dropped at maxInFlight; latency from the scheduled start includes that delay',
    ]);
    expect(generatorWarnings(0, 1000, { late: 60, dropped: 0, maxLateNs: 12_400_000 })).toEqual([
      'load generator fell behind its schedule: 6% of starts more than 1ms late (worst 12.4ms); latency from the scheduled start includes that delay',
    ]);
    // Exactly at the threshold: no warning.
    expect(generatorWarnings(0, 1000, { late: 1000 * LATE_FRACTION_WARN, dropped: 0, maxLateNs: 2e6 })).toEqual([]);
    // Any dropped start is worth a warning.
    expect(generatorWarnings(0, 1000, { late: 0, dropped: 1, maxLateNs: 0 })).toHaveLength(1);
    // Nothing started at all: no fraction to speak of, no warning.
    expect(generatorWarnings(0, 0, { late: 0, dropped: 0, maxLateNs: 0 })).toEqual([]);
  });

  it('a saturated event loop', () => {
    expect(generatorWarnings(LOOP_SATURATED_NS + 1e6, 10, undefined)).toEqual([
      'event loop saturated (delay p99 51ms): the in-process providers and the load generator share one thread, so latencies include queueing inside the tool',
    ]);
  });
});
