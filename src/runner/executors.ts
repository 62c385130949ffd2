/**
 * Executors: how load is offered. The per-operation path is kept to two clock reads, one
 * histogram record and a few counter increments; timeouts are found by a watchdog tick, not
 * by racing every operation against a timer (a race against a long-lived promise costs
 * ~1.6 us an operation here and leaks a reaction each time).
 */
import { performance } from 'node:perf_hooks';
import type { LatencyRecorder } from '../metrics/histogram.js';
import type { Clock } from '../providers/types.js';
import type { ExecutorSpec, ScheduleStats } from '../results/types.js';
import { loadedTrace, loadTrace } from '../workload/trace.js';
import { arrivalRandom, constantArrivals, poissonArrivals, traceArrivals, type Arrivals } from './arrivals.js';
import { OperationTimeout, classifyError } from './errors.js';
import type { PreparedOp } from './operations.js';
import { closedModelOps } from './split.js';

export interface Counters {
  done: number;
  ok: number;
  errors: number;
  errorsByKind: Map<string, number>;
}

export function newCounters(): Counters {
  return { done: 0, ok: 0, errors: 0, errorsByKind: new Map() };
}

export interface ExecContext {
  op: PreparedOp;
  timeoutMs: number;
  latency: LatencyRecorder;
  /** rate executor: service time (from the actual start). */
  serviceTime?: LatencyRecorder;
  counters: Counters;
  /** 1 = time every operation; > 1 = time batches of this many sequential operations. */
  batchSize: number;
  /** Set when the run is interrupted: stop offering load. */
  stopped: () => boolean;
  /** The run's seed: Poisson arrivals draw from a stream of it. */
  seed?: number;
  /**
   * Open model, one part of a split phase (src/runner/split.ts): when its first arrival is
   * due (performance.now() time) and how many arrivals it schedules.
   */
  startAt?: number;
  arrivals?: number;
  /**
   * Open model, one part of a split phase: this part launches the arrivals of the one global
   * schedule whose index is rank, rank + of, rank + 2·of, … (Poisson and trace schedules
   * included: every part draws the same global schedule from the same seed).
   */
  stripe?: { rank: number; of: number };
  /** Each successful operation timed on its own: its recorded latency (ns) and value (goodput). */
  onOk?: (latencyNs: number, value: unknown) => void;
  /**
   * What the executor times with. Default: performance.now(). A virtual clock (one with
   * sleep()) makes the figures exact; the open model then waits for its starts on it too.
   */
  clock?: Clock;
}

const realNow = (): number => performance.now();

function nowOf(ctx: ExecContext): () => number {
  const clock = ctx.clock;
  return clock === undefined ? realNow : () => clock.now();
}

/**
 * One turn of the event loop. On a virtual clock, a wait of 0 on it: a plain setImmediate
 * would let the clock move on to its next sleeper meanwhile (it steps whenever the loop idles),
 * and a pause that only lets timers and signals run must not take time.
 */
function turnOf(ctx: ExecContext): () => Promise<void> {
  const clock = ctx.clock;
  if (clock?.sleep !== undefined) return () => (clock.sleep as (ms: number) => Promise<void>)(0);
  return () => new Promise<void>((r) => setImmediate(r));
}

/** The closed model's workers step out to the event loop at least this often (see closedModel). */
const YIELD_EVERY_MS = 20;

/** The open model sleeps with a timer until this close to a start, then yields turn by turn. */
const SPIN_BELOW_MS = 1.5;

/** An operation in flight, as the watchdog sees it. */
interface Slot {
  startedAt: number;
  orphaned: boolean;
  /** Abortable operations: cancels the one in flight when it is given up. */
  abort?: AbortController;
  /** Closed model's batch path: operations of the open batch that finished (credited if it is given up). */
  batchOk?: number;
}

/**
 * The operation is given up, not waited for: its late result is ignored and, when it can be
 * cancelled, it is (an abandoned HTTP request would hold its pooled connection).
 */
function giveUp(slot: Slot): void {
  slot.orphaned = true;
  slot.abort?.abort();
}

