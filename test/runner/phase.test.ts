/**
 * runPhase: what a phase result says about the load it ran. Behaviour only (counts, events,
 * what is batch-timed, series, checkpoints, warnings), through the public PhaseSpec and
 * providers, so that these tests outlive changes to how the executors record.
 *
 * Every phase runs on a virtual clock with fixed heap and event-loop readings: the simulated
 * LLM answers in exactly 1 ms of virtual time (unless a test says otherwise), the phase's tick
 * (timeouts, intervals, checkpoints, progress) falls on the same clock, and every figure is
 * exact. No test waits in real time.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS_CONFIG, type ProvidersConfig } from '../../src/providers/config.js';
import { createVirtualClock, type VirtualClock } from '../../src/providers/random.js';
import { createProviders, initializeAll, type Providers } from '../../src/providers/registry.js';
import type { ExecutorSpec, PhaseResult } from '../../src/results/types.js';
import type { RunEvent } from '../../src/runner/events.js';
import type { Instruments } from '../../src/runner/instruments.js';
import { LATE_FRACTION_WARN, LOOP_SATURATED_NS, MAX_INTERVALS, generatorWarnings, runPhase, type PhaseRunOptions } from '../../src/runner/phase.js';
import { splitPhase } from '../../src/runner/split.js';
import { arrivalRandom, collectArrivals, poissonArrivals } from '../../src/runner/arrivals.js';
import type { OpName, OpParams, PhaseSpec } from '../../src/scenarios/types.js';

const PARAMS: OpParams = { prompt: 'Hello', sessions: 4, content: 'message {i}', limit: 10, batchSize: 10, advanceMs: 0, order: 'sequential', popularity: { kind: 'even' }, thinkTimeScale: 1 };
const MB = 1024 * 1024;

/** The simulated LLM answering in exactly `ms`, without faults. */
function llmIn(ms: number, over: Partial<ProvidersConfig['llm']> = {}): ProvidersConfig {
  return { ...DEFAULT_PROVIDERS_CONFIG, llm: { ...DEFAULT_PROVIDERS_CONFIG.llm, latency: { model: 'fixed', ms }, errorRate: 0, ...over } };
}
const ONE_MS = llmIn(1);

function spec(executor: ExecutorSpec, over: Partial<PhaseSpec> = {}, op: OpName = 'llm.call'): PhaseSpec {
  return { name: 'p', op, params: PARAMS, executor, warmup: 0, timeoutMs: 30_000, batch: 'off', intervalMs: 10_000, ...over };
}

/** The machine held still: virtual time, fixed heap, an event loop whose delay p99 is `loopP99Ns`. */
function instruments(clock: VirtualClock, loopP99Ns = 0): Instruments {
  return {
    clock,
    date: () => new Date(clock.now()),
    heap: () => ({ heapUsed: 48 * MB, rss: 128 * MB }),
    rss: () => 128 * MB,
    loopMonitor: () => ({ read: () => ({ p50Ns: 0, p99Ns: loopP99Ns, maxNs: loopP99Ns }), reset: () => undefined, stop: () => undefined }),
  };
}

async function withProviders<T>(cfg: ProvidersConfig, clock: VirtualClock, fn: (p: Providers) => Promise<T>): Promise<T> {
  const providers = createProviders(cfg, { seed: 1, clock });
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
  clock: VirtualClock;
}

async function run(
  phase: PhaseSpec,
  opts: { cfg?: ProvidersConfig; stopAtMs?: number; checkpointMs?: number; loopP99Ns?: number; more?: Partial<PhaseRunOptions> } = {},
): Promise<Run> {
  const cfg = opts.cfg ?? ONE_MS;
  const clock = createVirtualClock();
  return withProviders(cfg, clock, async (providers) => {
    const events: RunEvent[] = [];
    const checkpoints: PhaseResult[] = [];
    let stopped = false;
    let resolveStop!: () => void;
    const stopSignal = new Promise<void>((r) => (resolveStop = r));
    if (opts.stopAtMs !== undefined) void clock.sleep(opts.stopAtMs).then(() => ((stopped = true), resolveStop()));
    const result = await runPhase(
      phase,
      { providers, config: cfg, deps: { seed: 1, clock }, advanceClock: () => undefined },
      {
        scenario: 's',
        index: 0,
        phases: 1,
        onEvent: (e) => events.push(e),
        stopped: () => stopped,
        stopSignal,
        graceMs: 100,
        instruments: instruments(clock, opts.loopP99Ns),
        ...(opts.checkpointMs !== undefined ? { onCheckpoint: (p: PhaseResult) => checkpoints.push(p), checkpointMs: opts.checkpointMs } : {}),
        ...opts.more,
      },
    );
    return { result, events, checkpoints, clock };
  });
}

