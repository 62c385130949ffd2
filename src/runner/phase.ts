/**
 * Runs one phase: warm-up (not recorded), the measured run under its executor, a tick that
 * drives the timeout watchdog and progress events, then the phase's figures.
 */
import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from '../metrics/histogram.js';
import { heapAfterGc } from '../metrics/memory.js';
import type { ExecutorSpec, PhaseResult, ScheduleStats } from '../result.js';
import type { PhaseSpec } from '../scenario.js';
import type { RunEventListener } from './events.js';
import {
  concurrencyOf,
  newCounters,
  plannedMs,
  plannedOps,
  startExecutor,
  type Counters,
  type ExecContext,
} from './executors.js';
import { describeWork, prepareOperation, type OpContext, type PreparedOp } from './operations.js';

/** Below this median an operation is mostly timer: time it in batches (NOTES-hdr-and-timing.md). */
export const BATCH_THRESHOLD_NS = 1_000;
/** Batches long enough that two clock reads (~100 ns) are noise against them. */
const BATCH_TARGET_NS = 25_000;
/** Fast operations get at least this many warm-up operations, to decide on batch timing. */
export const MIN_FAST_WARMUP = 100;
const PROGRESS_EVERY_MS = 200;

export interface PhaseRunOptions {
  scenario: string;
  index: number;
  phases: number;
  onEvent: RunEventListener;
  /** True once the run is interrupted. */
  stopped: () => boolean;
  /** Resolves when the run is interrupted (to start the grace period). */
  stopSignal: Promise<void>;
  graceMs: number;
}

function tickMs(timeoutMs: number): number {
  return Math.min(100, Math.max(5, Math.floor(timeoutMs / 5)));
}

async function drive(
  spec: ExecutorSpec,
  ctx: ExecContext,
  firstIndex: number,
  opts: PhaseRunOptions,
  onTick?: (now: number) => void,
): Promise<ScheduleStats | undefined> {
  const handle = startExecutor(spec, ctx, firstIndex);
  const timer = setInterval(() => {
    const now = performance.now();
    handle.watchdog(now);
    onTick?.(now);
  }, tickMs(ctx.timeoutMs));
  let grace: NodeJS.Timeout | undefined;
  void opts.stopSignal.then(() => {
    // In-flight operations get a short deadline to finish, then are abandoned.
    grace = setTimeout(() => handle.abandon(), opts.graceMs);
  });
  try {
    return await handle.done;
  } finally {
    clearInterval(timer);
    if (grace) clearTimeout(grace);
  }
}

function warmupSpec(spec: ExecutorSpec, warmup: number): ExecutorSpec {
  const concurrency = Math.max(1, Math.min(warmup, concurrencyOf(spec) === Number.POSITIVE_INFINITY ? 1 : concurrencyOf(spec)));
  return { kind: 'iterations', iterations: warmup, concurrency };
}

function errorsObject(c: Counters): Record<string, number> {
  return Object.fromEntries([...c.errorsByKind.entries()].sort((a, b) => b[1] - a[1]));
}

export async function runPhase(phase: PhaseSpec, opCtx: OpContext, opts: PhaseRunOptions): Promise<PhaseResult> {
  const op: PreparedOp = prepareOperation(phase.op, phase.params, opCtx);
  const sequential = concurrencyOf(phase.executor) === 1;
  const mayBatch = phase.batch !== 'off' && sequential && (phase.batch !== 'auto' || op.fast);
  const warmup = phase.batch === 'auto' && mayBatch ? Math.max(phase.warmup, MIN_FAST_WARMUP) : phase.warmup;
  const planned = plannedOps(phase.executor);
  const plannedDuration = plannedMs(phase.executor);

  const latency = new LatencyRecorder();
  const serviceTime = phase.executor.kind === 'rate' ? new LatencyRecorder() : undefined;
  try {
    let batchSize = 1;
    if (warmup > 0 && !opts.stopped()) {
      opts.onEvent({
        type: 'phase-start',
        scenario: opts.scenario,
        phase: `${phase.name} (warm-up)`,
        op: phase.op,
        index: opts.index,
        phases: opts.phases,
        plannedOps: warmup,
      });
      const wctx: ExecContext = { op, timeoutMs: phase.timeoutMs, latency, counters: newCounters(), batchSize: 1, stopped: opts.stopped };
      await drive(warmupSpec(phase.executor, warmup), wctx, planned ?? 1_000_000_000, opts);
      if (typeof phase.batch === 'number') batchSize = phase.batch;
      else if (phase.batch === 'auto' && mayBatch) {
        const p50 = latency.valueAtPercentile(50);
        if (p50 > 0 && p50 < BATCH_THRESHOLD_NS) batchSize = Math.min(4096, Math.max(16, Math.ceil(BATCH_TARGET_NS / p50)));
      }
      latency.reset();
    } else if (typeof phase.batch === 'number' && sequential) {
      batchSize = phase.batch;
    }

    const counters = newCounters();
    const ctx: ExecContext = {
      op,
      timeoutMs: phase.timeoutMs,
      latency,
      ...(serviceTime ? { serviceTime } : {}),
      counters,
      batchSize,
      stopped: opts.stopped,
    };
    opts.onEvent({
      type: 'phase-start',
      scenario: opts.scenario,
      phase: phase.name,
      op: phase.op,
      index: opts.index,
      phases: opts.phases,
      ...(planned !== undefined ? { plannedOps: planned } : {}),
      ...(plannedDuration !== undefined ? { plannedMs: plannedDuration } : {}),
      ...(phase.progressEvery !== undefined ? { progressEvery: phase.progressEvery } : {}),
    });
    const t0 = performance.now();
    let lastProgress = t0;
    const schedule = await drive(phase.executor, ctx, 0, opts, (now) => {
      if (now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      opts.onEvent({
        type: 'progress',
        scenario: opts.scenario,
        phase: phase.name,
        snapshot: {
          done: counters.done,
          errors: counters.errors,
          elapsedMs: now - t0,
          ...(planned !== undefined ? { plannedOps: planned } : {}),
          ...(plannedDuration !== undefined ? { plannedMs: plannedDuration } : {}),
          p99Ns: latency.valueAtPercentile(99),
          warmup: false,
        },
      });
    });
    const durationMs = performance.now() - t0;
    const heap = heapAfterGc();
    const result: PhaseResult = {
      name: phase.name,
      op: phase.op,
      description: phase.description ?? describeWork(phase.op, phase.params, phase.executor),
      executor: phase.executor,
      warmup,
      timeoutMs: phase.timeoutMs,
      count: counters.done,
      errors: counters.errors,
      errorsByKind: errorsObject(counters),
      errorRate: counters.done > 0 ? counters.errors / counters.done : 0,
      durationMs,
      throughput: durationMs > 0 ? counters.done / (durationMs / 1000) : 0,
      latency: latency.summarize(),
      ...(serviceTime ? { serviceTime: serviceTime.summarize() } : {}),
      ...(latency.clamped > 0 ? { clamped: latency.clamped } : {}),
      ...(opts.stopped() ? { interrupted: true } : {}),
      batchTimed: batchSize > 1,
      ...(batchSize > 1 ? { batchSize } : {}),
      ...(schedule ? { schedule } : {}),
      heapAfterGc: heap.heapUsed,
      ...(op.extra ? { extra: op.extra() } : {}),
    };
    return result;
  } finally {
    latency.destroy();
    serviceTime?.destroy();
  }
}