function countError(c: Counters, error: unknown): void {
  c.errors++;
  c.done++;
  const kind = classifyError(error);
  c.errorsByKind.set(kind, (c.errorsByKind.get(kind) ?? 0) + 1);
}

/**
 * Runs an operation's settle step (figures, closing a fresh provider). The operation itself
 * already succeeded and was counted; a failure here must neither count it twice nor lose it.
 */
function settleQuietly(settle: (value: unknown) => void | Promise<void>, value: unknown): void | Promise<void> {
  try {
    const s = settle(value);
    // Only an asynchronous settle costs an await on the hot path.
    // Stryker disable next-line ConditionalExpression: equivalent; undefined.catch throws inside this try, which returns undefined
    if (s) return s.catch(() => undefined);
  } catch {
    // Deliberately ignored: see above.
  }
  return undefined;
}

/** Starts operation i; an abortable one gets an AbortController on its slot, for the watchdog. */
function startOp(op: PreparedOp, i: number, slot: Slot, abortable: boolean): unknown {
  if (!abortable) return op.run(i);
  slot.abort = new AbortController();
  return op.run(i, slot.abort.signal);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  // Stryker disable next-line ConditionalExpression: equivalent; awaiting a value whose then is not a function gives the value itself
  return typeof (v as { then?: unknown }).then === 'function';
}

export interface ExecutionHandle {
  /** Resolves when every operation has finished, timed out or been abandoned. */
  done: Promise<ScheduleStats | undefined>;
  /** Called by the phase's tick: times out slow operations. */
  watchdog(now: number): void;
  /** Abandons whatever is still in flight (after the interrupt grace period). */
  abandon(): void;
}

/**
 * Closed model: a fixed set of workers, each taking the next operation index as soon as its
 * previous operation ends. `iterations` shares one budget; `vus` gives each worker its own.
 */
/**
 * `take(w, now)` hands worker w its next operation index, or -1 when it is done; `now` is the
 * clock reading the worker already made, so a time-limited executor needs no read of its own.
 */
