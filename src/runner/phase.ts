/**
 * Runs one phase: warm-up (not recorded), the measured run under its executor, and a tick
 * that drives the timeout watchdog, progress events, the time series and checkpoints. The
 * executors record into the current interval's histogram; at each interval boundary it is
 * folded into the phase total and reset, so the time series costs the hot path nothing.
 */
import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from '../metrics/histogram.js';
import { compactSeries, driftVerdict, leakVerdict } from '../metrics/series.js';
import type { ExecutorSpec, GeneratorHealth, IntervalSample, PhaseResult, ScheduleStats } from '../results/types.js';
import type { PhaseSpec } from '../scenarios/types.js';
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
import { createGoodputCounter } from './goodput.js';
import { describeWork, prepareOperation, type OpContext, type PreparedOp } from './operations.js';
import type { PhaseShare } from './split.js';
import { formatNs, formatPercent } from '../util/units.js';
import { REAL_INSTRUMENTS, type Instruments } from './instruments.js';
import { warmUp, type TimingMode } from './timing-mode.js';

const PROGRESS_EVERY_MS = 200;
/** Time series beyond this many samples are halved by merging neighbours: memory stays flat. */
export const MAX_INTERVALS = 1_000;
/** Forced GC per interval only for intervals this long: a full GC costs milliseconds. */
const GC_INTERVAL_MIN_MS = 1_000;
/** Event-loop delay p99 above which the generator is called saturated. */
export const LOOP_SATURATED_NS = 50e6;
/** Fraction of open-model starts more than 1 ms late above which it fell behind. */
export const LATE_FRACTION_WARN = 0.05;

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
  /** Called every `checkpointMs` with the phase's figures so far. */
  onCheckpoint?: (partial: PhaseResult) => void;
  checkpointMs?: number;
  /** This part's share of a phase split over threads or shards (src/runner/split.ts); default: all of it. */
  share?: PhaseShare;
  /**
   * Awaited after warm-up; resolves with the performance.now() time the measured run starts
   * at: the barrier that starts every part of a split phase from one t0.
   */
  startGate?: () => Promise<number>;
  /** Seed of the open model's arrival schedule (the run's, shared by every part). Default: the providers' seed. */
  scheduleSeed?: number;
  /** Time, heap and event-loop readings. Default: the machine's. */
  instruments?: Instruments;
  /** The timing mode this phase had earlier in this process (trials): auto's hysteresis. */
  previousTiming?: TimingMode;
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
  const clock = opts.instruments?.clock;
  const every = tickMs(ctx.timeoutMs);
  const tick = (now: number): void => {
    handle.watchdog(now);
    onTick?.(now);
  };
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const ticking = new AbortController();
  if (clock?.sleep !== undefined) {
    // A virtual clock moves only when something waits on it: the tick waits on it too, so
    // timeouts, intervals, checkpoints and progress fall on virtual time, exactly. Its last
    // wait is cancelled with the phase, so no idle time passes between phases.
    const sleep = clock.sleep.bind(clock);
    void (async () => {
      for (;;) {
        await sleep(every, ticking.signal);
        if (finished) return;
        tick(clock.now());
      }
    })();
  } else {
    timer = setInterval(() => tick(clock === undefined ? performance.now() : clock.now()), every);
  }
  let grace: NodeJS.Timeout | undefined;
  void opts.stopSignal.then(() => {
    // In-flight operations get a short deadline to finish, then are abandoned. A drive that
    // already finished sets no timer (it would keep the process alive for nothing).
    if (!finished) grace = setTimeout(() => handle.abandon(), opts.graceMs);
  });
  try {
    return await handle.done;
  } finally {
    finished = true;
    ticking.abort();
    // Either may be unset (a virtual clock, no interruption): clearing undefined is a no-op.
    clearInterval(timer);
    clearTimeout(grace);
  }
}

function warmupSpec(spec: ExecutorSpec, warmup: number): ExecutorSpec {
  const c = concurrencyOf(spec);
  return { kind: 'iterations', iterations: warmup, concurrency: Math.max(1, Math.min(warmup, c === Number.POSITIVE_INFINITY ? 1 : c)) };
}

