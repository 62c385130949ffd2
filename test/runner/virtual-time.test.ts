/**
 * The virtual clock, and the executors timing on it: waits that overlap in virtual time
 * overlap as they would in real time, and the figures come out exact.
 */
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import { createVirtualClock, type VirtualClock } from '../../src/providers/random.js';
import type { ExecutorSpec, LatencySummary, ScheduleStats } from '../../src/results/types.js';
import { newCounters, startExecutor, type ExecContext } from '../../src/runner/executors.js';

describe('virtual clock', () => {
  it('stands still until something waits, then moves to each wake-up in order', async () => {
    const clock = createVirtualClock(100);
    expect(clock.now()).toBe(100);
    const woke: Array<[string, number]> = [];
    const nap = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push([name, clock.now()]));
    await Promise.all([nap('c', 30), nap('a', 10), nap('b', 10), nap('z', 0)]);
    expect(woke).toEqual([
      ['z', 100],
      ['a', 110],
      ['b', 110],
      ['c', 130],
    ]);
  });

  it('a sleep that starts later wakes later, counted from its own start', async () => {
    const clock = createVirtualClock();
    const done: number[] = [];
    await Promise.all([
      clock.sleep(50).then(() => done.push(clock.now())),
      clock.sleep(20).then(() => clock.sleep(20)).then(() => done.push(clock.now())),
    ]);
    expect(done).toEqual([40, 50]);
  });
});

describe('virtual clock: a wait given up', () => {
  it('resolves at once and no longer moves the clock', async () => {
    const clock = createVirtualClock();
    const cancel = new AbortController();
    const woke: string[] = [];
    const given = clock.sleep(1_000, cancel.signal).then(() => woke.push(`given up at ${clock.now()}`));
    const kept = clock.sleep(30).then(() => woke.push(`kept at ${clock.now()}`));
    cancel.abort();
    await Promise.all([given, kept]);
    expect(woke).toEqual(['given up at 0', 'kept at 30']);
    // Nothing left to wait for: time stays where it is.
    await new Promise<void>((r) => setImmediate(r));
    expect(clock.now()).toBe(30);
    // A signal already aborted: no wait at all.
    await clock.sleep(50, cancel.signal);
    expect(clock.now()).toBe(30);
  });
});

async function onVirtualTime(spec: ExecutorSpec, clock: VirtualClock, opMs: number): Promise<{ latency: LatencySummary; done: number; elapsedMs: number; schedule: ScheduleStats | undefined }> {
  const latency = new LatencyRecorder();
  const counters = newCounters();
  const ctx: ExecContext = {
    op: { fast: false, run: () => clock.sleep(opMs) },
    timeoutMs: 30_000,
    latency,
    counters,
    batchSize: 1,
    stopped: () => false,
    clock,
  };
  const t0 = clock.now();
  try {
    const schedule = await startExecutor(spec, ctx).done;
    return { latency: latency.summarize(), done: counters.done, elapsedMs: clock.now() - t0, schedule };
  } finally {
    latency.destroy();
  }
}

describe('executors on a virtual clock', () => {
  it('iterations, 4 at a time: every operation takes exactly its 5 ms, the phase a quarter of the sum', async () => {
    const r = await onVirtualTime({ kind: 'iterations', iterations: 100, concurrency: 4 }, createVirtualClock(), 5);
    expect(r.done).toBe(100);
    expect(r.latency.count).toBe(100);
    // Exact up to the histogram's 3 significant digits.
    for (const v of [r.latency.min, r.latency.p50, r.latency.max]) expect(Math.abs(v - 5e6)).toBeLessThan(5e6 * 0.001);
    expect(r.elapsedMs).toBe(125);
  });

  it('rate: starts on schedule, none late, and the phase lasts its duration', async () => {
    const r = await onVirtualTime({ kind: 'rate', rate: 200, durationMs: 1000, maxInFlight: 100 }, createVirtualClock(), 12);
    expect(r.done).toBe(200);
    expect(r.schedule).toEqual({ late: 0, dropped: 0, maxLateNs: 0, arrivals: { pattern: 'constant', scheduled: 200 } });
    expect(Math.abs(r.latency.max - 12e6)).toBeLessThan(12e6 * 0.001);
    expect(r.elapsedMs).toBeCloseTo(995 + 12, 6);
  });
});
