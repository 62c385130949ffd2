/**
 * Trace replay against the wall clock (the one real-time test of arrivals; the schedules
 * themselves are tested without a clock in arrivals.test.ts): 1,000 recorded timestamps,
 * replayed 10x faster (under a second), must start within 2 ms of their due times at p99. The
 * operation does nothing, so what is measured is the executor's scheduling.
 *
 * No scheduler beats the machine: when the OS takes the CPU away for 20 ms (seen here with
 * a load average of 18 on 2 cores), every start in that window is late. So the same
 * schedule is also replayed by a bare busy-wait loop just before and just after, the best
 * any code in this process could do at that moment, and the bound is 2 ms plus that floor.
 * With one core busy the floor is a few microseconds and the bound is the 2 ms. On
 * a machine whose load swings within seconds, an attempt can still fall between a quiet
 * floor and a busy replay: up to three attempts are made, each with its own floor.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import { createRandom } from '../../src/providers/random.js';
import { newCounters, startExecutor, type ExecContext } from '../../src/runner/executors.js';
import type { PreparedOp } from '../../src/runner/operations.js';
import { loadTrace } from '../../src/workload/trace.js';
import { tempDir } from '../e2e/helpers.js';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** p99 start error of the ideal replay: spin on the clock until each due time, no event loop. */
function busyWaitReplayP99(dueMs: readonly number[]): number {
  const start = performance.now();
  const errors = dueMs.map((due) => {
    for (;;) {
      const now = performance.now();
      if (now - start >= due) return now - start - due;
    }
  });
  return percentile(errors, 99);
}

describe('trace replay', () => {
  // Errors count from the schedule's origin (ctx.startAt), not from the first start: a first
  // start late by a JIT compile once shifted all 999 others and read as a 2.7 ms p99 on a quiet
  // machine. Measured that way, a quiet 2-core VM shows 1.6-1.9 ms against a ~1 ms floor, and two
  // busy loops on both cores 5-9 ms against a 4-7 ms floor: both within 2 ms of the floor.
  it('reproduces 1,000 recorded arrival times at p99 within 2 ms (plus the machine floor) (speed 10)', async () => {
    const rng = createRandom(2024);
    const timestamps: number[] = [];
    let t = 1_700_000_000_000; // epoch ms, as traces often are: only the gaps matter
    for (let k = 0; k < 1000; k++) {
      timestamps.push(t);
      t += -Math.log(1 - rng.next()) * 8; // Poisson, 8 ms mean gap: an 8 s trace
    }
    const file = path.join(tempDir(), 'arrivals.jsonl');
    writeFileSync(file, timestamps.map((ts, k) => JSON.stringify({ timestamp: ts, ...(k % 3 === 0 ? { session: `u${k % 7}` } : {}) })).join('\n') + '\n');
    const trace = await loadTrace(file);
    expect(trace.timestampsMs).toHaveLength(1000);
    const speed = 10;
    const dueMs = timestamps.map((ts) => (ts - (timestamps[0] as number)) / speed);

    let last = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = busyWaitReplayP99(dueMs);
      const { p99, done, dropped, latencyP50, serviceP50 } = await replay(file, speed);
      const floorMs = Math.max(before, busyWaitReplayP99(dueMs));
      expect(done).toBe(1000);
      expect(dropped).toBe(0);
      // Latency counts from each due time: never less than the service time.
      expect(latencyP50).toBeGreaterThanOrEqual(serviceP50);
      last = `attempt ${attempt}: p99 start error ${p99.toFixed(3)} ms; busy-wait floor ${floorMs.toFixed(3)} ms`;
      // Printed for the record: the executor's p99 error against the machine's floor right then.
      console.log(`trace replay: ${last}`);
      if (p99 < 2 + floorMs) return;
    }
    expect.fail(`start error above 2 ms + the machine's floor in 3 attempts (${last})`);

    // Errors from the schedule's own origin (ctx.startAt), so a late first start counts once
    // instead of shifting every other start.
    function errorsOf(starts: Float64Array, origin: number): number[] {
      return dueMs.map((due, k) => Math.abs((starts[k] as number) - origin - due));
    }

    async function replay(traceFile: string, replaySpeed: number) {
      const starts = new Float64Array(1000);
      const op: PreparedOp = {
        fast: false,
        run: (i) => {
          starts[i] = performance.now();
          return Promise.resolve();
        },
      };
      const latency = new LatencyRecorder();
      const serviceTime = new LatencyRecorder();
      const counters = newCounters();
      const origin = performance.now() + 5;
      const ctx: ExecContext = { op, timeoutMs: 30_000, latency, serviceTime, counters, batchSize: 1, stopped: () => false, startAt: origin };
      try {
        const schedule = await startExecutor({ kind: 'rate', rate: 0, durationMs: 0, maxInFlight: 10_000, arrival: 'trace', trace: traceFile, speed: replaySpeed }, ctx).done;
        return {
          p99: percentile(errorsOf(starts, origin), 99),
          done: counters.done,
          dropped: schedule?.dropped ?? -1,
          latencyP50: latency.summarize().p50,
          serviceP50: serviceTime.summarize().p50,
        };
      } finally {
        latency.destroy();
        serviceTime.destroy();
      }
    }
  });
});
