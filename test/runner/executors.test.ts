import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import type { ExecutorSpec } from '../../src/results/types.js';
import { classifyError } from '../../src/runner/errors.js';
import { concurrencyOf, newCounters, plannedMs, plannedOps, startExecutor, type ExecContext } from '../../src/runner/executors.js';
import type { PreparedOp } from '../../src/runner/operations.js';
import { arrivalRandom, collectArrivals, poissonArrivals } from '../../src/runner/arrivals.js';
import { loadTrace } from '../../src/workload/trace.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../e2e/helpers.js';

async function execute(spec: ExecutorSpec, op: PreparedOp, opts: { timeoutMs?: number; batchSize?: number; stopAfterMs?: number; seed?: number } = {}) {
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
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
  const handle = startExecutor(spec, ctx);
  const tick = setInterval(() => handle.watchdog(performance.now()), 5);
  const stopTimer = opts.stopAfterMs !== undefined ? setTimeout(() => (stopped = true), opts.stopAfterMs) : undefined;
  try {
    const schedule = await handle.done;
    return { counters, latency: latency.summarize(), serviceTime: serviceTime.summarize(), schedule };
  } finally {
    clearInterval(tick);
    if (stopTimer) clearTimeout(stopTimer);
    latency.destroy();
    serviceTime.destroy();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An operation that tracks how many run at once and which indexes it saw. */
function tracking(delayMs = 0) {
  let inFlight = 0;
  const state = { maxInFlight: 0, seen: [] as number[] };
  const op: PreparedOp = {
    fast: false,
    run: async (i) => {
      state.seen.push(i);
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      if (delayMs > 0) await sleep(delayMs);
      else await Promise.resolve();
      inFlight--;
    },
  };
  return { op, state };
}

describe('iterations executor', () => {
  it.each([
    [1, 50],
    [7, 50],
    [100, 30],
  ])('concurrency %i runs exactly %i operations, each index once, never more at once', async (concurrency, n) => {
    const { op, state } = tracking(2);
    const r = await execute({ kind: 'iterations', iterations: n, concurrency }, op);
    expect(r.counters).toMatchObject({ done: n, ok: n, errors: 0 });
    expect([...state.seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(state.maxInFlight).toBe(Math.min(concurrency, n));
    expect(r.latency.count).toBe(n);
    // setTimeout(2) may fire up to ~1 ms early against a fresh clock read (libuv's cached loop time).
    expect(r.latency.p50).toBeGreaterThanOrEqual(900_000);
  });

  it('counts errors by kind, whatever is thrown, and keeps going', async () => {
    const throwers: unknown[] = [Object.assign(new Error('x'), { code: 'E_ONE' }), new TypeError('t'), 'a string', undefined, null, 42, { code: 7 }];
    const op: PreparedOp = {
      fast: false,
      run: async (i) => {
        if (i < throwers.length) throw throwers[i];
      },
    };
    const r = await execute({ kind: 'iterations', iterations: 20, concurrency: 3 }, op);
    expect(r.counters.done).toBe(20);
    expect(r.counters.errors).toBe(throwers.length);
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

  it('times out an operation that never finishes, replaces its worker and finishes the phase', async () => {
    const op: PreparedOp = { fast: false, run: (i) => (i === 3 ? new Promise(() => undefined) : Promise.resolve()) };
    const t0 = performance.now();
    const r = await execute({ kind: 'iterations', iterations: 10, concurrency: 2 }, op, { timeoutMs: 50 });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(r.counters).toMatchObject({ done: 10, ok: 9, errors: 1 });
    expect(r.counters.errorsByKind.get('timeout')).toBe(1);
  });

  it('cancels an abortable operation it gives up on', async () => {
    const aborted: number[] = [];
    const op: PreparedOp = {
      fast: false,
      abortable: true,
      run: (i, signal) =>
        i === 2
          ? new Promise((_resolve, reject) =>
              signal?.addEventListener('abort', () => {
                aborted.push(i);
                reject(new Error('aborted'));
              }),
            )
          : Promise.resolve(),
    };
    const r = await execute({ kind: 'iterations', iterations: 5, concurrency: 1 }, op, { timeoutMs: 50 });
    expect(aborted).toEqual([2]);
    expect(r.counters).toMatchObject({ done: 5, errors: 1 });
    expect(r.counters.errorsByKind.get('timeout')).toBe(1);
  });

  it('batch timing records every operation with the batch mean', async () => {
    let calls = 0;
    const op: PreparedOp = { fast: true, run: () => void calls++ };
    const r = await execute({ kind: 'iterations', iterations: 1000, concurrency: 1 }, op, { batchSize: 64 });
    expect(calls).toBe(1000);
    expect(r.counters.ok).toBe(1000);
    expect(r.latency.count).toBe(1000);
  });

  it('operations that resolve at once still let timers and signals run', async () => {
    // Without stepping out to the event loop, this loop would never see the stop timer fire.
    const op: PreparedOp = { fast: true, run: () => Promise.resolve() };
    const t0 = performance.now();
    const r = await execute({ kind: 'iterations', iterations: 50_000_000, concurrency: 2 }, op, { stopAfterMs: 50 });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(r.counters.done).toBeLessThan(50_000_000);
    const b = await execute({ kind: 'iterations', iterations: 50_000_000, concurrency: 1 }, op, { stopAfterMs: 50, batchSize: 64 });
    expect(b.counters.done).toBeLessThan(50_000_000);
  });

  it('virtual users stay concurrent across the pauses that let the event loop run', async () => {
    // 50 users whose operations resolve at once. Pausing each worker on its own setImmediate
    // would resume them one at a time, each running alone for a slice (in flight: 1); the
    // shared pause resumes them together, so they keep interleaving after every pause.
    let inFlight = 0;
    let maxLate = 0;
    const t0 = performance.now();
    const op: PreparedOp = {
      fast: false,
      run: async () => {
        inFlight++;
        if (performance.now() - t0 > 60) maxLate = Math.max(maxLate, inFlight);
        await Promise.resolve();
        await Promise.resolve();
        inFlight--;
      },
    };
    const r = await execute({ kind: 'vus', vus: 50, durationMs: 200 }, op);
    expect(r.counters.done).toBeGreaterThan(1000);
    expect(maxLate).toBe(50);
  });

  it('stops offering load once stopped', async () => {
    const { op } = tracking(2);
    const r = await execute({ kind: 'iterations', iterations: 100_000, concurrency: 4 }, op, { stopAfterMs: 50 });
    expect(r.counters.done).toBeGreaterThan(0);
    expect(r.counters.done).toBeLessThan(1000);
  });
});

describe('prepare (think time of workloads)', () => {
  it('is awaited before each operation, outside its timing, and never batched', async () => {
    const prepared: number[] = [];
    const op: PreparedOp = {
      fast: true,
      prepare: (i) => {
        prepared.push(i);
        // Every other operation waits 30 ms first: a user thinking.
        return i % 2 === 0 ? sleep(30) : undefined;
      },
      run: () => Promise.resolve(),
    };
    const t0 = performance.now();
    const r = await execute({ kind: 'iterations', iterations: 6, concurrency: 1 }, op, { batchSize: 64 });
    expect(prepared).toEqual([0, 1, 2, 3, 4, 5]);
    expect(performance.now() - t0).toBeGreaterThan(85);
    expect(r.counters.done).toBe(6);
    // Timed one by one (not batched), and the waits are not in the operations' times.
    expect(r.latency.count).toBe(6);
    expect(r.latency.max).toBeLessThan(20e6);
  });
});

describe('vus executor', () => {
  it('gives each virtual user its own budget', async () => {
    const { op, state } = tracking(0);
    const r = await execute({ kind: 'vus', vus: 25, iterationsPerVu: 8 }, op);
    expect(r.counters.done).toBe(200);
    expect(new Set(state.seen).size).toBe(200);
    expect(state.maxInFlight).toBe(25);
  });

  it('runs for a duration', async () => {
    const { op } = tracking(1);
    const t0 = performance.now();
    const r = await execute({ kind: 'vus', vus: 3, durationMs: 150 }, op);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1_000);
    expect(r.counters.done).toBeGreaterThan(3);
  });
});

describe('rate executor (open model)', () => {
  it('starts operations on schedule and measures from the scheduled start', async () => {
    const { op, state } = tracking(0);
    const r = await execute({ kind: 'rate', rate: 200, durationMs: 250, maxInFlight: 100 }, op);
    expect(r.counters.done).toBe(50);
    expect(state.seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(r.schedule).toMatchObject({ dropped: 0 });
    expect(r.serviceTime.count).toBe(50);
  });

  it('shows a stall in scheduled-start latency but not in service time', async () => {
    let n = 0;
    let frozenMs = 0;
    const op: PreparedOp = {
      fast: false,
      run: () => {
        if (++n === 10) {
          // Freeze the event loop for 200 ms, like a long GC pause.
          const from = performance.now();
          while (performance.now() < from + 200);
          frozenMs = performance.now() - from;
        }
        return Promise.resolve();
      },
    };
    const r = await execute({ kind: 'rate', rate: 200, durationMs: 500, maxInFlight: 1000 }, op);
    expect(r.counters.done).toBe(100);
    // Operation 9 (the 10th) froze the loop for >= 200 ms from its due time, 45 ms in, so
    // operations 10..49 (due every 5 ms until 245 ms) could start only after it: measured
    // from its scheduled start, operation k waited >= 245 - 5k ms. So 11 of the 100 (9..19)
    // waited >= 150 ms and 21 (9..29) >= 100 ms: the p90 is at least 150 ms, whatever the
    // machine's load (a busy machine only makes starts later). Measured from the actual
    // start (coordinated omission), only operation 9 would show the stall: p90 ~0.
    expect(frozenMs).toBeGreaterThanOrEqual(200);
    expect(r.latency.p90).toBeGreaterThanOrEqual(150e6);
    expect(r.latency.max).toBeGreaterThanOrEqual(frozenMs * 1e6 * 0.999);
    // Service time counts from the actual start: only operation 9's own freeze shows.
    expect(r.serviceTime.max).toBeGreaterThanOrEqual(frozenMs * 1e6 * 0.999);
    expect(r.serviceTime.p90).toBeLessThan((frozenMs * 1e6) / 10);
    // 40 starts at least 1 ms late (operations 10..49), whatever else the machine did.
    expect(r.schedule?.late).toBeGreaterThanOrEqual(39);
  });

  it('Poisson arrivals (seeded): the planned schedule is offered, a stall shows in latency from the scheduled arrival, not in service time', async () => {
    let n = 0;
    const op: PreparedOp = {
      fast: false,
      run: () => {
        if (++n === 20) {
          const end = performance.now() + 150;
          while (performance.now() < end);
        }
        return Promise.resolve();
      },
    };
    const spec = { kind: 'rate', rate: 300, durationMs: 700, maxInFlight: 1000, arrival: 'poisson' } as const;
    const expected = collectArrivals(poissonArrivals(300, 700, arrivalRandom(77))).length;
    const r = await execute(spec, op, { seed: 77 });
    expect(r.counters.done).toBe(expected);
    expect(r.schedule?.arrivals).toEqual({ pattern: 'poisson', scheduled: expected });
    // Arrivals due during the 150 ms freeze started late; their latency counts from when they were due.
    expect(r.latency.max).toBeGreaterThan(100e6);
    expect(r.serviceTime.p90).toBeLessThan(20e6);
    expect(r.schedule?.late).toBeGreaterThan(10);
  });

  it('replays a trace: each operation is due at its timestamp / speed, and latency counts from there', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'arrivals.jsonl');
    // 40 arrivals 20 ms apart in the trace, then a pause of 1 s, then 10 more: replayed at 4x.
    const ts = [...Array.from({ length: 40 }, (_, k) => k * 20), ...Array.from({ length: 10 }, (_, k) => 1780 + k * 20)];
    writeFileSync(file, ts.map((t) => JSON.stringify({ timestamp: t })).join('\n'));
    await loadTrace(file);
    const starts: number[] = [];
    const op: PreparedOp = { fast: false, run: () => ((starts.push(performance.now()), Promise.resolve())) };
    const r = await execute({ kind: 'rate', rate: 0, durationMs: 0, maxInFlight: 100, arrival: 'trace', trace: file, speed: 4 }, op);
    expect(r.counters.done).toBe(50);
    expect(r.schedule?.arrivals).toMatchObject({ pattern: 'trace', scheduled: 50, trace: { arrivals: 50, speed: 4, spanMs: 1960 } });
    // Arrival 40 is due 1780 / 4 = 445 ms after the first (the 1 s pause replayed in 250 ms);
    // margins for a loaded machine, far from 195 ms (no pause) or 1780 ms (speed ignored).
    const at40 = (starts[40] as number) - (starts[0] as number);
    expect(at40).toBeGreaterThan(415);
    expect(at40).toBeLessThan(600);
    expect((starts[39] as number) - (starts[0] as number)).toBeLessThan(at40 - 150);
  });

  it('drops starts beyond maxInFlight and counts them', async () => {
    const op: PreparedOp = { fast: false, run: () => sleep(100) };
    const r = await execute({ kind: 'rate', rate: 500, durationMs: 100, maxInFlight: 5 }, op);
    expect(r.counters.done).toBe(5);
    expect(r.schedule?.dropped).toBe(45);
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
  ])('%j: %s ops, %s ms, concurrency %s', (spec, ops, ms, concurrency) => {
    expect(plannedOps(spec)).toBe(ops);
    expect(plannedMs(spec)).toBe(ms);
    expect(concurrencyOf(spec)).toBe(concurrency);
  });
});

describe('settle: figures after the timing, never at the cost of the operation', () => {
  const specs: ExecutorSpec[] = [
    { kind: 'iterations', iterations: 30, concurrency: 3 },
    { kind: 'rate', rate: 1000, durationMs: 30, maxInFlight: 100 },
  ];
  it.each(specs)('%j: a settle that throws or rejects neither loses nor double-counts', async (spec) => {
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
    const r = await execute(spec, op);
    expect(r.counters).toMatchObject({ done: 30, ok: 30, errors: 0 });
    expect(r.latency.count).toBe(30);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('the batch path hands every value to settle, in order, and counts a failure inside a batch once', async () => {
    const seen: unknown[] = [];
    const op: PreparedOp = {
      fast: true,
      run: (i) => {
        if (i === 5) throw new RangeError('one bad');
        return i;
      },
      settle: (v) => void seen.push(v),
    };
    const r = await execute({ kind: 'iterations', iterations: 40, concurrency: 1 }, op, { batchSize: 16 });
    expect(r.counters).toMatchObject({ done: 40, ok: 39, errors: 1 });
    expect(Object.fromEntries(r.counters.errorsByKind)).toEqual({ RangeError: 1 });
    expect(r.latency.count).toBe(39);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 5));
  });
});

describe('operation indexes', () => {
  it.each<ExecutorSpec>([
    { kind: 'iterations', iterations: 20, concurrency: 3 },
    { kind: 'vus', vus: 4, iterationsPerVu: 5 },
    { kind: 'rate', rate: 1000, durationMs: 20, maxInFlight: 100 },
  ])('%j: firstIndex offsets every index, each used once', async (spec) => {
    const { op, state } = tracking(0);
    const latency = new LatencyRecorder();
    const ctx: ExecContext = { op, timeoutMs: 30_000, latency, counters: newCounters(), batchSize: 1, stopped: () => false };
    try {
      await startExecutor(spec, ctx, 1_000).done;
    } finally {
      latency.destroy();
    }
    expect([...state.seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 1_000 + i));
  });

  it('no operations at all: done at once', async () => {
    const { op, state } = tracking(0);
    const r = await execute({ kind: 'iterations', iterations: 0, concurrency: 4 }, op);
    expect(r.counters.done).toBe(0);
    expect(state.seen).toEqual([]);
  });
});

describe('abandon', () => {
  it.each<ExecutorSpec>([
    { kind: 'iterations', iterations: 10, concurrency: 2 },
    { kind: 'rate', rate: 1000, durationMs: 10_000, maxInFlight: 2 },
  ])('%j: gives up what is in flight at once; late results are ignored', async (spec) => {
    const release: Array<() => void> = [];
    const op: PreparedOp = { fast: false, run: () => new Promise<void>((r) => release.push(r)) };
    const latency = new LatencyRecorder();
    const counters = newCounters();
    const handle = startExecutor(spec, { op, timeoutMs: 30_000, latency, counters, batchSize: 1, stopped: () => false });
    try {
      await sleep(20);
      expect(release.length).toBe(2);
      handle.abandon();
      await handle.done;
      for (const r of release) r();
      await sleep(5);
      expect(counters.done).toBe(0);
      expect(latency.count).toBe(0);
    } finally {
      latency.destroy();
    }
  });
});

describe('rate executor schedule figures', () => {
  it('counts starts more than 1 ms late and the worst lateness; on time is not late', async () => {
    let n = 0;
    let frozenMs = 0;
    const op: PreparedOp = {
      fast: false,
      run: () => {
        if (++n === 3) {
          const from = performance.now();
          while (performance.now() < from + 30);
          frozenMs = performance.now() - from;
        }
        return Promise.resolve();
      },
    };
    const r = await execute({ kind: 'rate', rate: 100, durationMs: 200, maxInFlight: 100 }, op);
    // Operation 3 (due at 20 ms) froze the loop 30 ms: operation 3 (due 30 ms) started at
    // least 20 ms late, so the worst lateness is at least that, and at most the whole run.
    expect(r.counters.done).toBe(20);
    expect(r.schedule!.late).toBeGreaterThanOrEqual(2);
    expect(r.schedule!.late).toBeLessThanOrEqual(20);
    expect(r.schedule!.maxLateNs).toBeGreaterThanOrEqual((frozenMs - 10) * 1e6);
    expect(Number.isInteger(r.schedule!.maxLateNs)).toBe(true);
    expect(r.schedule!.dropped).toBe(0);
  });
});
