/**
 * The reference memory provider: per-session message history with a sliding window, idle
 * expiry and a session cap, on lru-cache. Time comes from the injected clock (lru-cache's
 * `perf` option), so expiry is testable without sleeping, and there are no purge timers:
 * expired sessions go on access or on `sweep()`, which a soak scenario calls periodically.
 *
 * Messages are stored by reference, not copied (shared ownership, like the seed's Arc):
 * callers must treat stored messages as immutable. retrieve() returns a fresh array, so a
 * caller can change the array it gets but not the session behind it.
 */
import { LRUCache } from 'lru-cache';
import type { MemoryProviderConfig } from '../config.js';
import type { Clock, MemoryProvider, MemoryStats, Message } from '../types.js';
import { ProviderError } from '../provider-error.js';

export interface SessionMemoryProviderDeps {
  clock: Clock;
}

/**
 * A session's window: live messages are buf[start..]. Dropping old messages moves `start`;
 * the array is compacted once the dead prefix outgrows the window, so each message is
 * copied at most once more: amortised O(1) per stored message, no shift() per store.
 */
interface Session {
  buf: Message[];
  start: number;
}

/**
 * lru-cache treats a start time of 0 as "no TTL" (it stores 0 for items without one), so a
 * manual clock that starts at 0 would make the first sessions immortal. Shifting the time
 * base by a constant changes no age.
 */
const TIME_BASE_MS = 1;

export function validateMemoryConfig(config: MemoryProviderConfig): string[] {
  const problems: string[] = [];
  const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (!isInt(config.windowSize, 1)) problems.push(`windowSize: must be an integer >= 1, got ${String(config.windowSize)}`);
  if (!(typeof config.idleTtlMs === 'number' && Number.isFinite(config.idleTtlMs) && config.idleTtlMs >= 0)) {
    problems.push(`idleTtlMs: must be a finite number >= 0 (0 = never expire), got ${String(config.idleTtlMs)}`);
  }
  if (!isInt(config.maxSessions, 1)) problems.push(`maxSessions: must be an integer >= 1, got ${String(config.maxSessions)}`);
  return problems;
}

export class SessionMemoryProvider implements MemoryProvider {
  readonly name = 'session-memory';
  private readonly config: MemoryProviderConfig;
  private readonly clock: Clock;
  private cache: LRUCache<string, Session> | undefined;
  private closed = false;
  private messageCount = 0;
  private expiredCount = 0;
  private evictedCount = 0;

  constructor(config: MemoryProviderConfig, deps: SessionMemoryProviderDeps) {
    this.config = config;
    this.clock = deps.clock;
  }

  async initialize(): Promise<void> {
    if (this.closed) throw new ProviderError('PROVIDER_NOT_READY', 'session memory: initialize() after close()');
    if (this.cache !== undefined) return;
    const problems = validateMemoryConfig(this.config);
    if (problems.length > 0) {
      throw new ProviderError('PROVIDER_CONFIG_INVALID', `session memory: invalid config: ${problems.join('; ')}`);
    }
    const clock = this.clock;
    // The cap is a maxSize of one unit per session rather than `max`: with `max`, lru-cache
    // preallocates index arrays for every possible session (~9 ms and megabytes for the
    // default 100,000), a cost the seed's provider does not pay at start-up; this way the
    // index grows with the sessions actually used.
    this.cache = new LRUCache<string, Session>({
      maxSize: this.config.maxSessions,
      sizeCalculation: () => 1,
      // lru-cache takes whole milliseconds only (a fractional TTL failed initialize()).
      ttl: Math.ceil(this.config.idleTtlMs),
      updateAgeOnGet: true,
      ttlAutopurge: false,
      // 0 = read the clock on every check instead of caching it behind a 1 ms timer:
      // no timers at all, and a manual clock's advance() is seen at once.
      ttlResolution: 0,
      perf: { now: () => clock.now() + TIME_BASE_MS },
      dispose: (session, _key, reason) => {
        this.messageCount -= session.buf.length - session.start;
        if (reason === 'evict') this.evictedCount++;
        else if (reason === 'expire') this.expiredCount++;
      },
    });
  }

  private ready(op: string): LRUCache<string, Session> {
    if (this.cache === undefined || this.closed) {
      throw new ProviderError(
        'PROVIDER_NOT_READY',
        `session memory: ${op}() ${this.closed ? 'after close()' : 'before initialize()'}`,
      );
    }
    return this.cache;
  }

  private append(cache: LRUCache<string, Session>, sessionId: string, messages: readonly Message[]): void {
    const n = messages.length;
    if (n === 0) return;
    // get() refreshes the idle age (updateAgeOnGet) and drops the session if it had expired.
    let session = cache.get(sessionId);
    if (session === undefined) {
      session = { buf: [], start: 0 };
      cache.set(sessionId, session);
    }
    const window = this.config.windowSize;
    const buf = session.buf;
    const before = buf.length - session.start;
    for (let i = 0; i < n; i++) buf.push(messages[i] as Message);
    let live = buf.length - session.start;
    if (live > window) {
      session.start = buf.length - window;
      live = window;
      if (session.start >= window) {
        buf.copyWithin(0, session.start);
        buf.length = window;
        session.start = 0;
      }
    }
    this.messageCount += live - before;
  }

  async store(sessionId: string, messages: readonly Message[]): Promise<void> {
    this.append(this.ready('store'), sessionId, messages);
  }

  async storeBatch(entries: ReadonlyArray<{ sessionId: string; messages: readonly Message[] }>): Promise<void> {
    const cache = this.ready('storeBatch');
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as { sessionId: string; messages: readonly Message[] };
      this.append(cache, e.sessionId, e.messages);
    }
  }

  async retrieve(sessionId: string, limit: number): Promise<Message[]> {
    const session = this.ready('retrieve').get(sessionId);
    if (session === undefined || !(limit > 0)) return [];
    const buf = session.buf;
    const live = buf.length - session.start;
    const n = limit < live ? Math.floor(limit) : live;
    return buf.slice(buf.length - n);
  }

  async sweep(): Promise<number> {
    const cache = this.ready('sweep');
    const before = this.expiredCount;
    cache.purgeStale();
    return this.expiredCount - before;
  }

  stats(): MemoryStats {
    return {
      sessions: this.cache?.size ?? 0,
      messages: this.messageCount,
      expired: this.expiredCount,
      evicted: this.evictedCount,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // clear() disposes every session (reason 'delete'), which brings the message count to 0.
    this.cache?.clear();
    this.cache = undefined;
  }
}