function closedModel(ctx: ExecContext, workers: number, take: (w: number, now: number) => number): ExecutionHandle {
  const { op, latency, counters } = ctx;
  const now = nowOf(ctx);
  // Stryker disable next-line ArrayDeclaration: equivalent; start(w) fills every slot before anything reads one
  const slots: Slot[] = [];
  let active = 0;
  let resolveDone!: (v: undefined) => void;
  const done = new Promise<undefined>((r) => (resolveDone = r));
  const settle = op.settle;
  const abortable = op.abortable === true;
  const prepare = op.prepare;

  const exit = (): void => {
    if (--active === 0) resolveDone(undefined);
  };

  // Operations that resolve at once (in-process providers without latency) keep the workers
  // in the microtask queue, where timers and signals never run: no watchdog, no progress, no
  // Ctrl-C. So every YIELD_EVERY_MS the workers park, between operations, on ONE shared
  // promise that a setImmediate resolves: the loop gets a turn, and all workers resume in the
  // same microtask drain, interleaved as before. (A setImmediate per worker would instead
  // resume them one by one, each running alone for a whole slice: a time-sliced, not a
  // concurrent, load.)
  let lastYield = now();
  let pause: Promise<void> | undefined;
  const stepOut = turnOf(ctx);
  const pauseDue = (t: number): Promise<void> | undefined => {
    // Stryker disable next-line ConditionalExpression: equivalent; while a pause is pending lastYield is older than YIELD_EVERY_MS anyway
    if (pause === undefined && t - lastYield <= YIELD_EVERY_MS) return undefined;
    pause ??= stepOut().then(() => {
      pause = undefined;
      lastYield = now();
    });
    return pause;
  };

  async function runSingle(slot: Slot, w: number): Promise<void> {
    for (;;) {
      if (ctx.stopped()) break;
      let t0 = now();
      const i = take(w, t0);
      if (i < 0) break;
      if (prepare !== undefined) {
        // A simulated user's think time (workloads): waited out before the clock starts.
        const thinking = prepare(i);
        // Stryker disable next-line ConditionalExpression: equivalent; awaiting undefined takes no time, and stopped cannot change in between
        if (thinking !== undefined) {
          await thinking;
          if (slot.orphaned || ctx.stopped()) break;
          t0 = now();
        }
      }
      slot.startedAt = t0;
      const parked = pauseDue(t0);
      if (parked !== undefined) {
        slot.startedAt = -1;
        await parked;
        if (slot.orphaned || ctx.stopped()) break;
        slot.startedAt = now();
      }
      const start = slot.startedAt;
      try {
        let v = startOp(op, i, slot, abortable);
        // Stryker disable next-line ConditionalExpression: equivalent; awaiting a value that is not a thenable gives the value
        if (isThenable(v)) v = await v;
        if (slot.orphaned) return;
        const t1 = now();
        slot.startedAt = -1;
        const ns = Math.round((t1 - start) * 1e6);
        latency.record(ns);
        ctx.onOk?.(ns, v);
        counters.ok++;
        counters.done++;
        // Stryker disable next-line ConditionalExpression: equivalent; settleQuietly swallows the TypeError of a missing settle, and awaiting undefined is a no-op
        if (settle) {
          const s = settleQuietly(settle, v);
          // Stryker disable next-line ConditionalExpression: equivalent; awaiting undefined is a no-op
          if (s) await s;
        }
      } catch (e) {
        if (slot.orphaned) return;
        slot.startedAt = -1;
        countError(counters, e);
      }
    }
    // Stryker disable next-line ConditionalExpression: equivalent; an orphaned worker ends here only after abandon(), which already resolved done
    if (!slot.orphaned) exit();
  }

  async function runBatched(slot: Slot, w: number): Promise<void> {
    const size = ctx.batchSize;
    // Results wait here until the batch's clock has stopped: settle stays outside the timing,
    // as it does for operations timed one by one.
    // Stryker disable next-line ArrayDeclaration: equivalent; the array is only preallocated (values[k] is written before it is read)
    const values: unknown[] | undefined = settle ? new Array<unknown>(size) : undefined;
    for (;;) {
      if (ctx.stopped()) break;
      let ok = 0;
      let n = 0;
      const t0 = now();
      // The watchdog sees the batch's start, not each operation's: a batch lasts ~25 us, far
      // below any timeout, while a clock read per operation would double a 50 ns operation.
      slot.startedAt = t0;
      for (; n < size; n++) {
        // The batch's start stands for every operation in it (a batch lasts ~25 us).
        const i = take(w, t0);
        if (i < 0) break;
        try {
          let v = op.run(i);
          // Stryker disable next-line ConditionalExpression: equivalent; awaiting a value that is not a thenable gives the value
          if (isThenable(v)) v = await v;
          if (slot.orphaned) return;
          if (values) values[ok] = v;
          slot.batchOk = ++ok;
        } catch (e) {
          if (slot.orphaned) return;
          countError(counters, e);
        }
      }
      const t1 = now();
      slot.startedAt = -1;
      slot.batchOk = 0;
      const parked = pauseDue(t1);
      // Stryker disable next-line ConditionalExpression: equivalent; awaiting undefined is a no-op and orphaned is checked again below
      if (parked !== undefined) {
        await parked;
        if (slot.orphaned) return;
      }
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; recordBatch of 0 records nothing and the counters add 0
      if (ok > 0) {
        latency.recordBatch((t1 - t0) * 1e6, ok);
        counters.ok += ok;
        counters.done += ok;
        // Stryker disable next-line LogicalOperator: equivalent; values exists exactly when settle does
        if (values && settle) {
          for (let k = 0; k < ok; k++) {
            const v = values[k];
            values[k] = undefined;
            const s = settleQuietly(settle, v);
            // Stryker disable next-line ConditionalExpression: equivalent; awaiting undefined is a no-op
            if (s) await s;
          }
        }
      }
      if (n < size) break;
    }
    // Stryker disable next-line ConditionalExpression: equivalent; see runSingle's exit
    if (!slot.orphaned) exit();
  }

  const start = (w: number): void => {
    // Stryker disable next-line ObjectLiteral: equivalent in figures; the literal fixes the slot's shape for V8 (undefined is neither >= 0 nor true)
    const slot: Slot = { startedAt: -1, orphaned: false, batchOk: 0 };
    slots[w] = slot;
    // An operation with a prepare step (think time) is never batched: a batch has one clock.
    void (ctx.batchSize > 1 && prepare === undefined ? runBatched(slot, w) : runSingle(slot, w));
  };

  active = workers;
  for (let w = 0; w < workers; w++) start(w);
  if (workers === 0) resolveDone(undefined);

  return {
    done,
    watchdog(now) {
      for (let w = 0; w < slots.length; w++) {
        const slot = slots[w] as Slot;
        if (slot.startedAt >= 0 && now - slot.startedAt > ctx.timeoutMs) {
          // The operation is given up (and cancelled when it can be): its worker is replaced
          // so the phase keeps its concurrency, and its late result is ignored.
          giveUp(slot);
          countError(counters, new OperationTimeout(ctx.timeoutMs));
          // The operations of its batch that did finish still count, though without a time:
          // the batch's clock never stopped.
          const finished = slot.batchOk ?? 0;
          counters.ok += finished;
          counters.done += finished;
          start(w);
        }
      }
    },
    abandon() {
      for (const slot of slots) giveUp(slot);
      active = 0;
      resolveDone(undefined);
    },
  };
}

