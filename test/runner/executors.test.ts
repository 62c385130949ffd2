/**
 * The executors on a virtual clock (ctx.clock): an operation "takes" 2 ms by sleeping 2 ms of
 * virtual time, a stall is the clock moved on while the thread is held, and the watchdog ticks
 * on the same clock. Every figure is then exact (latencies, lateness, counts, when a phase
 * ends), no test waits in real time, and none depends on how busy the machine is.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import { createVirtualClock, type VirtualClock } from '../../src/providers/random.js';
import type { ExecutorSpec, LatencySummary, ScheduleStats } from '../../src/results/types.js';
import { arrivalRandom, collectArrivals, poissonArrivals } from '../../src/runner/arrivals.js';
import { classifyError } from '../../src/runner/errors.js';
import { concurrencyOf, newCounters, plannedMs, plannedOps, startExecutor, type Counters, type ExecContext, type ExecutionHandle } from '../../src/runner/executors.js';
import type { PreparedOp } from '../../src/runner/operations.js';
import { loadTrace } from '../../src/workload/trace.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The phase's watchdog tick, ms of virtual time. */
const TICK_MS = 5;

interface Options {
  clock?: VirtualClock;
  timeoutMs?: number;
  batchSize?: number;
  /** Stops offering load at this virtual time. */
  stopAtMs?: number;
  /** Called once the executor started: stop() stops offering load. */
  onStart?: (stop: () => void, handle: ExecutionHandle) => void;
  seed?: number;
  firstIndex?: number;
}

interface Executed {
  counters: Counters;
  latency: LatencySummary;
  serviceTime: LatencySummary;
  schedule: ScheduleStats | undefined;
  /** Virtual ms from the start until the executor said it was done. */
  elapsedMs: number;
}

/** Runs an executor as a phase does, on virtual time: a watchdog tick every TICK_MS. */
async function execute(spec: ExecutorSpec, op: PreparedOp, opts: Options = {}): Promise<Executed> {
  const clock = opts.clock ?? createVirtualClock();
  const latency = new LatencyRecorder();
  const serviceTime = new LatencyRecorder();
  const counters = newCounters();
  let stopped = false;
  const ctx: ExecContext = {
    op,
    timeoutMs: opts.timeoutMs ?? 30_000,
    latency,
    serviceTime,
    counters,
    batchSize: opts.batchSize ?? 1,
    stopped: () => stopped,
    clock,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
  const t0 = clock.now();
  const handle = startExecutor(spec, ctx, opts.firstIndex);
  let finished = false;
  void (async () => {
    while (!finished) {
      await clock.sleep(TICK_MS);
      if (!finished) handle.watchdog(clock.now());
    }
  })();
  if (opts.stopAtMs !== undefined) void clock.sleep(opts.stopAtMs).then(() => (stopped = true));
  opts.onStart?.(() => (stopped = true), handle);
  try {
    const schedule = await handle.done;
    const elapsedMs = clock.now() - t0;
    return { counters, latency: latency.summarize(), serviceTime: serviceTime.summarize(), schedule, elapsedMs };
  } finally {
    finished = true;
    latency.destroy();
    serviceTime.destroy();
  }
}

/** Times (ms) equal to the last floating-point bits: a due time is start + offset, reached by steps of the clock. */
function sameTimes(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((t, k) => expect(Math.abs(t - (expected[k] as number)), `time ${k}`).toBeLessThan(1e-9));
}

/** Exact up to the histogram's three significant digits. */
function near(ns: number, expected: number): void {
  expect(Math.abs(ns - expected)).toBeLessThanOrEqual(expected * 0.001);
}

/** An operation that takes `ms` of virtual time and tracks how many run at once, which indexes it saw and when each started. */
function tracking(clock: VirtualClock, ms = 0) {
  let inFlight = 0;
  const state = { maxInFlight: 0, seen: [] as number[], starts: [] as number[] };
  const op: PreparedOp = {
    fast: false,
    run: async (i) => {
      state.seen.push(i);
      state.starts.push(clock.now());
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      if (ms > 0) await clock.sleep(ms);
      else await Promise.resolve();
      inFlight--;
    },
  };
  return { op, state };
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('iterations executor', () => {
  it.each([
    [1, 50],
    [7, 50],
    [100, 30],
  ])('concurrency %i runs exactly %i operations, each index once, never more at once, each timed exactly', async (concurrency, n) => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 2);
    const r = await execute({ kind: 'iterations', iterations: n, concurrency }, op, { clock });
    expect(r.counters).toMatchObject({ done: n, ok: n, errors: 0 });
    expect([...state.seen].sort((a, b) => a - b)).toEqual(range(n));
    expect(state.maxInFlight).toBe(Math.min(concurrency, n));
    expect(r.latency.count).toBe(n);
    near(r.latency.min, 2e6);
    near(r.latency.max, 2e6);
    // Workers take the next operation as soon as theirs ends: ceil(n / concurrency) rounds of 2 ms.
    expect(r.elapsedMs).toBe(Math.ceil(n / Math.min(concurrency, n)) * 2);
  });

  it('counts errors by kind, whatever is thrown, and keeps going; only successes are timed', async () => {
    const clock = createVirtualClock();
    const throwers: unknown[] = [Object.assign(new Error('x'), { code: 'E_ONE' }), new TypeError('t'), 'a string', undefined, null, 42, { code: 7 }];
    const op: PreparedOp = {
      fast: false,
      run: async (i) => {
        await clock.sleep(1);
        if (i < throwers.length) throw throwers[i];
      },
    };
    const r = await execute({ kind: 'iterations', iterations: 20, concurrency: 3 }, op, { clock });
    expect(r.counters).toMatchObject({ done: 20, ok: 20 - throwers.length, errors: throwers.length });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({
      E_ONE: 1,
      TypeError: 1,
      'thrown-string': 1,
      'thrown-undefined': 1,
      'thrown-null': 1,
      'thrown-number': 1,
      'code-7': 1,
    });
    expect(r.latency.count).toBe(20 - throwers.length);
  });

  it('an operation that throws before it returns a promise is an error like any other', async () => {
    const op: PreparedOp = {
      fast: false,
      run: (i) => {
        if (i === 1) throw new RangeError('at once');
        return Promise.resolve();
      },
    };
    const r = await execute({ kind: 'iterations', iterations: 4, concurrency: 1 }, op);
    expect(r.counters).toMatchObject({ done: 4, ok: 3, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ RangeError: 1 });
  });

  it('times out an operation that never finishes once it ran longer than the timeout, replaces its worker and finishes the phase', async () => {
    const clock = createVirtualClock();
    const starts: number[] = [];
    const op: PreparedOp = {
      fast: false,
      run: (i) => {
        starts.push(clock.now());
        return i === 3 ? new Promise(() => undefined) : clock.sleep(10);
      },
    };
    const r = await execute({ kind: 'iterations', iterations: 10, concurrency: 2 }, op, { clock, timeoutMs: 50 });
    expect(r.counters).toMatchObject({ done: 10, ok: 9, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ timeout: 1 });
    // Operation 3 started at 10 ms; the first tick past 60 ms (at 65) gives it up and a new worker
    // takes the next operation then: the phase keeps two in flight and ends after the last one.
    expect(starts[3]).toBe(10);
    expect(starts).toContain(65);
    expect(r.latency.count).toBe(9);
    near(r.latency.max, 10e6);
  });

  it('an operation that runs exactly its timeout is not timed out; a moment longer is', async () => {
    const clock = createVirtualClock();
    const latency = new LatencyRecorder();
    const counters = newCounters();
    const handle = startExecutor(
      { kind: 'iterations', iterations: 1, concurrency: 1 },
      { op: { fast: false, run: () => new Promise(() => undefined) }, timeoutMs: 50, latency, counters, batchSize: 1, stopped: () => false, clock },
    );
    try {
      handle.watchdog(50);
      expect(counters.errors).toBe(0);
      handle.watchdog(50.001);
      expect(counters).toMatchObject({ done: 1, errors: 1 });
      await handle.done;
    } finally {
      latency.destroy();
    }
  });

  it('a late result of an operation given up is ignored: no second count, no latency', async () => {
    const clock = createVirtualClock();
    // Operation 1 finishes at 80 ms, 30 ms after it was given up; operation 2 fails late the same way.
    const op: PreparedOp = {
      fast: false,
      run: async (i) => {
        await clock.sleep(i === 1 || i === 2 ? 80 : 1);
        if (i === 2) throw new Error('late failure');
      },
    };
    const r = await execute({ kind: 'iterations', iterations: 4, concurrency: 2 }, op, { clock, timeoutMs: 50 });
    // Let the late results arrive before looking.
    await clock.sleep(100);
    expect(r.counters).toMatchObject({ done: 4, ok: 2, errors: 2 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ timeout: 2 });
    expect(r.latency.count).toBe(2);
  });

  it('cancels an abortable operation it gives up on; a plain one gets no signal', async () => {
    const clock = createVirtualClock();
    const aborted: number[] = [];
    const signals: boolean[] = [];
    const op = (abortable: boolean): PreparedOp => ({
      fast: false,
      abortable,
      run: (i, signal) => {
        signals.push(signal !== undefined);
        return i === 2
          ? new Promise((_resolve, reject) =>
              signal?.addEventListener('abort', () => {
                aborted.push(i);
                reject(new Error('aborted'));
              }),
            )
          : clock.sleep(1);
      },
    });
    const r = await execute({ kind: 'iterations', iterations: 5, concurrency: 1 }, op(true), { clock, timeoutMs: 50 });
    expect(aborted).toEqual([2]);
    expect(signals).toEqual([true, true, true, true, true]);
    expect(r.counters).toMatchObject({ done: 5, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ timeout: 1 });
    signals.length = 0;
    await execute({ kind: 'iterations', iterations: 2, concurrency: 1 }, op(false), { clock });
    expect(signals).toEqual([false, false]);
  });

  it('stops offering load once stopped: what is in flight finishes, nothing new starts', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 2);
    const r = await execute({ kind: 'iterations', iterations: 100_000, concurrency: 4 }, op, { clock, stopAtMs: 50 });
    // Four workers of 2 ms operations: 25 rounds by 50 ms, the 25th ending as the stop comes.
    expect(r.counters.done).toBe(100);
    expect(Math.max(...state.starts)).toBe(48);
    expect(r.elapsedMs).toBe(50);
  });
});

