/**
 * runPhase: what a phase result says about the load it ran. Behaviour only (counts, events,
 * what is batch-timed, series, checkpoints, warnings), through the public PhaseSpec and
 * providers, so that these tests outlive changes to how the executors record.
 *
 * Every phase runs on a virtual clock with fixed heap and event-loop readings: the simulated
 * LLM answers in exactly 1 ms of virtual time (unless a test says otherwise), the phase's tick
 * (timeouts, intervals, checkpoints, progress) falls on the same clock, and every figure is
 * exact. The exceptions wait a few ms of real time and assert no duration: the machine's own
 * tick (it must give up a call by the clock the phase reads), the timers of a clock that only
 * reads, and a workload's think time (a real pause, see 'a part of a split workload phase').
 */
import { createHook } from 'node:async_hooks';
import { describe, expect, it, vi } from 'vitest';
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
import { describeWork } from '../../src/runner/operations.js';
import { parseSyntheticSpec, type SyntheticSpec } from '../../src/workload/synthetic.js';
import { ESTIMATE_CHUNK, ROUND_OPS, SETTLE_OPS, SETTLE_ROUNDS } from '../../src/runner/timing-mode.js';

// Every histogram created, until destroyed: WASM memory is not garbage-collected, so a phase must free what it opens.
const live = vi.hoisted(() => new Set<object>());
vi.mock('../../src/metrics/histogram.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/metrics/histogram.js')>();
  class Counted extends m.LatencyRecorder {
    constructor(...args: ConstructorParameters<typeof m.LatencyRecorder>) {
      super(...args);
      live.add(this);
    }
    override destroy(): void {
      live.delete(this);
      super.destroy();
    }
  }
  return { ...m, LatencyRecorder: Counted };
});

/** The virtual clock's reading when each phase starts: not 0, so a time taken from the wrong origin shows. */
const T0 = 1_000;

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
  /** What `inspect` read off the providers after the phase. */
  inspected: unknown;
}

async function run(
  phase: PhaseSpec,
  opts: {
    cfg?: ProvidersConfig;
    stopAtMs?: number;
    checkpointMs?: number;
    loopP99Ns?: number;
    more?: Partial<PhaseRunOptions>;
    /** Reads the providers after the phase, before they close. */
    inspect?: (p: Providers) => Promise<unknown>;
  } = {},
): Promise<Run> {
  const cfg = opts.cfg ?? ONE_MS;
  const clock = createVirtualClock(T0);
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
    const inspected = await opts.inspect?.(providers);
    return { result, events, checkpoints, clock, inspected };
  });
}

/** The contents of the messages session_0 holds, oldest first. */
const stored = async (p: Providers): Promise<string[]> => (await p.memory.retrieve('session_0', 10_000)).map((m) => String(m.content));

/**
 * Timers (setTimeout/setInterval) created from now on and still alive: what a phase would leave
 * running. Vitest's own (its test timeout, its throttled task updates, alive or not depending
 * on the machine's load) are left out, so the count does not move with the load.
 */
function watchTimers(): { alive: () => Promise<number>; stop: () => void } {
  const alive = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      // Who called setTimeout/setInterval: the first frame outside Node's internals and this hook.
      const caller = (new Error().stack ?? '').split('\n').slice(1).find((l) => !l.includes('node:') && !l.includes('AsyncHook.init'));
      if (!caller?.includes('@vitest/')) alive.add(id);
    },
    destroy(id) {
      alive.delete(id);
    },
  }).enable();
  return {
    // Node runs destroy hooks a turn after a timer fires or is cleared.
    alive: async () => {
      await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setImmediate(r));
      return alive.size;
    },
    stop: () => void hook.disable(),
  };
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

