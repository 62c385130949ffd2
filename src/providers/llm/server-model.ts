/**
 * A finite-capacity server: `slots` requests are served at once, the rest wait in FIFO order,
 * and beyond `queueLimit` waiting requests a new one is refused (a real engine answers 429 or
 * 503). Both the simulated transport and `mock-llm` use it, so an in-process run and an HTTP
 * run against the mock have the same knee: with 4 slots and a fixed 10 ms service time,
 * capacity is exactly 400 requests/s; below it latency stays at the service time, above it
 * the queue, and the latency with it, grows without bound.
 *
 * The model works in virtual time and is pure. Arrivals come in time order and each request's
 * service time is known when it arrives (the simulated model computes its answer first), so
 * FIFO fixes its start and end at once: it starts when it arrives or when the earliest slot
 * frees, whichever is later. The caller only has to deliver the answer at `endMs`. Two
 * consequences, both wanted: a late timer of one answer never delays the next request's start
 * (the schedule is the server's, not the event loop's), and tests of the queue need no clock
 * at all. What the model does not do: a request abandoned by its client keeps its slot until
 * its planned end (no preemption), as on engines that notice a disconnect only between steps.
 */

export interface ServerModelConfig {
  /** Requests served at once; undefined = unlimited (every request starts when it arrives). */
  slots?: number;
  /** Requests that may wait for a slot; undefined = unlimited. 0 = refuse whenever all slots are busy. */
  queueLimit?: number;
}

export interface Admission {
  /** When the request gets a slot (its arrival, or later when it queued), ms. */
  startMs: number;
  /** When its service ends and its slot frees, ms. */
  endMs: number;
  /** Requests already waiting when it arrived. */
  queuedAhead: number;
}

/** Throws a RangeError that names the bad setting; the messages say what is allowed. */
export function validateServerModel(cfg: ServerModelConfig): void {
  if (cfg.slots !== undefined && (!Number.isInteger(cfg.slots) || cfg.slots < 1)) {
    throw new RangeError(`slots must be a whole number >= 1 (or unset for unlimited), got ${cfg.slots}`);
  }
  if (cfg.queueLimit !== undefined && (!Number.isInteger(cfg.queueLimit) || cfg.queueLimit < 0)) {
    throw new RangeError(`queueLimit must be a whole number >= 0 (or unset for unlimited), got ${cfg.queueLimit}`);
  }
}

/** "4 slots, queue up to 100" / "unlimited slots": printed next to every result. */
export function describeServerModel(cfg: ServerModelConfig): string {
  if (cfg.slots === undefined) return 'unlimited slots';
  const queue = cfg.queueLimit === undefined ? 'unlimited queue' : cfg.queueLimit === 0 ? 'no queue' : `queue up to ${cfg.queueLimit}`;
  return `${cfg.slots} slot${cfg.slots === 1 ? '' : 's'}, ${queue}`;
}

/** Token-based service time: a fixed prefill plus a time per generated token, ms. */
export function tokenServiceMs(prefillMs: number, perTokenMs: number, completionTokens: number): number {
  return prefillMs + perTokenMs * Math.max(0, completionTokens);
}

/** Min-heap of the times at which each slot frees. */
class FreeTimes {
  private readonly heap: number[] = [];

  get size(): number {
    return this.heap.length;
  }

  min(): number {
    return this.heap[0] as number;
  }

  push(v: number): void {
    const h = this.heap;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as number) <= v) break;
      h[i] = h[p] as number;
      i = p;
    }
    h[i] = v;
  }

  /** Replaces the minimum with v (v >= the old minimum) and restores the heap. */
  replaceMin(v: number): void {
    const h = this.heap;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[c] as number) >= v) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = v;
  }
}

export class SlotQueue {
  readonly slots: number | undefined;
  readonly queueLimit: number | undefined;
  private readonly free = new FreeTimes();
  /** Start times of admitted requests that may still be waiting, in order (FIFO starts never decrease). */
  private starts: number[] = [];
  private head = 0;
  private refusedCount = 0;
  private admittedCount = 0;

  constructor(cfg: ServerModelConfig = {}) {
    validateServerModel(cfg);
    this.slots = cfg.slots;
    this.queueLimit = cfg.queueLimit;
  }

  /** Requests admitted so far. */
  get admitted(): number {
    return this.admittedCount;
  }

  /** Requests refused so far because the queue was full. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Requests waiting for a slot at `nowMs` (admitted, not started). */
  waiting(nowMs: number): number {
    this.forget(nowMs);
    return this.starts.length - this.head;
  }

  /**
   * A request arriving at `nowMs` that needs `serviceMs` in a slot. Returns when it starts and
   * ends, or undefined when it is refused (the queue is full). Arrivals must come in time order.
   */
  admit(nowMs: number, serviceMs: number): Admission | undefined {
    const service = Math.max(0, serviceMs);
    if (this.slots === undefined) {
      this.admittedCount++;
      return { startMs: nowMs, endMs: nowMs + service, queuedAhead: 0 };
    }
    const queuedAhead = this.waiting(nowMs);
    let startMs: number;
    if (this.free.size < this.slots) {
      // A slot never used yet: free since the beginning of time. (FIFO: nobody can be waiting
      // while a slot is unused, so queuedAhead is 0 here.)
      startMs = nowMs;
      this.free.push(startMs + service);
    } else {
      const earliest = this.free.min();
      if (earliest > nowMs && this.queueLimit !== undefined && queuedAhead >= this.queueLimit) {
        this.refusedCount++;
        return undefined;
      }
      startMs = Math.max(nowMs, earliest);
      this.free.replaceMin(startMs + service);
    }
    if (startMs > nowMs) this.starts.push(startMs);
    this.admittedCount++;
    return { startMs, endMs: startMs + service, queuedAhead };
  }

  /** Drops the starts that have passed; compacts the array now and then. */
  private forget(nowMs: number): void {
    const s = this.starts;
    while (this.head < s.length && (s[this.head] as number) <= nowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > s.length) {
      this.starts = s.slice(this.head);
      this.head = 0;
    }
  }
}