describe('batch timing', () => {
  it('records every operation with its batch mean', async () => {
    const clock = createVirtualClock();
    // 500 ns an operation, in batches of 64 (1,000 = 15 batches of 64 and one of 40).
    let calls = 0;
    const op: PreparedOp = { fast: true, run: () => void (calls++, clock.advance(0.0005)) };
    const r = await execute({ kind: 'iterations', iterations: 1000, concurrency: 1 }, op, { clock, batchSize: 64 });
    expect(calls).toBe(1000);
    expect(r.counters).toMatchObject({ done: 1000, ok: 1000, errors: 0 });
    expect(r.latency.count).toBe(1000);
    near(r.latency.min, 500);
    near(r.latency.max, 500);
  });

  it('a failure inside a batch counts once, and the batch mean covers its successes only', async () => {
    const clock = createVirtualClock();
    const seen: unknown[] = [];
    const op: PreparedOp = {
      fast: true,
      run: (i) => {
        clock.advance(0.001);
        if (i === 5) throw new RangeError('one bad');
        return i;
      },
      settle: (v) => void seen.push(v),
    };
    const r = await execute({ kind: 'iterations', iterations: 40, concurrency: 1 }, op, { clock, batchSize: 16 });
    expect(r.counters).toMatchObject({ done: 40, ok: 39, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ RangeError: 1 });
    expect(r.latency.count).toBe(39);
    // The first batch took 16 us for 15 successes.
    near(r.latency.max, 16_000 / 15);
    near(r.latency.min, 1_000);
    // Every value reaches settle, in order, after its batch's clock stopped.
    expect(seen).toEqual(range(40).filter((i) => i !== 5));
  });

  it('a batch with an asynchronous operation waits for it, and times it', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = { fast: true, run: (i) => (i % 2 === 0 ? clock.sleep(1) : undefined) };
    const r = await execute({ kind: 'iterations', iterations: 8, concurrency: 1 }, op, { clock, batchSize: 4 });
    expect(r.counters).toMatchObject({ done: 8, ok: 8 });
    // Two 1 ms operations in every batch of four: 0.5 ms each.
    near(r.latency.p50, 0.5e6);
    expect(r.elapsedMs).toBe(4);
  });

  it('a batch that times out still counts the operations of it that finished, without a time', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = { fast: true, run: (i) => (i === 2 ? new Promise(() => undefined) : clock.advance(0.001)) };
    const r = await execute({ kind: 'iterations', iterations: 8, concurrency: 1 }, op, { clock, batchSize: 4, timeoutMs: 20 });
    // Batch one: 0 and 1 finished, 2 never did (given up; 3 never started). Its replacement runs 3..6, then 7.
    expect(r.counters).toMatchObject({ done: 8, ok: 7, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ timeout: 1 });
    expect(r.latency.count).toBe(5);
  });

  it('the batch path stops once stopped', async () => {
    const clock = createVirtualClock();
    // 1 ms operations in batches of 10; the first asks for a stop from the event loop, which the
    // workers see once they step out after the third batch (past 20 ms).
    let stop = (): void => undefined;
    const op: PreparedOp = { fast: true, run: (i) => void (clock.advance(1), i === 0 && setImmediate(() => stop())) };
    const r = await execute({ kind: 'iterations', iterations: 1000, concurrency: 1 }, op, { clock, batchSize: 10, onStart: (s) => (stop = s) });
    expect(r.counters.done).toBe(30);
    expect(r.latency.count).toBe(30);
  });
});

