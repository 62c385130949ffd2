/**
 * Executors: how load is offered. The per-operation path is kept to two clock reads, one
 * histogram record and a few counter increments; timeouts are found by a watchdog tick, not
 * by racing every operation against a timer (a race against a long-lived promise costs
 * ~1.6 us an operation here and leaks a reaction each time).
 */
import { performance } from 'node:perf_hooks';
import type { LatencyRecorder } from '../metrics/histogram.js';
import type { ExecutorSpec, ScheduleStats } from '../results/types.js';
import { OperationTimeout, classifyError } from './errors.js';
import type { PreparedOp } from './operations.js';

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
    if (s) return s.catch(() => undefined);
  } catch {
    // Deliberately ignored: see above.
  }
  return undefined;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
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
  const slots: Slot[] = [];
  let active = 0;
  let resolveDone!: (v: undefined) => void;
  const done = new Promise<undefined>((r) => (resolveDone = r));
  const settle = op.settle;
  const abortable = op.abortable === true;

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
  let lastYield = performance.now();
  let pause: Promise<void> | undefined;
  const pauseDue = (now: number): Promise<void> | undefined => {
    if (pause === undefined && now - lastYield <= YIELD_EVERY_MS) return undefined;
    pause ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        pause = undefined;
        lastYield = performance.now();
        resolve();
      }),
    );
    return pause;
  };

  async function runSingle(slot: Slot, w: number): Promise<void> {
    for (;;) {
      if (ctx.stopped()) break;
      const t0 = performance.now();
      const i = take(w, t0);
      if (i < 0) break;
      slot.startedAt = t0;
      const parked = pauseDue(t0);
      if (parked !== undefined) {
        slot.startedAt = -1;
        await parked;
        if (slot.orphaned || ctx.stopped()) break;
        slot.startedAt = performance.now();
      }
      const start = slot.startedAt;
      try {
        let v: unknown;
        if (abortable) {
          slot.abort = new AbortController();
          v = op.run(i, slot.abort.signal);
        } else v = op.run(i);
        if (isThenable(v)) v = await v;
        if (slot.orphaned) return;
        const t1 = performance.now();
        slot.startedAt = -1;
        latency.record(Math.round((t1 - start) * 1e6));
        counters.ok++;
        counters.done++;
        if (settle) {
          const s = settleQuietly(settle, v);
          if (s) await s;
        }
      } catch (e) {
        if (slot.orphaned) return;
        slot.startedAt = -1;
        countError(counters, e);
      }
    }
    if (!slot.orphaned) exit();
  }

  async function runBatched(slot: Slot, w: number): Promise<void> {
    const size = ctx.batchSize;
    // Results wait here until the batch's clock has stopped: settle stays outside the timing,
    // as it does for operations timed one by one.
    const values: unknown[] | undefined = settle ? new Array<unknown>(size) : undefined;
    for (;;) {
      if (ctx.stopped()) break;
      let ok = 0;
      let n = 0;
      const t0 = performance.now();
      // The watchdog sees the batch's start, not each operation's: a batch lasts ~25 us, far
      // below any timeout, while a clock read per operation would double a 50 ns operation.
      slot.startedAt = t0;
      for (; n < size; n++) {
        // The batch's start stands for every operation in it (a batch lasts ~25 us).
        const i = take(w, t0);
        if (i < 0) break;
        try {
          let v = op.run(i);
          if (isThenable(v)) v = await v;
          if (slot.orphaned) return;
          if (values) values[ok] = v;
          slot.batchOk = ++ok;
        } catch (e) {
          if (slot.orphaned) return;
          countError(counters, e);
        }
      }
      const t1 = performance.now();
      slot.startedAt = -1;
      slot.batchOk = 0;
      const parked = pauseDue(t1);
      if (parked !== undefined) {
        await parked;
        if (slot.orphaned) return;
      }
      if (ok > 0) {
        latency.recordBatch((t1 - t0) * 1e6, ok);
        counters.ok += ok;
        counters.done += ok;
        if (values && settle) {
          for (let k = 0; k < ok; k++) {
            const v = values[k];
            values[k] = undefined;
            const s = settleQuietly(settle, v);
            if (s) await s;
          }
        }
      }
      if (n < size) break;
    }
    if (!slot.orphaned) exit();
  }

  const start = (w: number): void => {
    const slot: Slot = { startedAt: -1, orphaned: false, batchOk: 0 };
    slots[w] = slot;
    void (ctx.batchSize > 1 ? runBatched(slot, w) : runSingle(slot, w));
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
  const inFlight = new Set<Slot & { due: number }>();
  const stats: ScheduleStats = { late: 0, dropped: 0, maxLateNs: 0 };
  const intervalMs = 1000 / spec.rate;
  const total = Math.floor((spec.durationMs / 1000) * spec.rate);
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
      const t1 = performance.now();
      latency.record(Math.round((t1 - slot.due) * 1e6));
      ctx.serviceTime?.record(Math.round((t1 - slot.startedAt) * 1e6));
      counters.ok++;
      counters.done++;
      if (settle) {
        try {
          const s = settle(value);
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
      let v: unknown;
      if (abortable) {
        slot.abort = new AbortController();
        v = op.run(i, slot.abort.signal);
      } else v = op.run(i);
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

  // At most a Node timer's longest delay (~24.8 days; a longer one fires at once): the loop re-checks.
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.min(ms, 2_147_483_647)));

  const start = performance.now();
  void (async () => {
    for (let k = 0; k < total; ) {
      if (ctx.stopped()) break;
      const due = start + k * intervalMs;
      const now = performance.now();
      if (due > now) {
        // setTimeout fires up to ~1 ms late; sleep to just short of the start, then yield
        // turn by turn until it is due, so starts land within a fraction of a millisecond.
        if (due - now > SPIN_BELOW_MS) await sleep(due - now - SPIN_BELOW_MS);
        else await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      if (inFlight.size >= spec.maxInFlight) {
        stats.dropped++;
      } else {
        const lateNs = (now - due) * 1e6;
        if (lateNs > 1e6) stats.late++;
        if (lateNs > stats.maxLateNs) stats.maxLateNs = Math.round(lateNs);
        launch(firstIndex + k, due, now);
      }
      k++;
      // Yield now and then so completions and the tick run even when far behind schedule.
      if ((k & 63) === 0) await new Promise<void>((r) => setImmediate(r));
    }
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
      scheduling = false;
      resolveDone(stats);
    },
  };
}

/** Operations the executor plans, when it knows in advance. */
export function plannedOps(spec: ExecutorSpec): number | undefined {
  switch (spec.kind) {
    case 'iterations':
      return spec.iterations;
    case 'vus':
      return spec.iterationsPerVu !== undefined ? spec.vus * spec.iterationsPerVu : undefined;
    case 'rate':
      return Math.floor((spec.durationMs / 1000) * spec.rate);
  }
}

export function plannedMs(spec: ExecutorSpec): number | undefined {
  if (spec.kind === 'rate') return spec.durationMs;
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
      const deadline = performance.now() + (spec.durationMs ?? 0);
      // The worker's own clock reading decides: exact, and no timer per worker.
      return closedModel(ctx, spec.vus, (_w, now) => (now < deadline ? firstIndex + next++ : -1));
    }
    case 'rate':
      return openModel(ctx, spec, firstIndex);
  }
}