/** Exact up to the histogram's three significant digits. */
function near(ns: number | undefined, expected: number): void {
  expect(Math.abs((ns ?? Number.NaN) - expected)).toBeLessThanOrEqual(expected * 0.001);
}

describe('runPhase: counts', () => {
  it('counts the measured operations only: warm-up runs first and is not recorded', async () => {
    const { result, events } = await run(spec({ kind: 'iterations', iterations: 300, concurrency: 1 }, { warmup: 50 }));
    expect(result).toMatchObject({ name: 'p', op: 'llm.call', count: 300, errors: 0, errorRate: 0, warmup: 50, batchTimed: false, timeoutMs: 30_000 });
    expect(result.latency.count).toBe(300);
    near(result.latency.p50, 1e6);
    expect(result.errorsByKind).toEqual({});
    // 300 operations of 1 ms one after the other.
    expect(result.durationMs).toBe(300);
    expect(result.throughput).toBe(1000);
    expect(result.interrupted).toBeUndefined();
    expect(result.executor).toEqual({ kind: 'iterations', iterations: 300, concurrency: 1 });
    expect(result.heapAfterGc).toBe(48 * MB);
    const starts = events.filter((e) => e.type === 'phase-start');
    expect(starts).toEqual([
      { type: 'phase-start', scenario: 's', phase: 'p (warm-up)', op: 'llm.call', index: 0, phases: 1, plannedOps: 50 },
      { type: 'phase-start', scenario: 's', phase: 'p', op: 'llm.call', index: 0, phases: 1, plannedOps: 300 },
    ]);
  });

  it('a phase without warm-up announces only itself; a time-based one its planned duration', async () => {
    const { result, events } = await run(spec({ kind: 'vus', vus: 2, durationMs: 30 }, { progressEvery: 7 }));
    const starts = events.filter((e) => e.type === 'phase-start');
    expect(starts).toEqual([{ type: 'phase-start', scenario: 's', phase: 'p', op: 'llm.call', index: 0, phases: 1, plannedMs: 30, progressEvery: 7 }]);
    // Two users of 1 ms calls for 30 ms.
    expect(result.count).toBe(60);
    expect(result.durationMs).toBe(30);
  });

  it('errors are counted by kind, most frequent first, with the error rate; only successes are timed', async () => {
    // 30 % of the calls fail after 1 ms; 60 % of the others never answer and time out 20 ms
    // later: with 20 in flight the first errors are failures, the most frequent are timeouts.
    const cfg = llmIn(1, { errorRate: 0.3, timeoutRate: 0.6 });
    const { result } = await run(spec({ kind: 'iterations', iterations: 400, concurrency: 20 }, { timeoutMs: 20 }), { cfg });
    expect(result.count).toBe(400);
    const kinds = Object.entries(result.errorsByKind);
    expect(kinds.map(([k]) => k)).toEqual(['timeout', 'LLM_SERVER_ERROR']);
    expect(kinds[0]![1]).toBeGreaterThan(kinds[1]![1]);
    expect(kinds.reduce((a, [, n]) => a + n, 0)).toBe(result.errors);
    expect(result.errorRate).toBe(result.errors / 400);
    expect(result.latency.count).toBe(400 - result.errors);
  });

  it('an operation slower than the timeout is given up at the first tick past it (ticks every timeout / 5, at least 5 ms)', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 3, concurrency: 3 }, { timeoutMs: 20 }), { cfg: llmIn(5_000) });
    expect(result).toMatchObject({ count: 3, errors: 3, errorsByKind: { timeout: 3 }, errorRate: 1 });
    expect(result.latency.count).toBe(0);
    expect(result.durationMs).toBe(25);
    // A long timeout is watched every 100 ms at most: 600 / 5 = 120 is 100.
    const long = await run(spec({ kind: 'iterations', iterations: 1, concurrency: 1 }, { timeoutMs: 600 }), { cfg: llmIn(5_000) });
    expect(long.result.durationMs).toBe(700);
  });

  it('stopped: the phase ends early and says it was interrupted', async () => {
    const { result } = await run(spec({ kind: 'vus', vus: 2, durationMs: 60_000 }), { stopAtMs: 50 });
    expect(result.interrupted).toBe(true);
    // Two users of 1 ms calls until the stop at 50 ms.
    expect(result.count).toBe(100);
    expect(result.durationMs).toBe(50);
  });

  it('a stop during warm-up: the measured phase runs nothing and says it was interrupted', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, { warmup: 50 }), { stopAtMs: 10 });
    expect(result.count).toBe(0);
    expect(result.interrupted).toBe(true);
  });
});