describe('the event loop gets its turn', () => {
  // Operations that resolve at once keep the workers in the microtask queue, where no timer,
  // signal or watchdog runs. A stop requested from a macrotask (setImmediate) is seen only
  // when the workers step out: every 20 ms of operations, often enough for Ctrl-C and the
  // watchdog, rarely enough to cost the hot path nothing.
  it.each([1, 64])('batch size %i: operations that resolve at once step out every 20 ms', async (batchSize) => {
    const clock = createVirtualClock();
    // 1 us an operation.
    const op: PreparedOp = { fast: true, run: () => (clock.advance(0.001), Promise.resolve()) };
    const r = await execute({ kind: 'iterations', iterations: 50_000_000, concurrency: 1 }, op, { clock, batchSize, onStart: (stop) => setImmediate(stop) });
    expect(r.counters.done).toBeGreaterThanOrEqual(20_000);
    expect(r.counters.done).toBeLessThanOrEqual(20_001 + batchSize);
  });

  it('virtual users stay concurrent across those turns: all resume together', async () => {
    // 50 users whose operations resolve at once. Pausing each worker on its own setImmediate
    // would resume them one at a time, each running alone for a slice (in flight: 1); the
    // shared pause resumes them together, so they keep interleaving after every pause.
    const clock = createVirtualClock();
    let inFlight = 0;
    let maxLate = 0;
    const op: PreparedOp = {
      fast: false,
      run: async () => {
        inFlight++;
        clock.advance(0.01);
        if (clock.now() > 60) maxLate = Math.max(maxLate, inFlight);
        await Promise.resolve();
        await Promise.resolve();
        inFlight--;
      },
    };
    const r = await execute({ kind: 'vus', vus: 50, durationMs: 200 }, op, { clock });
    expect(r.counters.done).toBeGreaterThan(10_000);
    expect(maxLate).toBe(50);
  });

  it('a stop seen after stepping out ends the phase: nothing new starts', async () => {
    const clock = createVirtualClock();
    const starts: number[] = [];
    const op: PreparedOp = { fast: false, run: () => (starts.push(clock.now()), clock.advance(1), Promise.resolve()) };
    const r = await execute({ kind: 'vus', vus: 2, durationMs: 1_000 }, op, { clock, onStart: (stop) => setImmediate(stop) });
    // 1 ms operations, two workers sharing the clock: they step out after 20 ms and stop there.
    expect(r.counters.done).toBeLessThanOrEqual(23);
    expect(Math.max(...starts)).toBeLessThanOrEqual(22);
  });
});

describe('prepare (think time of workloads)', () => {
  it('is awaited before each operation, outside its timing, and never batched', async () => {
    const clock = createVirtualClock();
    const prepared: number[] = [];
    const op: PreparedOp = {
      fast: true,
      prepare: (i) => {
        prepared.push(i);
        // Every other operation waits 30 ms first: a user thinking.
        return i % 2 === 0 ? clock.sleep(30) : undefined;
      },
      run: () => clock.sleep(1),
    };
    const r = await execute({ kind: 'iterations', iterations: 6, concurrency: 1 }, op, { clock, batchSize: 64, timeoutMs: 20 });
    expect(prepared).toEqual(range(6));
    // Three thinks of 30 ms and six operations of 1 ms, one after the other.
    expect(r.elapsedMs).toBe(96);
    // Timed one by one (not batched), the thinking outside every time, and a think longer than
    // the timeout is not an operation timing out.
    expect(r.counters).toMatchObject({ done: 6, ok: 6, errors: 0 });
    expect(r.latency.count).toBe(6);
    near(r.latency.max, 1e6);
  });

  it('a stop during the think time: the operation is not started', async () => {
    const clock = createVirtualClock();
    const run: number[] = [];
    const op: PreparedOp = { fast: false, prepare: () => clock.sleep(30), run: (i) => (run.push(i), clock.sleep(1)) };
    const r = await execute({ kind: 'iterations', iterations: 10, concurrency: 1 }, op, { clock, stopAtMs: 40 });
    // Operation 0 at 30-31 ms; operation 1 thinks until 61, past the stop at 40.
    expect(run).toEqual([0]);
    expect(r.counters.done).toBe(1);
  });
});

describe('vus executor', () => {
  it('gives each virtual user its own budget', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 0);
    const r = await execute({ kind: 'vus', vus: 25, iterationsPerVu: 8 }, op, { clock });
    expect(r.counters.done).toBe(200);
    expect(new Set(state.seen).size).toBe(200);
    expect(state.maxInFlight).toBe(25);
  });

  it('a user with a slow budget does not lend it to the others', async () => {
    const clock = createVirtualClock();
    const perUser = new Map<number, number>();
    let k = 0;
    // Users take turns; each operation records which user (worker) order it came in.
    const op: PreparedOp = { fast: false, run: (i) => (perUser.set(i, k++), clock.sleep(i < 3 ? 10 : 1)) };
    const r = await execute({ kind: 'vus', vus: 3, iterationsPerVu: 4 }, op, { clock });
    expect(r.counters.done).toBe(12);
    // Operations 0-2 (one per user) take 10 ms; each user then runs its 3 others of 1 ms: 13 ms.
    expect(r.elapsedMs).toBe(13);
  });

  it('runs for its duration: operations start until the deadline, none after', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 1);
    const r = await execute({ kind: 'vus', vus: 3, durationMs: 150 }, op, { clock });
    // Three users of 1 ms operations starting at 0, 1, ..., 149 ms.
    expect(r.counters.done).toBe(450);
    expect(Math.max(...state.starts)).toBe(149);
    expect(r.elapsedMs).toBe(150);
  });
});