function errorsObject(c: Counters): Record<string, number> {
  return Object.fromEntries([...c.errorsByKind.entries()].sort((a, b) => b[1] - a[1]));
}

/** Plain-language warnings when the tool, not the system, may have been the bottleneck. */
export function generatorWarnings(loopP99Ns: number, count: number, schedule: ScheduleStats | undefined): string[] {
  const warnings: string[] = [];
  if (schedule) {
    const started = count + schedule.dropped;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; with nothing started late is 0 too, and NaN > LATE_FRACTION_WARN is false
    const lateFraction = started > 0 ? schedule.late / started : 0;
    if (schedule.dropped > 0 || lateFraction > LATE_FRACTION_WARN) {
      warnings.push(
        `load generator fell behind its schedule: ${formatPercent(lateFraction)} of starts more than 1ms late ` +
          `(worst ${formatNs(schedule.maxLateNs)})${schedule.dropped > 0 ? `, ${schedule.dropped} dropped at maxInFlight` : ''}; ` +
          'latency from the scheduled start includes that delay',
      );
    }
  }
  if (loopP99Ns > LOOP_SATURATED_NS) {
    warnings.push(
      `event loop saturated (delay p99 ${formatNs(loopP99Ns)}): the in-process providers and the load generator share one thread, ` +
        'so latencies include queueing inside the tool',
    );
  }
  return warnings;
}