/**
 * Open model: operations start on a fixed schedule whether or not earlier ones finished.
 * Latency is measured from the scheduled start, so a stall shows in the figures instead of
 * silently delaying the load (the coordinated-omission trap of closed-loop tools).
 */
function openModel(ctx: ExecContext, spec: Extract<ExecutorSpec, { kind: 'rate' }>, firstIndex: number): ExecutionHandle {
  const { op, latency, counters } = ctx;
  const now = nowOf(ctx);
  const inFlight = new Set<Slot & { due: number }>();
  const stats: ScheduleStats = { late: 0, dropped: 0, maxLateNs: 0 };
  let scheduling = true;
  let resolveDone!: (v: ScheduleStats) => void;
  const done = new Promise<ScheduleStats>((r) => (resolveDone = r));
  const settle = op.settle;
  const abortable = op.abortable === true;

  const checkDone = (): void => {
    if (!scheduling && inFlight.size === 0) resolveDone(stats);
  };

  const finish = (slot: Slot & { due: number }, value: unknown, error: unknown, failed: boolean): void => {
    if (slot.orphaned) return;
    inFlight.delete(slot);
    if (failed) countError(counters, error);
    else {
      const t1 = now();
      const ns = Math.round((t1 - slot.due) * 1e6);
      latency.record(ns);
      ctx.onOk?.(ns, value);
      ctx.serviceTime?.record(Math.round((t1 - slot.startedAt) * 1e6));
      counters.ok++;
      counters.done++;
      // Stryker disable next-line ConditionalExpression: equivalent; calling a missing settle throws inside the try below
      if (settle) {
        try {
          const s = settle(value);
          // Stryker disable next-line ConditionalExpression: equivalent; undefined.catch throws inside this try
          if (s) s.catch(() => undefined);
        } catch {
          // settle only gathers figures; a failure there must not lose the operation.
        }
      }
    }
    checkDone();
  };

  const launch = (i: number, due: number, now: number): void => {
    const slot: Slot & { due: number } = { startedAt: now, orphaned: false, due };
    inFlight.add(slot);
    try {
      const v = startOp(op, i, slot, abortable);
      if (isThenable(v)) {
        v.then(
          (r) => finish(slot, r, undefined, false),
          (e) => finish(slot, undefined, e, true),
        );
      } else finish(slot, v, undefined, false);
    } catch (e) {
      finish(slot, undefined, e, true);
    }
  };

  const virtualSleep = ctx.clock?.sleep?.bind(ctx.clock);
  const stepOut = turnOf(ctx);
  // At most a Node timer's longest delay (~24.8 days; a longer one fires at once): the loop re-checks.
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.min(ms, 2_147_483_647)));

  void (async () => {
    let arrivals: Arrivals;
    try {
      arrivals = await arrivalsOf(spec, ctx.seed ?? 0, stats);
    } catch (e) {
      // The trace could not be read (it was checked before the run: it changed since).
      countError(counters, e);
      scheduling = false;
      checkDone();
      return;
    }
    const start = ctx.startAt ?? now();
    const rank = ctx.stripe?.rank ?? 0;
    const of = ctx.stripe?.of ?? 1;
    // Global arrival index g; this part owns those with g % of === rank.
    let g = 0;
    const nextOwn = (): number | undefined => {
      let t = arrivals.next();
      // Stryker disable next-line ConditionalExpression: equivalent; past the end next() stays undefined, so the loop only skips to the next owned index
      while (t !== undefined && g % of !== rank) {
        g++;
        t = arrivals.next();
      }
      g++;
      return t;
    };
    let k = 0;
    let at = nextOwn();
    while (at !== undefined) {
      if (ctx.stopped()) break;
      const due = start + at;
      const t = now();
      if (due > t) {
        // Virtual time moves only when waited on: wait exactly until the start.
        if (virtualSleep !== undefined) await virtualSleep(due - t);
        else {
          // setTimeout fires up to ~1 ms late; sleep to just short of the start, then yield
          // turn by turn until it is due, so starts land within a fraction of a millisecond.
          // Stryker disable next-line EqualityOperator: equivalent for >=; exactly SPIN_BELOW_MS away, a 1 ms timer still wakes before the start and the turns land it (<=, which spins far from the start, is caught by 'the open model on real timers')
          await (due - t > SPIN_BELOW_MS ? sleep(due - t - SPIN_BELOW_MS) : new Promise<void>((r) => setImmediate(r)));
        }
        continue;
      }
      if (inFlight.size >= spec.maxInFlight) {
        stats.dropped++;
      } else {
        const lateNs = (t - due) * 1e6;
        if (lateNs > 1e6) stats.late++;
        // Stryker disable next-line EqualityOperator: equivalent; an equal lateness writes the same maximum
        if (lateNs > stats.maxLateNs) stats.maxLateNs = Math.round(lateNs);
        launch(firstIndex + k, due, t);
      }
      k++;
      at = nextOwn();
      // Yield now and then so completions and the tick run even when far behind schedule.
      if ((k & 63) === 0) await stepOut();
    }
    // Stryker disable next-line ConditionalExpression: equivalent; arrivalsOf always sets stats.arrivals before scheduling starts
    if (stats.arrivals) stats.arrivals.scheduled = k + (at !== undefined ? 1 + countRest({ next: nextOwn }) : 0);
    scheduling = false;
    checkDone();
  })();

  return {
    done,
    watchdog(now) {
      for (const slot of inFlight) {
        if (now - slot.startedAt > ctx.timeoutMs) {
          giveUp(slot);
          inFlight.delete(slot);
          countError(counters, new OperationTimeout(ctx.timeoutMs));
        }
      }
      checkDone();
    },
    abandon() {
      for (const slot of inFlight) giveUp(slot);
      inFlight.clear();
      // Stryker disable next-line BooleanLiteral: equivalent; done is resolved on the next line either way
      scheduling = false;
      resolveDone(stats);
    },
  };
}