describe('rate executor (open model)', () => {
  it('starts operations on schedule and measures from the scheduled start', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 3);
    const r = await execute({ kind: 'rate', rate: 200, durationMs: 250, maxInFlight: 100 }, op, { clock });
    expect(r.counters).toMatchObject({ done: 50, ok: 50, errors: 0 });
    expect(state.seen).toEqual(range(50));
    expect(state.starts).toEqual(range(50).map((k) => k * 5));
    expect(r.schedule).toEqual({ late: 0, dropped: 0, maxLateNs: 0, arrivals: { pattern: 'constant', scheduled: 50 } });
    near(r.latency.max, 3e6);
    near(r.serviceTime.max, 3e6);
    expect(r.serviceTime.count).toBe(50);
    // The last start at 245 ms, done 3 ms later.
    expect(r.elapsedMs).toBe(248);
  });

  it('a stall shows in latency from the scheduled start, not in service time', async () => {
    const clock = createVirtualClock();
    let n = 0;
    const op: PreparedOp = {
      fast: false,
      run: () => {
        // Operation 9 (due 45 ms) holds the thread for 200 ms, like a long GC pause.
        if (++n === 10) clock.advance(200);
        return clock.sleep(1);
      },
    };
    const r = await execute({ kind: 'rate', rate: 200, durationMs: 500, maxInFlight: 1000 }, op, { clock });
    expect(r.counters.done).toBe(100);
    // Operations 10..48 (due 50..240 ms) could start only at 245: measured from when each was
    // due, operation k took 246 - 5k ms; operation 9 itself 201 ms. So 11 operations (9..19)
    // took 151 ms or more and the p90 is at least 150 ms. Measured from the actual start
    // (coordinated omission), only operation 9 would show the stall: p90 1 ms.
    near(r.latency.max, 201e6);
    expect(r.latency.p90).toBeGreaterThanOrEqual(150e6);
    near(r.latency.min, 1e6);
    // Service time counts from the actual start: only operation 9's own stall shows.
    near(r.serviceTime.max, 201e6);
    near(r.serviceTime.p99, 1e6);
    // 39 starts late by more than 1 ms (10..48, by 195 ms at worst); operation 49 was due at 245, on time.
    expect(r.schedule).toMatchObject({ late: 39, dropped: 0, maxLateNs: 195e6 });
  });

  it('a start exactly 1 ms late is not counted late; later is', async () => {
    const clock = createVirtualClock();
    let n = 0;
    // Operations due every 10 ms; operation 0 holds the thread 11 ms, operation 2 holds it 12 ms.
    const op: PreparedOp = { fast: false, run: () => (clock.advance([11, 0, 12][n++] ?? 0), Promise.resolve()) };
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 40, maxInFlight: 10 }, op, { clock });
    // Operation 1 starts 1 ms late, operation 3 (due 30, the thread free at 32) 2 ms late.
    expect(r.schedule).toMatchObject({ late: 1, maxLateNs: 2e6 });
  });

  it('Poisson arrivals (seeded): each operation starts at its planned arrival', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 1);
    const planned = collectArrivals(poissonArrivals(300, 700, arrivalRandom(77)));
    const r = await execute({ kind: 'rate', rate: 300, durationMs: 700, maxInFlight: 1000, arrival: 'poisson' }, op, { clock, seed: 77 });
    expect(r.counters.done).toBe(planned.length);
    sameTimes(state.starts, planned);
    expect(r.schedule).toEqual({ late: 0, dropped: 0, maxLateNs: 0, arrivals: { pattern: 'poisson', scheduled: planned.length } });
    // Another seed, another schedule; a burst is recorded.
    const other = tracking(clock, 1);
    const burst = await execute({ kind: 'rate', rate: 300, durationMs: 700, maxInFlight: 1000, arrival: 'poisson', burst: 2 }, other.op, { clock, seed: 78 });
    expect(burst.schedule?.arrivals).toMatchObject({ pattern: 'poisson', burst: 2 });
    const t0 = other.state.starts[0] as number;
    const drawn = collectArrivals(poissonArrivals(300, 700, arrivalRandom(78), 2));
    sameTimes(other.state.starts.map((t) => t - t0), drawn.map((t) => t - (drawn[0] as number)));
  });

  it('without a seed, Poisson arrivals draw from seed 0', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 1);
    await execute({ kind: 'rate', rate: 300, durationMs: 100, maxInFlight: 1000, arrival: 'poisson' }, op, { clock });
    sameTimes(state.starts, collectArrivals(poissonArrivals(300, 100, arrivalRandom(0))));
  });

  it('replays a trace: each operation is due at its timestamp / speed', async () => {
    const file = path.join(tempDir(), 'arrivals.jsonl');
    // 40 arrivals 20 ms apart in the trace, then a pause of 1 s, then 10 more: replayed at 4x.
    const ts = [...range(40).map((k) => k * 20), ...range(10).map((k) => 1780 + k * 20)];
    writeFileSync(file, ts.map((t) => JSON.stringify({ timestamp: t })).join('\n'));
    await loadTrace(file);
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 1);
    const r = await execute({ kind: 'rate', rate: 0, durationMs: 0, maxInFlight: 100, arrival: 'trace', trace: file, speed: 4 }, op, { clock });
    expect(r.counters.done).toBe(50);
    sameTimes(state.starts, ts.map((t) => t / 4));
    expect(r.schedule?.arrivals).toEqual({ pattern: 'trace', scheduled: 50, trace: { path: file, lines: 50, arrivals: 50, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), speed: 4, spanMs: 1960 } });
    // Without a speed: as recorded.
    const again = tracking(clock, 1);
    await execute({ kind: 'rate', rate: 0, durationMs: 0, maxInFlight: 100, arrival: 'trace', trace: file }, again.op, { clock });
    const t0 = again.state.starts[0] as number;
    sameTimes(again.state.starts.map((t) => t - t0), ts);
  });

  it('a trace that can no longer be read: one error, and the phase ends', async () => {
    const { op, state } = tracking(createVirtualClock(), 1);
    const r = await execute({ kind: 'rate', rate: 0, durationMs: 0, maxInFlight: 100, arrival: 'trace', trace: path.join(tempDir(), 'gone.jsonl') }, op);
    expect(state.seen).toEqual([]);
    expect(r.counters).toMatchObject({ done: 1, ok: 0, errors: 1 });
  });

  it('drops starts beyond maxInFlight and counts them', async () => {
    const clock = createVirtualClock();
    const r = await execute({ kind: 'rate', rate: 500, durationMs: 100, maxInFlight: 5 }, { fast: false, run: () => clock.sleep(100) }, { clock });
    // Five in flight from 0-8 ms until 100-108 ms; the other 45 arrivals (10-98 ms) find no room.
    expect(r.counters.done).toBe(5);
    expect(r.schedule).toMatchObject({ dropped: 45, late: 0 });
  });

  it('at maxInFlight exactly, no start is dropped', async () => {
    const clock = createVirtualClock();
    // 10 arrivals 10 ms apart, each operation 50 ms: at most 5 in flight at once.
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 100, maxInFlight: 5 }, { fast: false, run: () => clock.sleep(49) }, { clock });
    expect(r.schedule).toMatchObject({ dropped: 0 });
    expect(r.counters.done).toBe(10);
  });

  it('synchronous operations and failures, thrown or rejected, count as they do in the closed model', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = {
      fast: false,
      run: (i) => {
        if (i === 1) throw new TypeError('at once');
        if (i === 2) return Promise.reject(Object.assign(new Error('later'), { code: 'E_LATE' }));
        return i;
      },
    };
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 50, maxInFlight: 10 }, op, { clock });
    expect(r.counters).toMatchObject({ done: 5, ok: 3, errors: 2 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ TypeError: 1, E_LATE: 1 });
    expect(r.latency.count).toBe(3);
    expect(r.serviceTime.count).toBe(3);
  });

  it('times out an operation in flight too long; its late result is ignored', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = { fast: false, run: (i) => clock.sleep(i === 0 ? 100 : 1) };
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 30, maxInFlight: 10 }, op, { clock, timeoutMs: 50 });
    expect(r.counters).toMatchObject({ done: 3, ok: 2, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ timeout: 1 });
    // Given up at the first tick past 50 ms; the phase does not wait for the operation.
    expect(r.elapsedMs).toBe(55);
    await clock.sleep(100);
    expect(r.counters.done).toBe(3);
  });

  it('stopped: stops scheduling; the schedule still counts every arrival it held', async () => {
    const clock = createVirtualClock();
    const { op } = tracking(clock, 1);
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 1_000, maxInFlight: 10 }, op, { clock, stopAtMs: 95 });
    // Due at 0, 10, ..., 90 ms: ten started before the stop.
    expect(r.counters.done).toBe(10);
    expect(r.schedule?.arrivals).toEqual({ pattern: 'constant', scheduled: 100 });
  });

  it('a part of a split phase starts from the common t0 and launches its stripe of the schedule', async () => {
    const clock = createVirtualClock(1_000);
    const { op, state } = tracking(clock, 1);
    const latency = new LatencyRecorder();
    const counters = newCounters();
    const ctx: ExecContext = { op, timeoutMs: 30_000, latency, counters, batchSize: 1, stopped: () => false, clock, startAt: 1_010, stripe: { rank: 1, of: 3 } };
    try {
      const schedule = await startExecutor({ kind: 'rate', rate: 100, durationMs: 100, maxInFlight: 10 }, ctx).done;
      // Arrivals 1, 4 and 7 of the ten (due 10, 40, 70 ms after the common start at 1,010).
      expect(state.starts).toEqual([1_020, 1_050, 1_080]);
      expect(state.seen).toEqual([0, 1, 2]);
      expect(schedule?.arrivals?.scheduled).toBe(3);
    } finally {
      latency.destroy();
    }
  });
});