export async function runPhase(phase: PhaseSpec, opCtx: OpContext, opts: PhaseRunOptions): Promise<PhaseResult> {
  const share = opts.share;
  const prepared: PreparedOp = prepareOperation(phase.op, phase.params, opCtx, phase.executor);
  // A part runs its share of the operations, each under its index in the whole phase. Both
  // index-taking steps map: a workload's prepare(i) keeps operation i's turn for run(i).
  const prepare = prepared.prepare;
  const op: PreparedOp = share
    ? {
        ...prepared,
        run: (i, signal) => prepared.run(share.global(i), signal),
        ...(prepare !== undefined ? { prepare: (i: number) => prepare(share.global(i)) } : {}),
      }
    : prepared;
  const executor = share?.executor ?? phase.executor;
  const sequential = concurrencyOf(executor) === 1;
  // Goodput judges each request on its own: no batch means. A part with no share runs nothing.
  const idle = share?.active === false;
  const batchMode = phase.goodput !== undefined || idle ? 'off' : phase.batch;
  const planned = share?.arrivals ?? plannedOps(executor);
  const plannedDuration = plannedMs(executor);
  const isRate = executor.kind === 'rate';

  // `current` is what the executors record into; `total` accumulates closed intervals.
  const current = new LatencyRecorder();
  const total = new LatencyRecorder();
  // Service time has no series: one histogram for the whole phase.
  const service = isRate ? new LatencyRecorder() : undefined;
  const instruments = opts.instruments ?? REAL_INSTRUMENTS;
  const clock = instruments.clock;
  // The executors time with performance.now() unless told otherwise: the hot path stays as it was.
  // Stryker disable next-line ConditionalExpression: equivalent in figures; REAL_INSTRUMENTS.clock reads performance.now() too, only through one more call
  const execClock = instruments === REAL_INSTRUMENTS ? {} : { clock };
  const loop = instruments.loopMonitor();
  const intervalLoop = instruments.loopMonitor();
  try {
    await op.init?.();
    // Warm-up (not recorded) also decides how the phase is timed: timing-mode.ts.
    let warmupEvent = false;
    // The measured operations continue the warm-up's sequence (0..W-1, then W..): starting
    // them over at 0 broke the round-robin over sessions once, which sent lru-cache down a
    // branch the warm-up never took and deoptimised the executor's loop for the whole phase.
    // A part of a split phase keeps index i for the i-th operation of its share (so the parts'
    // union is exactly the whole): its warm-up runs under indexes past its share instead.
    let warmIndex = share !== undefined ? (planned ?? 1_000_000_000) : 0;
    const measuredFrom = (): number => (share !== undefined ? 0 : warmIndex);
    const warmCounters = newCounters();
    // On a virtual clock the compiler pause between warm-up rounds takes no time: a turn of
    // the loop (the figures do not depend on the JIT there), and no real wait in tests.
    const virtualSleep = clock.sleep?.bind(clock);
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ObjectLiteral,ArrowFunction: equivalent in figures; a real 5 ms pause, a turn or none takes no virtual time either way
    const pause = virtualSleep !== undefined ? { pause: () => virtualSleep(0) } : {};
    const warmed = await warmUp(
      { batch: batchMode, sequential, fast: op.fast, declared: idle ? 0 : phase.warmup, stopped: opts.stopped, now: () => clock.now(), ...pause, ...(opts.previousTiming ? { previous: opts.previousTiming } : {}) },
      async (n, batchSize) => {
        if (!warmupEvent) {
          warmupEvent = true;
          opts.onEvent({ type: 'phase-start', scenario: opts.scenario, phase: `${phase.name} (warm-up)`, op: phase.op, index: opts.index, phases: opts.phases, plannedOps: phase.warmup });
        }
        // The same shape as the measured phase's context (same keys, same order): another
        // shape would deoptimise the executor's compiled loop as the measured phase starts.
        const wctx: ExecContext = { op, timeoutMs: phase.timeoutMs, latency: current, serviceTime: undefined, counters: warmCounters, batchSize, stopped: opts.stopped, ...execClock };
        current.reset();
        await drive(warmupSpec(executor, n), wctx, warmIndex, opts);
        warmIndex += n;
        const p50 = current.count > 0 ? current.valueAtPercentile(50) : undefined;
        current.reset();
        return p50;
      },
    );
    const timing = warmed.timing;
    const warmup = warmed.ops;
    const batchSize = timing.batchSize;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; after no warm-up there is nothing to forget
    if (warmup > 0) {
      current.reset();
      op.histograms?.reset();
      op.afterWarmup?.();
    }

    const counters = newCounters();
    const goodput = phase.goodput !== undefined ? createGoodputCounter(phase.goodput) : undefined;
    const ctx: ExecContext = {
      op,
      timeoutMs: phase.timeoutMs,
      latency: current,
      serviceTime: service,
      counters,
      batchSize,
      stopped: opts.stopped,
      seed: opts.scheduleSeed ?? opCtx.deps.seed,
      ...execClock,
      ...(goodput ? { onOk: goodput.onOk } : {}),
    };
    opts.onEvent({
      type: 'phase-start',
      scenario: opts.scenario,
      phase: phase.name,
      op: phase.op,
      index: opts.index,
      phases: opts.phases,
      // Stryker disable next-line ConditionalExpression: equivalent; every reader of these events tests the optional keys against undefined
      ...(planned !== undefined ? { plannedOps: planned } : {}),
      // Stryker disable next-line ConditionalExpression: equivalent; as above
      ...(plannedDuration !== undefined ? { plannedMs: plannedDuration } : {}),
      // Stryker disable next-line ConditionalExpression: equivalent; as above
      ...(phase.progressEvery !== undefined ? { progressEvery: phase.progressEvery } : {}),
    });

    let series: IntervalSample[] = [];
    // The start gate (split phases) answers in performance.now() time, the real clock of every part.
    const t0 = opts.startGate ? await opts.startGate() : clock.now();
    if (share?.arrivals !== undefined) {
      ctx.arrivals = share.arrivals;
      // Every part walks the one global schedule from the common t0 and keeps its stripe.
      ctx.startAt = t0;
      // Stryker disable next-line ConditionalExpression: equivalent; an undefined stripe reads as the whole schedule, as no stripe does
      if (share.stripe !== undefined) ctx.stripe = share.stripe;
    }
    loop.reset();
    intervalLoop.reset();
    let intervalStart = t0;
    let intervalDone = 0;
    let intervalErrors = 0;
    let lastProgress = t0;
    let lastCheckpoint = t0;
    let schedule: ScheduleStats | undefined;

    const closeInterval = (now: number): void => {
      const count = counters.done - intervalDone;
      const errors = counters.errors - intervalErrors;
      const durationMs = now - intervalStart;
      const heap = phase.intervalMs >= GC_INTERVAL_MIN_MS ? instruments.heap() : undefined;
      series.push({
        tMs: now - t0,
        durationMs,
        count,
        errors,
        throughput: durationMs > 0 ? (count * 1000) / durationMs : 0,
        p50: current.valueAtPercentile(50),
        p99: current.valueAtPercentile(99),
        ...(heap ? { heapUsed: heap.heapUsed, rss: heap.rss } : {}),
        eventLoopP99: intervalLoop.read().p99Ns,
      });
      series = compactSeries(series, MAX_INTERVALS);
      total.add(current);
      current.reset();
      intervalLoop.reset();
      intervalDone = counters.done;
      intervalErrors = counters.errors;
      // The forced GC above took time; the next interval starts after it.
      intervalStart = clock.now();
    };

    const build = (durationMs: number, final: boolean): PhaseResult => {
      // The figures so far are the closed intervals plus the open one.
      const merged = new LatencyRecorder();
      try {
        merged.add(total);
        merged.add(current);
        const loopDelay = loop.read();
        const warnings = generatorWarnings(loopDelay.p99Ns, counters.done, schedule);
        const health: GeneratorHealth = { eventLoopP99Ns: loopDelay.p99Ns, eventLoopMaxNs: loopDelay.maxNs, warnings };
        const heap = final ? instruments.heap() : undefined;
        return {
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
          latency: merged.summarize(),
          ...(service ? { serviceTime: service.summarize() } : {}),
          ...(merged.clamped > 0 ? { clamped: merged.clamped } : {}),
          ...(opts.stopped() || !final ? { interrupted: true } : {}),
          batchTimed: batchSize > 1,
          ...(batchSize > 1 ? { batchSize } : {}),
          timing,
          ...(schedule ? { schedule } : {}),
          ...(heap ? { heapAfterGc: heap.heapUsed } : {}),
          ...(series.length > 0 ? { intervals: [...series], intervalMs: phase.intervalMs, leak: leakVerdict(series), drift: driftVerdict(series) } : {}),
          health,
          ...(op.histograms ? { steps: op.histograms.summarize() } : {}),
          ...(op.timings?.(durationMs) ?? {}),
          ...(op.extra ? { extra: op.extra() } : {}),
          window: { startMs: performance.timeOrigin + t0, endMs: performance.timeOrigin + t0 + durationMs },
          // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent today; no operation declares an empty list of totals
          ...(op.totals && op.totals().length > 0 ? { extraTotals: [...op.totals()] } : {}),
          ...(goodput ? { goodput: goodput.result(counters.done, durationMs) } : {}),
        };
      } finally {
        merged.destroy();
      }
    };

    schedule = await drive(executor, ctx, measuredFrom(), opts, (now) => {
      if (now - intervalStart >= phase.intervalMs) closeInterval(now);
      if (opts.onCheckpoint && now - lastCheckpoint >= (opts.checkpointMs ?? 10_000)) {
        lastCheckpoint = now;
        opts.onCheckpoint(build(now - t0, false));
      }
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
          p99Ns: total.count > 0 ? total.valueAtPercentile(99) : current.valueAtPercentile(99),
          warmup: false,
        },
      });
    });
    const end = clock.now();
    // A series only for phases that spanned at least one whole interval.
    if (series.length > 0 && counters.done > intervalDone) closeInterval(end);
    const result = build(end - t0, true);
    // Stryker disable next-line OptionalChaining,ArrayDeclaration: equivalent; build() always sets health
    for (const w of result.health?.warnings ?? []) opts.onEvent({ type: 'warning', scenario: opts.scenario, message: `${phase.name}: ${w}` });
    return result;
  } finally {
    loop.stop();
    intervalLoop.stop();
    current.destroy();
    total.destroy();
    service?.destroy();
    op.histograms?.destroy();
    op.dispose?.();
  }
}