describe('runPhase: what the result says', () => {
  it('its window on the clock, after the warm-up; the warm-up runs at the phase concurrency, an open model\'s one at a time', async () => {
    // 40 warm-up calls of 1 ms, 4 at a time: 10 ms before the measured phase starts.
    const closed = await run(spec({ kind: 'iterations', iterations: 20, concurrency: 4 }, { warmup: 40 }));
    expect(closed.result.window).toEqual({ startMs: performance.timeOrigin + T0 + 10, endMs: performance.timeOrigin + T0 + 10 + 5 });
    expect(closed.result.durationMs).toBe(5);
    // Never more at once than there are warm-up calls: 2 of them, at once.
    expect((await run(spec({ kind: 'iterations', iterations: 20, concurrency: 4 }, { warmup: 2 }))).result.window?.startMs).toBe(performance.timeOrigin + T0 + 1);
    // The open model warms up one call at a time.
    expect((await run(spec({ kind: 'rate', rate: 100, durationMs: 50, maxInFlight: 10 }, { warmup: 10 }))).result.window?.startMs).toBe(performance.timeOrigin + T0 + 10);
  });

  it('the warm-up is announced once, however many rounds it runs in, and its ticks watch it too', async () => {
    // 300 warm-up calls run in two rounds; a fifth of the 30 ms calls never answer: the ticks
    // must go on giving them up for the warm-up to end.
    const { events, result } = await run(spec({ kind: 'iterations', iterations: 5, concurrency: 50 }, { warmup: 300, timeoutMs: 100 }), { cfg: llmIn(30, { timeoutRate: 0.2 }) });
    expect(events.filter((e) => e.type === 'phase-start').map((e) => (e as { phase: string }).phase)).toEqual(['p (warm-up)', 'p']);
    expect(result).toMatchObject({ warmup: 300, count: 5 });
  });

  it('the measured operations continue the warm-up\'s sequence', async () => {
    const { inspected } = await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }, { warmup: 5, params: { ...PARAMS, sessions: 1 } }, 'memory.store'), { inspect: stored });
    expect(inspected).toEqual(Array.from({ length: 15 }, (_, i) => `message ${i}`));
  });

  it('its description: the scenario\'s, else the work in words', async () => {
    expect((await run(spec({ kind: 'iterations', iterations: 1, concurrency: 1 }, { description: 'one call' }))).result.description).toBe('one call');
    expect((await run(spec({ kind: 'iterations', iterations: 1, concurrency: 1 }))).result.description).toBe(describeWork('llm.call', PARAMS, { kind: 'iterations', iterations: 1, concurrency: 1 }));
  });

  it('nothing run, or no time taken: rates are 0, not NaN or infinite', async () => {
    const none = (await run(spec({ kind: 'iterations', iterations: 0, concurrency: 1 }))).result;
    expect(none).toMatchObject({ count: 0, errorRate: 0, throughput: 0 });
    // In-process no-ops take no virtual time at all.
    const instant = (await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }, {}, 'noop'))).result;
    expect(instant).toMatchObject({ count: 10, durationMs: 0, throughput: 0 });
  });

  it('latencies outside the histogram\'s range are clamped, and said so; none is said only when there are some', async () => {
    // No-ops take no time at all on the virtual clock: 0 ns, below the histogram's 1 ns.
    const { result } = await run(spec({ kind: 'iterations', iterations: 3, concurrency: 1 }, {}, 'noop'));
    expect(result.clamped).toBe(3);
    expect((await run(spec({ kind: 'iterations', iterations: 3, concurrency: 3 }))).result).not.toHaveProperty('clamped');
  });

  it('goodput: the calls that met the SLO, their fraction and rate; the phase is then timed call by call', async () => {
    const good = (await run(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, { goodput: { latencyMs: 5 }, batch: 64 }))).result;
    expect(good.goodput).toEqual({ latencyNs: 5e6, good: 100, fraction: 1, rate: 1000 });
    expect(good.timing).toMatchObject({ mode: 'per-op', basis: 'off' });
    const none = (await run(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, { goodput: { latencyMs: 0.5 } }))).result;
    expect(none.goodput).toMatchObject({ good: 0, fraction: 0, rate: 0 });
    expect((await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }))).result).not.toHaveProperty('goodput');
  });

  it('the operation\'s own figures: LLM timings and tokens, memory figures and totals', async () => {
    const llm = (await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }))).result;
    expect(llm.tokens).toBeDefined();
    const sweep = (await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }, {}, 'memory.sweep'))).result;
    expect(sweep.extra).toMatchObject({ sessionsExpired: 0 });
    expect(sweep.extraTotals).toEqual(['sessionsExpired']);
    const store = (await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }, {}, 'memory.store'))).result;
    expect(store.extra).toMatchObject({ messagesStored: 10 });
    expect(store).not.toHaveProperty('extraTotals');
  });

  it('the warm-up leaves no trace in the figures: agent steps and counts are those of the measured runs', async () => {
    const cold = (await run(spec({ kind: 'iterations', iterations: 6, concurrency: 1 }, {}, 'agent.execute'))).result;
    const warm = (await run(spec({ kind: 'iterations', iterations: 6, concurrency: 1 }, { warmup: 4 }, 'agent.execute'))).result;
    expect(cold.steps).toBeDefined();
    expect(Object.fromEntries(Object.entries(warm.steps ?? {}).map(([k, v]) => [k, v.count]))).toEqual(Object.fromEntries(Object.entries(cold.steps ?? {}).map(([k, v]) => [k, v.count])));
    expect(warm.extra).toEqual(cold.extra);
  });

  it('an open model\'s service time holds every call, across intervals', async () => {
    const { result } = await run(spec({ kind: 'rate', rate: 200, durationMs: 300, maxInFlight: 10 }, { intervalMs: 60, timeoutMs: 100 }));
    expect(result.intervals?.length).toBeGreaterThan(3);
    expect(result.serviceTime?.count).toBe(60);
    expect(result.latency.count).toBe(60);
  });
});