describe('classifyError', () => {
  it.each<[unknown, string]>([
    [Object.assign(new Error('boom'), { code: 'LLM_SERVER_ERROR' }), 'LLM_SERVER_ERROR'],
    [new RangeError('r'), 'RangeError'],
    ['oops', 'thrown-string'],
    [undefined, 'thrown-undefined'],
    [{}, 'thrown-object'],
  ])('%s -> %s', (error, kind) => expect(classifyError(error)).toBe(kind));
});

describe('what the executors plan', () => {
  it.each<[ExecutorSpec, number | undefined, number | undefined, number]>([
    [{ kind: 'iterations', iterations: 50, concurrency: 4 }, 50, undefined, 4],
    [{ kind: 'vus', vus: 5, iterationsPerVu: 8 }, 40, undefined, 5],
    [{ kind: 'vus', vus: 5, durationMs: 2_000 }, undefined, 2_000, 5],
    [{ kind: 'rate', rate: 250, durationMs: 2_000, maxInFlight: 10 }, 500, 2_000, Number.POSITIVE_INFINITY],
    [{ kind: 'rate', rate: 3, durationMs: 1_500, maxInFlight: 10 }, 4, 1_500, Number.POSITIVE_INFINITY],
    // Poisson: the expected number, rounded.
    [{ kind: 'rate', rate: 3, durationMs: 1_500, maxInFlight: 10, arrival: 'poisson' }, 5, 1_500, Number.POSITIVE_INFINITY],
    // A trace not read yet: not known.
    [{ kind: 'rate', rate: 0, durationMs: 0, maxInFlight: 10, arrival: 'trace', trace: '/nowhere/never-read.jsonl' }, undefined, undefined, Number.POSITIVE_INFINITY],
  ])('%j: %s ops, %s ms, concurrency %s', (spec, ops, ms, concurrency) => {
    expect(plannedOps(spec)).toBe(ops);
    expect(plannedMs(spec)).toBe(ms);
    expect(concurrencyOf(spec)).toBe(concurrency);
  });

  it('a trace once read: its arrivals within the duration, at its speed', async () => {
    const file = path.join(tempDir(), 'plan.jsonl');
    // Timestamps 100, 150, 200, 300 ms: a span of 200 ms.
    writeFileSync(file, [100, 150, 200, 300].map((t) => JSON.stringify({ timestamp: t })).join('\n'));
    await loadTrace(file);
    const trace = (durationMs: number, speed?: number): ExecutorSpec => ({ kind: 'rate', rate: 0, durationMs, maxInFlight: 10, arrival: 'trace', trace: file, ...(speed !== undefined ? { speed } : {}) });
    expect([plannedOps(trace(0)), plannedMs(trace(0))]).toEqual([4, 200]);
    expect([plannedOps(trace(0, 2)), plannedMs(trace(0, 2))]).toEqual([4, 100]);
    // Cut at 100 ms: arrivals at 0 and 50 ms are in, the one at exactly 100 is not.
    expect([plannedOps(trace(100)), plannedMs(trace(100))]).toEqual([2, 100]);
    // At 2x the 200 ms span takes 100 ms: a longer duration does not stretch it.
    expect([plannedOps(trace(150, 2)), plannedMs(trace(150, 2))]).toEqual([4, 100]);
  });
});