describe('runPhase: batch timing', () => {
  it('an explicit batch size times a sequential phase in batches, and says so', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 640, concurrency: 1 }, { batch: 64 }, 'noop'));
    expect(result).toMatchObject({ batchTimed: true, batchSize: 64, count: 640, timing: { mode: 'batch', batchSize: 64 } });
    expect(result.latency.count).toBe(640);
  });

  it('never for concurrent phases, whatever the scenario asks', async () => {
    for (const executor of [
      { kind: 'iterations', iterations: 200, concurrency: 2 },
      { kind: 'vus', vus: 3, iterationsPerVu: 50 },
    ] as ExecutorSpec[]) {
      const { result } = await run(spec(executor, { batch: 64 }, 'noop'));
      expect(result.batchTimed).toBe(false);
      expect(result).not.toHaveProperty('batchSize');
    }
  });

  it('never when goodput judges each request', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, { batch: 64, goodput: { latencyMs: 5 } }, 'noop'));
    expect(result.batchTimed).toBe(false);
  });

  it('off: one at a time', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, { batch: 'off', warmup: 200 }, 'noop'));
    expect(result.batchTimed).toBe(false);
    expect(result).not.toHaveProperty('batchSize');
  });
});

describe('runPhase: the open model', () => {
  it('reports service time and the schedule beside the latency; closed models do not', async () => {
    const open = await run(spec({ kind: 'rate', rate: 500, durationMs: 100, maxInFlight: 100 }));
    expect(open.result.count).toBe(50);
    expect(open.result.serviceTime?.count).toBe(50);
    near(open.result.serviceTime?.max, 1e6);
    expect(open.result.schedule).toEqual({ late: 0, dropped: 0, maxLateNs: 0, arrivals: { pattern: 'constant', scheduled: 50 } });
    // The last start at 98 ms, done at 99.
    expect(open.result.durationMs).toBe(99);
    const closed = await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }));
    expect(closed.result).not.toHaveProperty('serviceTime');
    expect(closed.result).not.toHaveProperty('schedule');
  });

  it("draws Poisson arrivals from the schedule seed when given, else from the providers' seed", async () => {
    const poisson = spec({ kind: 'rate', rate: 1000, durationMs: 200, maxInFlight: 100, arrival: 'poisson' });
    const planned = (seed: number) => collectArrivals(poissonArrivals(1000, 200, arrivalRandom(seed))).length;
    // Two seeds whose schedules hold different numbers of arrivals (the providers' seed is 1).
    expect(planned(1)).not.toBe(planned(7));
    expect((await run(poisson)).result.count).toBe(planned(1));
    expect((await run(poisson, { more: { scheduleSeed: 7 } })).result.count).toBe(planned(7));
  });

  it('a saturated event loop or a fallen-behind schedule is said, as a warning event and in the result', async () => {
    const { result, events } = await run(spec({ kind: 'rate', rate: 100, durationMs: 100, maxInFlight: 100 }), { loopP99Ns: LOOP_SATURATED_NS + 1e6 });
    const warnings = events.filter((e): e is Extract<RunEvent, { type: 'warning' }> => e.type === 'warning');
    expect(warnings).toEqual([{ type: 'warning', scenario: 's', message: `p: ${generatorWarnings(LOOP_SATURATED_NS + 1e6, 10, undefined)[0]}` }]);
    expect(result.health).toEqual({ eventLoopP99Ns: LOOP_SATURATED_NS + 1e6, eventLoopMaxNs: LOOP_SATURATED_NS + 1e6, warnings: [generatorWarnings(LOOP_SATURATED_NS + 1e6, 10, undefined)[0]] });
    // Starts dropped at maxInFlight: a 50 ms call, arrivals every 10 ms, room for 2.
    const behind = await run(spec({ kind: 'rate', rate: 100, durationMs: 100, maxInFlight: 2 }), { cfg: llmIn(50) });
    expect(behind.result.schedule?.dropped).toBeGreaterThan(0);
    expect(behind.result.health?.warnings).toEqual(generatorWarnings(0, behind.result.count, behind.result.schedule));
    expect(behind.events.filter((e) => e.type === 'warning')).toHaveLength(1);
  });
});