type RateSpec = Extract<ExecutorSpec, { kind: 'rate' }>;

/**
 * The open model's schedule (runner/arrivals.ts): constant, Poisson (gamma with `burst`), or
 * a trace. Records what it followed in `stats.arrivals` (for the result and `compare`).
 */
async function arrivalsOf(spec: RateSpec, seed: number, stats: ScheduleStats): Promise<Arrivals> {
  switch (spec.arrival) {
    case undefined:
      stats.arrivals = { pattern: 'constant', scheduled: 0 };
      return constantArrivals(spec.rate, spec.durationMs);
    case 'poisson': {
      const burst = spec.burst ?? 1;
      stats.arrivals = { pattern: 'poisson', scheduled: 0, ...(burst !== 1 ? { burst } : {}) };
      return poissonArrivals(spec.rate, spec.durationMs, arrivalRandom(seed), burst);
    }
    case 'trace': {
      // Stryker disable next-line StringLiteral: equivalent; the schema requires trace with arrival: trace, and any missing file fails alike
      const trace = await loadTrace(spec.trace ?? '');
      const speed = spec.speed ?? 1;
      stats.arrivals = {
        pattern: 'trace',
        scheduled: 0,
        trace: { path: trace.path, lines: trace.lines, arrivals: trace.timestampsMs.length, sha256: trace.sha256, speed, spanMs: trace.spanMs },
      };
      return traceArrivals(trace.timestampsMs, speed, spec.durationMs);
    }
  }
}