describe('settle: figures after the timing, never at the cost of the operation', () => {
  const specs: ExecutorSpec[] = [
    { kind: 'iterations', iterations: 30, concurrency: 3 },
    { kind: 'rate', rate: 1000, durationMs: 30, maxInFlight: 100 },
  ];
  it.each(specs)('%j: a settle that throws or rejects neither loses nor double-counts', async (spec) => {
    const clock = createVirtualClock();
    const seen: number[] = [];
    const op: PreparedOp = {
      fast: false,
      run: async (i) => i,
      settle: (v) => {
        seen.push(v as number);
        if ((v as number) % 3 === 0) throw new Error('sync');
        if ((v as number) % 3 === 1) return Promise.reject(new Error('async'));
        return undefined;
      },
    };
    const r = await execute(spec, op, { clock });
    expect(r.counters).toMatchObject({ done: 30, ok: 30, errors: 0 });
    expect(r.latency.count).toBe(30);
    expect([...seen].sort((a, b) => a - b)).toEqual(range(30));
  });

  it('an asynchronous settle is awaited before the worker takes its next operation, outside the timing', async () => {
    const clock = createVirtualClock();
    const { op: inner, state } = tracking(clock, 1);
    const op: PreparedOp = { ...inner, settle: () => clock.sleep(4) };
    const r = await execute({ kind: 'iterations', iterations: 3, concurrency: 1 }, op, { clock });
    expect(state.starts).toEqual([0, 5, 10]);
    near(r.latency.max, 1e6);
    // And on the batch path.
    const batched = tracking(clock, 0);
    const t0 = clock.now();
    await execute({ kind: 'iterations', iterations: 4, concurrency: 1 }, { ...batched.op, fast: true, settle: () => clock.sleep(4) }, { clock, batchSize: 2 });
    expect(batched.state.starts.map((t) => t - t0)).toEqual([0, 0, 8, 8]);
  });
});

describe('operation indexes', () => {
  it.each<ExecutorSpec>([
    { kind: 'iterations', iterations: 20, concurrency: 3 },
    { kind: 'vus', vus: 4, iterationsPerVu: 5 },
    { kind: 'rate', rate: 1000, durationMs: 20, maxInFlight: 100 },
  ])('%j: firstIndex offsets every index, each used once', async (spec) => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 0);
    await execute(spec, op, { clock, firstIndex: 1_000 });
    expect([...state.seen].sort((a, b) => a - b)).toEqual(range(20, 1_000));
  });

  it('vus for a duration: indexes from firstIndex, each used once', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 1);
    await execute({ kind: 'vus', vus: 2, durationMs: 5 }, op, { clock, firstIndex: 500 });
    expect([...state.seen].sort((a, b) => a - b)).toEqual(range(10, 500));
  });

  it('no operations at all: done at once', async () => {
    const clock = createVirtualClock();
    const { op, state } = tracking(clock, 0);
    const r = await execute({ kind: 'iterations', iterations: 0, concurrency: 4 }, op, { clock });
    expect(r.counters.done).toBe(0);
    expect(state.seen).toEqual([]);
    expect(r.elapsedMs).toBe(0);
  });
});

describe('abandon', () => {
  it.each<ExecutorSpec>([
    { kind: 'iterations', iterations: 10, concurrency: 2 },
    { kind: 'rate', rate: 1000, durationMs: 10_000, maxInFlight: 2 },
  ])('%j: gives up what is in flight at once; late results are ignored', async (spec) => {
    const clock = createVirtualClock();
    const release: Array<() => void> = [];
    const op: PreparedOp = { fast: false, abortable: true, run: (_i, signal) => new Promise<void>((r) => (release.push(r), signal?.addEventListener('abort', () => release.push(() => undefined)))) };
    const latency = new LatencyRecorder();
    const counters = newCounters();
    const handle = startExecutor(spec, { op, timeoutMs: 30_000, latency, counters, batchSize: 1, stopped: () => false, clock });
    try {
      await clock.sleep(20);
      expect(release.length).toBe(2);
      handle.abandon();
      // Abortable operations are cancelled as they are given up.
      expect(release.length).toBe(4);
      await handle.done;
      for (const r of release) r();
      await clock.sleep(5);
      expect(counters.done).toBe(0);
      expect(latency.count).toBe(0);
    } finally {
      latency.destroy();
    }
  });
});

describe('what an operation returns', () => {
  it('a value, null, an object without then: done at once; any thenable, even a callable one, is awaited', async () => {
    const clock = createVirtualClock();
    const settled: unknown[] = [];
    const callable = Object.assign(() => undefined, { then: (resolve: (v: unknown) => void) => void clock.sleep(2).then(() => resolve('later')) });
    const values: unknown[] = [7, null, { then: 42 }, callable];
    const op: PreparedOp = { fast: false, run: (i) => values[i], settle: (v) => void settled.push(v) };
    const r = await execute({ kind: 'iterations', iterations: 4, concurrency: 1 }, op, { clock });
    expect(r.counters).toMatchObject({ done: 4, ok: 4, errors: 0 });
    expect(settled).toEqual([7, null, { then: 42 }, 'later']);
    near(r.latency.max, 2e6);
  });
});

