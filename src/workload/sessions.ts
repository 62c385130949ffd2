/**
 * Which conversation the next operation continues. Up to `cap` conversations are open at
 * once (a phase's `sessions`), each one turn at a time: a conversation's next turn can only
 * start once its previous turn has finished and its think time has passed, because that
 * turn's history must already be in memory.
 *
 * An operation takes, in this order:
 *  1. while fewer than `cap` conversations are open, a new one (so `cap` users interleave);
 *  2. a conversation that is idle and ready: the one ready longest (`even`), or one drawn by
 *     `zipf(s)` popularity over the slots (the next ready slot after the drawn one if that
 *     one is busy or thinking);
 *  3. when every idle conversation is still thinking: the closed model (iterations, vus)
 *     waits for the first to be ready, outside the timing, as a user's think time; the open
 *     model (rate), whose arrivals come when they come, opens another conversation;
 *  4. when all are busy: another conversation, beyond the cap (counted as `overCap`).
 * A finished conversation's slot takes the next conversation from the source.
 *
 * Trace arrivals may name a session: such an arrival continues that session's conversation
 * (its own slot, outside the cap), whatever its think time says: the trace decides the time.
 *
 * The clock is injected (ms), so the rules are tested without waiting.
 */
import type { Random } from '../providers/types.js';
import type { ConversationSource } from './dataset.js';
import { createZipf, type Popularity } from './distributions.js';
import type { Conversation, Turn } from './record.js';

export interface Slot {
  /** Position 0..cap-1 (zipf draws it); -1 for slots beyond the cap and for named sessions. */
  readonly index: number;
  conversation: Conversation | undefined;
  /** The next turn's index in the conversation. */
  next: number;
  busy: boolean;
  /** When the next turn may start (its think time after the last turn ended), ms. */
  readyAt: number;
  /** Position in the idle heap; -1 when not in it. */
  heapPos: number;
  /** Order of entering the idle heap: ties of readyAt go first in, first out. */
  heapSeq?: number;
  /** The trace session this slot belongs to. */
  readonly ref?: string;
}

export interface Assignment {
  slot: Slot;
  conversation: Conversation;
  turn: Turn;
  /** 0 for the first turn of a conversation. */
  turnIndex: number;
  /** Think time still to wait before the turn (closed model), ms; 0 when ready. */
  waitMs: number;
}

export interface PoolStats {
  /** Conversations opened. */
  conversations: number;
  /** Turns handed out. */
  turns: number;
  /** Conversations whose every turn was handed out. */
  finished: number;
  /** Conversations opened beyond the cap (everything busy, or thinking under the open model). */
  overCap: number;
  /** Turns that waited for their think time (closed model), and the total wait, ms. */
  thinkWaits: number;
  thinkWaitMs: number;
}

export interface PoolOptions {
  source: ConversationSource;
  /** Conversations open at once (more only when all are busy). */
  cap: number;
  popularity: Popularity;
  random: Random;
  now: () => number;
  /** Think times are multiplied by this (default 1). */
  thinkTimeScale?: number;
}

/** a goes before b: the earlier ready time, then the earlier to become idle. */
function before(a: Slot, b: Slot): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && (a.heapSeq ?? 0) < (b.heapSeq ?? 0));
}

/** A binary min-heap of idle slots by readyAt, with positions kept so any slot can be removed. */
class IdleHeap {
  private readonly items: Slot[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): Slot | undefined {
    return this.items[0];
  }

  push(s: Slot): void {
    s.heapSeq = this.seq++;
    s.heapPos = this.items.length;
    this.items.push(s);
    this.up(s.heapPos);
  }