describe('runPhase: time series, checkpoints, progress', () => {
  it('a phase longer than its interval gets a series that adds up to the phase, one sample per interval', async () => {
    // Ticks every 20 ms (timeout 100 ms / 5); an interval closes at the first tick 60 ms after
    // the last one, and the phase's end closes the last. A tick wakes before the calls that end
    // at the same instant (it slept first): those count in the next interval.
    const { result } = await run(spec({ kind: 'vus', vus: 2, durationMs: 400 }, { intervalMs: 60, timeoutMs: 100 }));
    const series = result.intervals ?? [];
    expect(result.intervalMs).toBe(60);
    expect(series.map((s) => s.tMs)).toEqual([60, 120, 180, 240, 300, 360, 400]);
    expect(series.map((s) => s.durationMs)).toEqual([60, 60, 60, 60, 60, 60, 40]);
    expect(series.map((s) => s.count)).toEqual([118, 120, 120, 120, 120, 120, 82]);
    for (const s of series) {
      expect(s.throughput).toBe((s.count * 1000) / (s.durationMs as number));
      expect(s.errors).toBe(0);
      near(s.p50, 1e6);
      near(s.p99, 1e6);
      expect(s.eventLoopP99).toBe(0);
      // Heap readings need a forced GC: only for intervals of a second or more.
      expect(s).not.toHaveProperty('heapUsed');
    }
    expect(result.count).toBe(800);
    expect(result.leak).toBeDefined();
    expect(result.drift).toBeDefined();
    // The histogram folded interval by interval still holds every operation.
    expect(result.latency.count).toBe(800);
  });

  it('intervals of a second or more read the heap; errors are counted per interval', async () => {
    const cfg = llmIn(1, { errorRate: 0.5 });
    const { result } = await run(spec({ kind: 'vus', vus: 1, durationMs: 2_500 }, { intervalMs: 1_000 }), { cfg });
    const series = result.intervals ?? [];
    expect(series.map((s) => s.tMs)).toEqual([1_000, 2_000, 2_500]);
    for (const s of series) expect(s).toMatchObject({ heapUsed: 48 * MB, rss: 128 * MB });
    expect(series.reduce((a, s) => a + s.errors, 0)).toBe(result.errors);
    expect(series.every((s) => s.errors > 0)).toBe(true);
  });

  it('nothing finished since the last interval closed: no empty last sample', async () => {
    // One call that never answers in time: the tick at 120 ms gives it up (past 100 ms) and
    // closes the second interval with it; the phase then ends with nothing left to sample.
    const { result } = await run(spec({ kind: 'iterations', iterations: 1, concurrency: 1 }, { intervalMs: 60, timeoutMs: 100 }), { cfg: llmIn(5_000) });
    expect(result.intervals?.map((s) => [s.tMs, s.count, s.errors])).toEqual([
      [60, 0, 0],
      [120, 1, 1],
    ]);
    expect(result.durationMs).toBe(120);
  });

  it('a phase shorter than one interval has no series', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 20, concurrency: 1 }, { intervalMs: 10_000 }));
    expect(result).not.toHaveProperty('intervals');
    expect(result).not.toHaveProperty('intervalMs');
    expect(result).not.toHaveProperty('leak');
  });

  it(`a long series is compacted to at most ${MAX_INTERVALS} samples that still add up`, async () => {
    // 5 ms intervals for 6 s: 1,200 of them.
    const { result } = await run(spec({ kind: 'vus', vus: 1, durationMs: 6_000 }, { intervalMs: 5, timeoutMs: 25 }));
    const series = result.intervals ?? [];
    expect(series.length).toBeGreaterThan(MAX_INTERVALS / 2);
    expect(series.length).toBeLessThanOrEqual(MAX_INTERVALS);
    expect(series.reduce((a, s) => a + s.count, 0)).toBe(6_000);
  });

  it('saves checkpoints of the figures so far, each marked interrupted', async () => {
    const { result, checkpoints } = await run(spec({ kind: 'vus', vus: 2, durationMs: 400 }, { timeoutMs: 100 }), { checkpointMs: 100 });
    expect(checkpoints.map((c) => c.durationMs)).toEqual([100, 200, 300, 400]);
    // Two users of 1 ms calls: 200 calls every 100 ms, less the two that end as the tick comes.
    expect(checkpoints.map((c) => c.count)).toEqual([198, 398, 598, 798]);
    for (const c of checkpoints) {
      expect(c.interrupted).toBe(true);
      expect(c.latency.count).toBe(c.count);
      // The heap is read only for the final result.
      expect(c).not.toHaveProperty('heapAfterGc');
    }
    expect(result.count).toBe(800);
    expect(result.interrupted).toBeUndefined();
  });

  it('checkpoints every 10 s unless told otherwise', async () => {
    const seen: number[] = [];
    await run(spec({ kind: 'vus', vus: 1, durationMs: 25_000 }), { more: { onCheckpoint: (p) => seen.push(p.durationMs) } });
    expect(seen).toEqual([10_000, 20_000]);
  });

  it('sends progress every 200 ms while a phase runs', async () => {
    const { events } = await run(spec({ kind: 'vus', vus: 2, durationMs: 700 }, { timeoutMs: 100 }));
    const progress = events.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');
    // Two users of 1 ms calls; the two calls ending with the tick are not in yet.
    expect(progress.map((p) => [p.snapshot.elapsedMs, p.snapshot.done])).toEqual([
      [200, 398],
      [400, 798],
      [600, 1198],
    ]);
    for (const p of progress) {
      expect(p).toMatchObject({ scenario: 's', phase: 'p', snapshot: { errors: 0, plannedMs: 700, warmup: false } });
      expect(p.snapshot).not.toHaveProperty('plannedOps');
      near(p.snapshot.p99Ns, 1e6);
    }
    const counted = await run(spec({ kind: 'iterations', iterations: 300, concurrency: 1 }, { timeoutMs: 100 }));
    const first = counted.events.find((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');
    expect(first?.snapshot).toMatchObject({ elapsedMs: 200, done: 199, plannedOps: 300 });
    expect(first?.snapshot).not.toHaveProperty('plannedMs');
  });
});

describe('runPhase: a part of a split phase', () => {
  it('runs its share under the whole phase\'s indexes, from the common start the gate gives', async () => {
    const phase = spec({ kind: 'rate', rate: 100, durationMs: 100, maxInFlight: 10 });
    // Part 1 of 2: arrivals 1, 3, 5, 7, 9 of the ten.
    const share = splitPhase(phase.executor, [{ index: 1, count: 2 }]);
    const { result } = await run(phase, { more: { share, startGate: () => Promise.resolve(0) } });
    expect(result.count).toBe(5);
    expect(result.schedule?.arrivals?.scheduled).toBe(5);
  });

  it('a part with no share runs nothing, not even a warm-up', async () => {
    const phase = spec({ kind: 'iterations', iterations: 1, concurrency: 1 }, { warmup: 10 });
    const share = splitPhase(phase.executor, [{ index: 1, count: 2 }]);
    expect(share.active).toBe(false);
    const { result, events } = await run(phase, { more: { share } });
    expect(result).toMatchObject({ count: 0, warmup: 0 });
    expect(events.filter((e) => e.type === 'phase-start')).toHaveLength(1);
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