describe('stopping and stepping out, exactly', () => {
  it('a stop from the event loop is seen at the next step out: after 21 operations of 1 ms', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = { fast: false, run: () => (clock.advance(1), Promise.resolve()) };
    // Operation k starts at k ms; before starting the 22nd (at 21 ms, past 20) the worker steps out and sees the stop.
    const r = await execute({ kind: 'iterations', iterations: 1_000, concurrency: 1 }, op, { clock, onStart: (stop) => setImmediate(stop) });
    expect(r.counters.done).toBe(21);
  });

  it('the workers step out about every 20 ms of operations, not after every one', async () => {
    const clock = createVirtualClock();
    let turns = 0;
    let running = true;
    const count = (): void => {
      turns++;
      if (running) setImmediate(count);
    };
    setImmediate(count);
    // 200 ms of 10 us operations: 20,000 of them, and about ten turns of the event loop.
    const op: PreparedOp = { fast: false, run: () => (clock.advance(0.01), Promise.resolve()) };
    const r = await execute({ kind: 'iterations', iterations: 20_000, concurrency: 2 }, op, { clock });
    running = false;
    expect(r.counters.done).toBe(20_000);
    expect(turns).toBeGreaterThanOrEqual(9);
    expect(turns).toBeLessThanOrEqual(40);
  });

  it('a stop during a short think time: the operation after it is not started', async () => {
    const clock = createVirtualClock();
    const run: number[] = [];
    // Think 5 ms, call 1 ms: operation 0 at 5-6 ms, operation 1 thinks 6-11 ms, past the stop at 8.
    const op: PreparedOp = { fast: false, prepare: () => clock.sleep(5), run: (i) => (run.push(i), clock.sleep(1)) };
    const r = await execute({ kind: 'iterations', iterations: 10, concurrency: 1 }, op, { clock, stopAtMs: 8 });
    expect(run).toEqual([0]);
    expect(r.counters.done).toBe(1);
  });

  it('a worker thinking after a failed operation is not timed out', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = {
      fast: false,
      prepare: () => clock.sleep(30),
      run: async (i) => {
        await clock.sleep(1);
        if (i === 0) throw new Error('failed');
      },
    };
    const r = await execute({ kind: 'iterations', iterations: 3, concurrency: 1 }, op, { clock, timeoutMs: 20 });
    expect(r.counters).toMatchObject({ done: 3, ok: 2, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ Error: 1 });
  });
});

describe('batch timing at its edges', () => {
  it('a slow settle after a batch is not a timed-out batch', async () => {
    const clock = createVirtualClock();
    const op: PreparedOp = { fast: true, run: () => void clock.advance(0.001), settle: () => clock.sleep(30) };
    const r = await execute({ kind: 'iterations', iterations: 8, concurrency: 1 }, op, { clock, batchSize: 4, timeoutMs: 20 });
    expect(r.counters).toMatchObject({ done: 8, ok: 8, errors: 0 });
  });

  it('an operation of a batch given up that answers late, or fails late, changes nothing', async () => {
    const clock = createVirtualClock();
    for (const late of [() => clock.sleep(80), () => clock.sleep(80).then(() => Promise.reject(new Error('late')))]) {
      // 1 ms operations; operation 2 answers 80 ms after it started, long after its batch was
      // given up (past 20 ms), while the worker that replaced it is busy with the rest.
      const op: PreparedOp = { fast: true, run: (i) => (i === 2 ? late() : clock.sleep(1)) };
      const r = await execute({ kind: 'iterations', iterations: 200, concurrency: 1 }, op, { clock, batchSize: 4, timeoutMs: 20 });
      await clock.sleep(100);
      expect(r.counters).toMatchObject({ done: 200, ok: 199, errors: 1 });
      expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ timeout: 1 });
      // Operations 0 and 1 count without a time (their batch's clock never stopped).
      expect(r.latency.count).toBe(197);
    }
  });

  it('abandoned while the batch worker steps out: that batch is not counted afterwards', async () => {
    const clock = createVirtualClock();
    const latency = new LatencyRecorder();
    const counters = newCounters();
    let handle: ExecutionHandle | undefined;
    // 1 ms operations in batches of 30: the worker steps out after the first batch; the phase is
    // abandoned (the run's grace period ran out) from the event loop meanwhile.
    const op: PreparedOp = { fast: true, run: (i) => void (clock.advance(1), i === 0 && setImmediate(() => handle?.abandon())) };
    try {
      handle = startExecutor({ kind: 'iterations', iterations: 100, concurrency: 1 }, { op, timeoutMs: 30_000, latency, counters, batchSize: 30, stopped: () => false, clock });
      await handle.done;
      await clock.sleep(1);
      expect(counters.done).toBe(0);
      expect(latency.count).toBe(0);
    } finally {
      latency.destroy();
    }
  });
});

describe('the open model at its edges', () => {
  it('a plain operation gets no abort signal, an abortable one does', async () => {
    const clock = createVirtualClock();
    const signals: boolean[] = [];
    for (const abortable of [false, true]) {
      const op: PreparedOp = { fast: false, abortable, run: (_i, signal) => (signals.push(signal !== undefined), clock.sleep(1)) };
      await execute({ kind: 'rate', rate: 100, durationMs: 20, maxInFlight: 10 }, op, { clock });
    }
    expect(signals).toEqual([false, false, true, true]);
  });

  it('far behind its schedule, it lets completions in every 64 starts: none dropped for want of room', async () => {
    const clock = createVirtualClock();
    let n = 0;
    // The first operation holds the thread 300 ms: 300 arrivals (1 ms apart) are overdue at once.
    // Each finishes as soon as the loop lets it; at most 64 are launched between two turns.
    const op: PreparedOp = { fast: false, run: () => (n++ === 0 && clock.advance(300), Promise.resolve()) };
    let turns = 0;
    let running = true;
    const count = (): void => {
      turns++;
      if (running) setImmediate(count);
    };
    setImmediate(count);
    const r = await execute({ kind: 'rate', rate: 1000, durationMs: 400, maxInFlight: 100 }, op, { clock });
    running = false;
    expect(r.schedule).toMatchObject({ dropped: 0 });
    expect(r.counters.done).toBe(400);
    // And only every 64: the 300 overdue starts take a handful of turns, not one each.
    expect(turns).toBeLessThan(150);
  });

  it('an operation is timed out by how long it ran, whatever the clock read when the phase began', async () => {
    const clock = createVirtualClock(1_000);
    const op: PreparedOp = { fast: false, run: (i) => clock.sleep(i === 0 ? 100 : 1) };
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 30, maxInFlight: 10 }, op, { clock, timeoutMs: 50 });
    expect(r.counters).toMatchObject({ done: 3, ok: 2, errors: 1 });
    expect(r.elapsedMs).toBe(55);
  });
});