/** Arrivals of a schedule not reached (an interrupted phase), for the count scheduled. */
function countRest(arrivals: Arrivals): number {
  let n = 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a cap against an endless schedule; no schedule in a test comes near 10^8
  while (arrivals.next() !== undefined && n < 100_000_000) n++;
  return n;
}

/** A trace phase's length and arrivals, once the trace has been read. */
function tracePlan(spec: RateSpec): { ops: number; ms: number } | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent; nothing is loaded under an undefined name
  const trace = spec.trace !== undefined ? loadedTrace(spec.trace) : undefined;
  if (trace === undefined) return undefined;
  const speed = spec.speed ?? 1;
  const t = trace.timestampsMs;
  const t0 = t[0] ?? 0;
  let ops = t.length;
  if (spec.durationMs > 0) {
    ops = 0;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; past the end t[ops] is undefined and the comparison with NaN ends the loop
    while (ops < t.length && ((t[ops] as number) - t0) / speed < spec.durationMs) ops++;
  }
  return { ops, ms: spec.durationMs > 0 ? Math.min(spec.durationMs, trace.spanMs / speed) : trace.spanMs / speed };
}

/** Operations the executor plans, when it knows in advance (Poisson: the expected number). */
export function plannedOps(spec: ExecutorSpec): number | undefined {
  if (spec.kind !== 'rate') return closedModelOps(spec);
  if (spec.arrival === 'trace') return tracePlan(spec)?.ops;
  if (spec.arrival === 'poisson') return Math.round((spec.durationMs / 1000) * spec.rate);
  return Math.floor((spec.durationMs / 1000) * spec.rate);
}

export function plannedMs(spec: ExecutorSpec): number | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent; the other kinds have no arrival and their durationMs is what the branches below return
  if (spec.kind === 'rate') return spec.arrival === 'trace' ? tracePlan(spec)?.ms : spec.durationMs;
  // Stryker disable next-line ConditionalExpression: equivalent; an iterations spec has no durationMs
  if (spec.kind === 'vus') return spec.durationMs;
  return undefined;
}

/** Concurrency the executor runs at (batch timing is only for strictly sequential phases). */
export function concurrencyOf(spec: ExecutorSpec): number {
  switch (spec.kind) {
    case 'iterations':
      return spec.concurrency;
    case 'vus':
      return spec.vus;
    case 'rate':
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * Starts offering load. `firstIndex` offsets operation indexes (warm-up uses its own range
 * so that it does not replay the measured indexes).
 */
export function startExecutor(spec: ExecutorSpec, ctx: ExecContext, firstIndex = 0): ExecutionHandle {
  switch (spec.kind) {
    case 'iterations': {
      let next = 0;
      const n = spec.iterations;
      return closedModel(ctx, Math.min(spec.concurrency, n), () => (next < n ? firstIndex + next++ : -1));
    }
    case 'vus': {
      let next = 0;
      if (spec.iterationsPerVu !== undefined) {
        const perVu = spec.iterationsPerVu;
        const left = new Array<number>(spec.vus).fill(perVu);
        return closedModel(ctx, spec.vus, (w) => {
          if ((left[w] as number) <= 0) return -1;
          left[w] = (left[w] as number) - 1;
          return firstIndex + next++;
        });
      }
      const deadline = nowOf(ctx)() + (spec.durationMs ?? 0);
      // The worker's own clock reading decides: exact, and no timer per worker.
      return closedModel(ctx, spec.vus, (_w, now) => (now < deadline ? firstIndex + next++ : -1));
    }
    case 'rate':
      return openModel(ctx, spec, firstIndex);
  }
}