  remove(s: Slot): void {
    const i = s.heapPos;
    if (i < 0) return;
    const last = this.items.pop() as Slot;
    s.heapPos = -1;
    if (last === s) return;
    this.items[i] = last;
    last.heapPos = i;
    this.down(i);
    this.up(last.heapPos);
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as Slot;
    const b = this.items[j] as Slot;
    this.items[i] = b;
    this.items[j] = a;
    a.heapPos = j;
    b.heapPos = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(this.items[i] as Slot, this.items[p] as Slot)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && before(this.items[l] as Slot, this.items[m] as Slot)) m = l;
      if (r < n && before(this.items[r] as Slot, this.items[m] as Slot)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

export class ConversationPool {
  private readonly source: ConversationSource;
  private readonly cap: number;
  private readonly now: () => number;
  private readonly thinkScale: number;
  private readonly slots: Slot[] = [];
  private readonly idle = new IdleHeap();
  private readonly named = new Map<string, Slot>();
  private readonly zipf: (() => number) | undefined;
  readonly stats: PoolStats = { conversations: 0, turns: 0, finished: 0, overCap: 0, thinkWaits: 0, thinkWaitMs: 0 };

  constructor(opts: PoolOptions) {
    this.source = opts.source;
    this.cap = Math.max(1, opts.cap);
    this.now = opts.now;
    this.thinkScale = opts.thinkTimeScale ?? 1;
    this.zipf = opts.popularity.kind === 'zipf' ? createZipf(this.cap, opts.popularity.s, opts.random) : undefined;
  }

  /**
   * The next turn, reserved (call `release` when it has run); undefined when a new
   * conversation is needed and the source has none at hand: await `source.ready()` and ask
   * again. `mode`: `closed` may hand out a conversation still thinking, with the wait in
   * waitMs; `open` opens another conversation instead; `batch` (store-batch) takes the next
   * idle one whatever its think time says.
   */
  take(opts: { mode: 'closed' | 'open' | 'batch'; ref?: string | undefined }): Assignment | undefined {
    const now = this.now();
    if (opts.ref !== undefined) {
      const slot = this.named.get(opts.ref);
      if (slot === undefined) {
        const c = this.source.next();
        if (c === undefined) return undefined;
        const s: Slot = { index: -1, conversation: undefined, next: 0, busy: false, readyAt: now, heapPos: -1, ref: opts.ref };
        this.named.set(opts.ref, s);
        return this.assign(s, c, 0);
      }
      if (!slot.busy) {
        if (slot.conversation === undefined) {
          const c = this.source.next();
          if (c === undefined) return undefined;
          return this.assign(slot, c, 0);
        }
        return this.assign(slot, undefined, 0);
      }
      // The trace sends this session's next message while its last one is still in flight:
      // it cannot continue that conversation (its history is not stored yet), so it is served
      // like an arrival without a name.
    }
    if (this.slots.length < this.cap) {
      const c = this.source.next();
      if (c === undefined) return undefined;
      const s: Slot = { index: this.slots.length, conversation: undefined, next: 0, busy: false, readyAt: now, heapPos: -1 };
      this.slots.push(s);
      return this.assign(s, c, 0);
    }
    let chosen: Slot | undefined;
    if (this.zipf !== undefined) {
      const first = this.zipf();
      for (let k = 0; k < this.slots.length; k++) {
        const s = this.slots[(first + k) % this.slots.length] as Slot;
        if (!s.busy && s.readyAt <= now) {
          chosen = s;
          break;
        }
      }
    } else {
      const top = this.idle.peek();
      if (top !== undefined && top.readyAt <= now) chosen = top;
    }
    if (chosen === undefined && opts.mode !== 'open') chosen = this.idle.peek();
    if (chosen !== undefined) {
      let c: Conversation | undefined;
      if (chosen.conversation === undefined) {
        c = this.source.next();
        if (c === undefined) return undefined;
      }
      this.idle.remove(chosen);
      const wait = opts.mode === 'closed' ? Math.max(0, chosen.readyAt - now) : 0;
      if (wait > 0) {
        this.stats.thinkWaits++;
        this.stats.thinkWaitMs += wait;
      }
      return this.assign(chosen, c, wait);
    }
    const c = this.source.next();
    if (c === undefined) return undefined;
    this.stats.overCap++;
    return this.assign({ index: -1, conversation: undefined, next: 0, busy: false, readyAt: now, heapPos: -1 }, c, 0);
  }

  private assign(slot: Slot, fresh: Conversation | undefined, waitMs: number): Assignment {
    if (fresh !== undefined) {
      slot.conversation = fresh;
      slot.next = 0;
      this.stats.conversations++;
    }
    const conversation = slot.conversation as Conversation;
    const turnIndex = slot.next;
    slot.busy = true;
    this.stats.turns++;
    return { slot, conversation, turn: conversation.turns[turnIndex] as Turn, turnIndex, waitMs };
  }

  /** The turn has run (or failed: the conversation moves on either way, as a user would). */
  release(a: Assignment): void {
    const slot = a.slot;
    const now = this.now();
    slot.busy = false;
    slot.next = a.turnIndex + 1;
    const conversation = slot.conversation as Conversation;
    if (slot.next >= conversation.turns.length) {
      this.stats.finished++;
      slot.conversation = undefined;
      slot.next = 0;
      // Beyond the cap: the slot goes with its conversation.
      if (slot.index < 0 && slot.ref === undefined) return;
      slot.readyAt = now;
    } else {
      slot.readyAt = now + (conversation.turns[slot.next] as Turn).thinkTimeMs * this.thinkScale;
    }
    if (slot.ref === undefined) this.idle.push(slot);
  }
}