describe('without a virtual clock', () => {
  it('times with performance.now() and steps out to the event loop: a stop from it is seen', async () => {
    const latency = new LatencyRecorder();
    const counters = newCounters();
    let stopped = false;
    const op: PreparedOp = { fast: false, run: () => Promise.resolve() };
    try {
      const handle = startExecutor({ kind: 'iterations', iterations: 50_000_000, concurrency: 2 }, { op, timeoutMs: 30_000, latency, counters, batchSize: 1, stopped: () => stopped });
      setImmediate(() => (stopped = true));
      await handle.done;
      expect(counters.done).toBeGreaterThan(0);
      expect(counters.done).toBeLessThan(50_000_000);
      expect(latency.count).toBe(counters.done);
      // Real durations (not NaN, which the histogram would clamp): at most a few too short to see.
      expect(latency.clamped).toBeLessThan(counters.done / 2);
    } finally {
      latency.destroy();
    }
  });

  it('a clock that only reads: the closed model steps out with setImmediate, the open model waits turn by turn for each start', async () => {
    // Each reading is 0.25 ms after the last: time passes only as the executor looks.
    let t = 0;
    const reading = { now: () => (t += 0.25) };
    const latency = new LatencyRecorder();
    try {
      const counters = newCounters();
      let stopped = false;
      const closed = startExecutor({ kind: 'iterations', iterations: 1_000_000, concurrency: 1 }, { op: { fast: false, run: () => Promise.resolve() }, timeoutMs: 30_000, latency, counters, batchSize: 1, stopped: () => stopped, clock: reading });
      setImmediate(() => (stopped = true));
      await closed.done;
      // Two readings an operation, 0.5 ms: it steps out after 20 ms, some 40 operations.
      expect(counters.done).toBeGreaterThan(30);
      expect(counters.done).toBeLessThan(50);
      const starts: number[] = [];
      const open = startExecutor(
        { kind: 'rate', rate: 1000, durationMs: 5, maxInFlight: 10 },
        { op: { fast: false, run: () => (starts.push(t), Promise.resolve()) }, timeoutMs: 30_000, latency, counters: newCounters(), batchSize: 1, stopped: () => false, clock: reading },
      );
      const schedule = await open.done;
      expect(starts).toHaveLength(5);
      // Every start within a reading or two of when it was due (1 ms apart): none late, none dropped.
      expect(schedule).toMatchObject({ late: 0, dropped: 0 });
      const t0 = starts[0] as number;
      starts.forEach((s, k) => expect(s - t0 - k).toBeLessThanOrEqual(0.75));
    } finally {
      latency.destroy();
    }
  });
});

/**
 * The open model on the machine's timers (no virtual clock), with time under the test's hand:
 * the executor reads `now` from a clock that only reads, and setTimeout/setImmediate are
 * Node's as documented (a timer fires no earlier than its delay, and a delay under 1 ms or
 * over 2^31-1 ms is 1 ms), on a model machine where each turn of the event loop takes
 * TURN_MS (setImmediate is the machine's own). Starts, lateness and how the wait was spent are then exact, whatever the load.
 */
describe('the open model on real timers', () => {
  const TURN_MS = 0.05;

  async function onModelMachine(spec: Extract<ExecutorSpec, { kind: 'rate' }>): Promise<{ starts: number[]; schedule: ScheduleStats | undefined; readings: number }> {
    const realSetTimeout = globalThis.setTimeout;
    const realSetImmediate = globalThis.setImmediate;
    let vt = 0;
    let readings = 0;
    const timers: Array<{ at: number; fn: () => void }> = [];
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const delay = ms !== undefined && ms >= 1 && ms <= 2_147_483_647 ? ms : 1;
      timers.push({ at: vt + delay, fn });
      return { unref: () => undefined, ref: () => undefined } as unknown as NodeJS.Timeout;
    }) as typeof setTimeout;
    const latency = new LatencyRecorder();
    const starts: number[] = [];
    try {
      const handle = startExecutor(spec, {
        op: { fast: false, run: () => (starts.push(vt), Promise.resolve()) },
        timeoutMs: 30_000,
        latency,
        counters: newCounters(),
        batchSize: 1,
        stopped: () => false,
        clock: { now: () => (readings++, vt) },
      });
      let finished = false;
      let schedule: ScheduleStats | undefined;
      void handle.done.then((s) => ((schedule = s), (finished = true)));
      // The phase's length in turns, twice over: a wait that never ends fails here, not by hanging.
      for (let turn = 0; !finished; turn++) {
        if (turn > (2 * spec.durationMs) / TURN_MS) throw new Error(`not done at ${vt} ms: starts at ${starts.join(', ')}`);
        await new Promise<void>((r) => realSetImmediate(r));
        vt += TURN_MS;
        timers.sort((a, b) => a.at - b.at);
        while (timers.length > 0 && (timers[0] as { at: number }).at <= vt) (timers.shift() as { fn: () => void }).fn();
      }
      return { starts, schedule, readings };
    } finally {
      globalThis.setTimeout = realSetTimeout;
      latency.destroy();
    }
  }

  it('sleeps on a timer until just before each start, then yields turn by turn: every start within a turn of its time', async () => {
    // Starts 100 ms apart: at 0, 100 and 200 ms.
    const { starts, schedule, readings } = await onModelMachine({ kind: 'rate', rate: 10, durationMs: 300, maxInFlight: 10 });
    expect(starts).toHaveLength(3);
    starts.forEach((s, k) => {
      // Never early; late by a turn at most (a timer alone would land up to 1 ms late, or sleep past it).
      expect(s - 100 * k, `start ${k}`).toBeGreaterThanOrEqual(0);
      expect(s - 100 * k, `start ${k}`).toBeLessThanOrEqual(2 * TURN_MS);
    });
    expect(schedule).toMatchObject({ late: 0, dropped: 0 });
    expect(schedule?.maxLateNs).toBeLessThanOrEqual(2 * TURN_MS * 1e6);
    // It does not spin through the 98.5 ms before each start (~2,000 turns, a look at the clock
    // each): it yields only in the last 1.5 ms, about 30 turns a start. A spin would hold a
    // core the system under test may need.
    expect(readings).toBeLessThan(100);
  });

  it('without any clock, it times with performance.now() and waits on the machine\'s own timers', async () => {
    const latency = new LatencyRecorder();
    try {
      const counters = newCounters();
      const handle = startExecutor({ kind: 'rate', rate: 1000, durationMs: 5, maxInFlight: 10 }, { op: { fast: false, run: () => Promise.resolve() }, timeoutMs: 30_000, latency, counters, batchSize: 1, stopped: () => false });
      const schedule = await handle.done;
      expect(counters).toMatchObject({ done: 5, ok: 5, errors: 0 });
      expect(schedule).toMatchObject({ dropped: 0, arrivals: { pattern: 'constant', scheduled: 5 } });
      expect(latency.count).toBe(5);
      expect(latency.clamped).toBeLessThan(5);
    } finally {
      latency.destroy();
    }
  });
});
