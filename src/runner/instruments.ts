/**
 * What the runner reads off the machine: time, heap and event-loop delay. The real ones by
 * default; a test passes its own (a virtual clock, fixed readings) and the run's figures come
 * out exact, so a seeded run can be held against a golden report.
 */
import { performance } from 'node:perf_hooks';
import { LoopMonitor, type LoopDelay } from '../metrics/event-loop.js';
import { heapAfterGc, type HeapReading } from '../metrics/memory.js';
import type { Clock } from '../providers/types.js';

export interface LoopDelayMonitor {
  read(): LoopDelay;
  reset(): void;
  stop(): void;
}

export interface Instruments {
  /**
   * Monotonic time, ms: every duration the runner records, and the providers' clock. A clock
   * with sleep() (a virtual clock) also times the simulated LLM's latency.
   */
  clock: Clock;
  /** Wall-clock time, for when a scenario started. */
  date(): Date;
  /** Heap and RSS after a forced GC. */
  heap(): HeapReading;
  /** RSS now, without a GC. */
  rss(): number;
  /** Starts a monitor of the event loop's delay. */
  loopMonitor(): LoopDelayMonitor;
}

export const REAL_INSTRUMENTS: Instruments = {
  clock: { now: () => performance.now() },
  date: () => new Date(),
  heap: heapAfterGc,
  rss: () => process.memoryUsage().rss,
  loopMonitor: () => new LoopMonitor(),
};