describe('runPhase: series and progress at their edges', () => {
  it('progress reports the p99 of every call so far, not only the open interval\'s', async () => {
    // 35 ms calls; intervals close at 60, 120, 180 ms; at 200 ms the open interval has none.
    const { events } = await run(spec({ kind: 'vus', vus: 1, durationMs: 300 }, { intervalMs: 60, timeoutMs: 100 }), { cfg: llmIn(35) });
    const first = events.find((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');
    expect(first?.snapshot.elapsedMs).toBe(200);
    near(first?.snapshot.p99Ns, 35e6);
  });

  it(`exactly ${MAX_INTERVALS} samples are kept as they are`, async () => {
    // 5 ms intervals over 4,999 ms: 999 closed by the tick and the last by the end.
    const { result } = await run(spec({ kind: 'vus', vus: 1, durationMs: 4_999 }, { intervalMs: 5, timeoutMs: 25 }));
    expect(result.intervals).toHaveLength(MAX_INTERVALS);
    expect(result.intervals?.[0]?.durationMs).toBe(5);
  });

  it('a last sample of no duration claims no throughput', async () => {
    // The last call ends at 120 ms, with the tick that closed the second interval: a third
    // sample of that one call and no duration.
    const { result } = await run(spec({ kind: 'vus', vus: 1, durationMs: 120 }, { intervalMs: 60, timeoutMs: 100 }));
    const last = result.intervals?.at(-1);
    expect(last).toMatchObject({ tMs: 120, durationMs: 0, count: 1, throughput: 0 });
  });
});

describe('runPhase: a part of a split phase, its indexes', () => {
  it('runs its share of the whole phase\'s indexes, and warms up under indexes past its share', async () => {
    const phase = spec({ kind: 'iterations', iterations: 10, concurrency: 2 }, { warmup: 2, params: { ...PARAMS, sessions: 1 } }, 'memory.store');
    const share = splitPhase(phase.executor, [{ index: 1, count: 2 }]);
    const { result, inspected } = await run(phase, { more: { share }, inspect: stored });
    expect(result.count).toBe(5);
    const mine = [0, 1, 2, 3, 4].map((i) => share.global(i));
    const warm = [5, 6].map((i) => share.global(i));
    expect([...(inspected as string[])].sort()).toEqual([...warm, ...mine].map((i) => `message ${i}`).sort());
  });
});

describe('runPhase: a part of a split workload phase', () => {
  it('prepares each operation\'s turn under its index in the whole phase: the think time before it is waited', async () => {
    // Conversations of 50 turns with 5 ms of think time before each turn after the first.
    const synthetic = parseSyntheticSpec({ turns: 50, promptTokens: 10, answerTokens: 10, thinkTime: '5ms' }) as SyntheticSpec;
    const phase = spec({ kind: 'iterations', iterations: 16, concurrency: 2 }, { params: { ...PARAMS, sessions: 2, synthetic } }, 'memory.store');
    const share = splitPhase(phase.executor, [{ index: 0, count: 2 }]);
    const { result } = await run(phase, { more: { share } });
    expect(result.count).toBe(8);
    // The think time is real (a user's pause): each of the 6 later turns waits what is left of
    // it, none at all only if the machine stalled past 5 ms first. Without the prepared turn, none would wait.
    expect(result.extra?.['thinkWaits']).toBeGreaterThan(0);
    expect(result.extra).toMatchObject({ conversations: 2 });
    expect(result.extra).not.toHaveProperty('sessionsOverCap');
  });
});

describe('runPhase: interruption and clean-up', () => {
  it('calls that never end are abandoned after the grace period once the run is stopped', async () => {
    const { result } = await run(spec({ kind: 'iterations', iterations: 4, concurrency: 2 }, { timeoutMs: 1e9 }), { cfg: llmIn(1e12), stopAtMs: 10, more: { graceMs: 1 } });
    expect(result).toMatchObject({ count: 0, errors: 0, interrupted: true });
  });

  it('a stop that comes after the phase ended sets no grace timer', async () => {
    const timers = watchTimers();
    // The phase ends at 10 ms; the stop comes at 50, once the clock gets there.
    const { clock } = await run(spec({ kind: 'iterations', iterations: 10, concurrency: 1 }), { stopAtMs: 50, more: { graceMs: 60_000 } });
    await clock.sleep(100);
    const left = await timers.alive();
    timers.stop();
    expect(left).toBe(0);
  });

  it('a phase frees every histogram it opens, and leaves no timer behind', async () => {
    const timers = watchTimers();
    live.clear();
    await run(spec({ kind: 'rate', rate: 500, durationMs: 100, maxInFlight: 100 }, { intervalMs: 30, timeoutMs: 100 }), { checkpointMs: 40 });
    await run(spec({ kind: 'vus', vus: 2, durationMs: 60_000 }), { stopAtMs: 50 });
    expect(live.size).toBe(0);
    const left = await timers.alive();
    timers.stop();
    expect(left).toBe(0);
  });

  it('on the machine\'s own clock: times with performance.now(), and stops its tick', async () => {
    const timers = watchTimers();
    live.clear();
    const cfg = DEFAULT_PROVIDERS_CONFIG;
    const result = await withProviders(cfg, createVirtualClock(), (providers) =>
      runPhase(spec({ kind: 'iterations', iterations: 100, concurrency: 1 }, {}, 'noop'), { providers, config: cfg, deps: { seed: 1 }, advanceClock: () => undefined }, {
        scenario: 's',
        index: 0,
        phases: 1,
        onEvent: () => undefined,
        stopped: () => false,
        stopSignal: new Promise<void>(() => undefined),
        graceMs: 100,
      }),
    );
    expect(result).toMatchObject({ count: 100, errors: 0 });
    expect(result.latency.count).toBe(100);
    const left = await timers.alive();
    timers.stop();
    expect(left).toBe(0);
    expect(live.size).toBe(0);
  });
});

/**
 * A phase timed by a clock that only reads (no sleep): the machine's path, with its real
 * timers (the tick, the pause between warm-up rounds), but every reading under the test's hand.
 */
describe('runPhase: on a clock that only reads', () => {
  /** Instruments whose clock moves `stepMs` at each reading. */
  function reading(stepMs: number): Instruments {
    let t = 1e6;
    const clock = { now: () => (t += stepMs) };
    return {
      clock,
      date: () => new Date(0),
      heap: () => ({ heapUsed: 48 * MB, rss: 128 * MB }),
      rss: () => 128 * MB,
      loopMonitor: () => ({ read: () => ({ p50Ns: 0, p99Ns: 0, maxNs: 0 }), reset: () => undefined, stop: () => undefined }),
    };
  }

  async function runOn(instruments: Instruments | undefined, phase: PhaseSpec, more: Partial<PhaseRunOptions> = {}, cfg = DEFAULT_PROVIDERS_CONFIG, tamper?: (p: Providers) => void): Promise<PhaseResult> {
    const providers = createProviders(cfg, { seed: 1 });
    await initializeAll(providers);
    tamper?.(providers);
    try {
      return await runPhase(phase, { providers, config: cfg, deps: { seed: 1, ...(instruments ? { clock: instruments.clock } : {}) }, advanceClock: () => undefined }, {
        scenario: 's',
        index: 0,
        phases: 1,
        onEvent: () => undefined,
        stopped: () => false,
        stopSignal: new Promise<void>(() => undefined),
        graceMs: 100,
        ...(instruments ? { instruments } : {}),
        ...more,
      });
    } finally {
      await providers.close();
    }
  }

  const fastOp = (op: OpName = 'noop'): PhaseSpec => spec({ kind: 'iterations', iterations: 10, concurrency: 1 }, { batch: 'auto' }, op);

  // Two readings a timed batch of ESTIMATE_CHUNK calls: 0.048 ms a reading is 1.5 us a call.
  const STEP_1500_NS = (1500e-6 * ESTIMATE_CHUNK);

  it('auto: the warm-up rounds estimate a fast call, and the estimate decides (with the mode it had before, between the thresholds)', async () => {
    const first = await runOn(reading(STEP_1500_NS), fastOp());
    expect(first.timing).toEqual({ mode: 'batch', batchSize: 17, basis: 'auto', estimateNs: 1500 });
    // 1.5 us is between the thresholds: a phase that was per-op earlier in the process stays so.
    const again = await runOn(reading(STEP_1500_NS), fastOp(), { previousTiming: 'per-op' });
    expect(again.timing).toEqual({ mode: 'per-op', batchSize: 1, basis: 'auto', estimateNs: 1500 });
  });

  it('auto: estimation stops once its rounds took 500 ms of the clock', async () => {
    // 40 ms a reading: the first round alone takes longer; then the closing rounds, one by one.
    const r = await runOn(reading(40), fastOp());
    expect(r.timing).toMatchObject({ mode: 'per-op', basis: 'auto' });
    expect(r.warmup).toBe(ROUND_OPS + SETTLE_ROUNDS * SETTLE_OPS);
  });

  it('auto: a round in which every call failed estimates nothing; the rounds that succeeded decide', async () => {
    // The memory goes down after three estimation rounds: the five after them fail entirely.
    const r = await runOn(reading(STEP_1500_NS), fastOp('memory.store'), {}, DEFAULT_PROVIDERS_CONFIG, (p) => {
      const store = p.memory.store.bind(p.memory);
      let calls = 0;
      p.memory.store = (...args) => (++calls > 3 * ROUND_OPS ? Promise.reject(new Error('memory down')) : store(...args));
    });
    expect(r.timing).toEqual({ mode: 'batch', batchSize: 17, basis: 'auto', estimateNs: 1500 });
    expect(r).toMatchObject({ count: 10, errors: 10 });
  });

  // Real time below: the call takes 300 ms unless given up; the tick (every 5 ms) gives it up past 25 ms.
  const hanging = spec({ kind: 'iterations', iterations: 1, concurrency: 1 }, { timeoutMs: 25 });
  const slowLlm = llmIn(300);

  it('on the machine\'s own clock, the tick gives up a call past its timeout', async () => {
    const r = await runOn(undefined, hanging, {}, slowLlm);
    expect(r).toMatchObject({ count: 1, errors: 1, errorsByKind: { timeout: 1 } });
  });

  it('on a clock that only reads, the tick reads that clock, not performance.now()', async () => {
    // A monotonic clock of another origin (a million ms ahead): judged by performance.now(), the call would never be late.
    const clock = { now: () => performance.now() + 1e6 };
    const r = await runOn({ ...reading(0), clock }, hanging, {}, slowLlm);
    expect(r).toMatchObject({ count: 1, errors: 1, errorsByKind: { timeout: 1 } });
  });
});
