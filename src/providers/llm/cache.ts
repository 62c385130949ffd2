/**
 * The seed's first recommendation: an LRU response cache with a TTL in front of an LLM
 * provider (any provider, plugins included). The key is the messages plus the call's
 * config; identical calls that arrive while the first is still in flight wait for it
 * instead of going to the model too (they count as hits: no model call was made for them).
 * Failures are not cached.
 */
import { LRUCache } from 'lru-cache';
import type { CacheConfig } from '../config.js';
import type { Clock, LLMConfig, LLMProvider, LLMResponse, Message, ToolSpec, CallOptions } from '../types.js';

export interface CachedLLMProviderDeps {
  /** TTL time source (tests use a manual clock). Default: performance.now(). */
  clock?: Clock;
}

export interface CacheCounters {
  /** Calls answered without calling the provider behind the cache (in-flight joins included). */
  cacheHits: number;
  /** Calls that went to the provider behind the cache. */
  cacheMisses: number;
  /** Hits that joined an identical call still in flight. */
  cacheJoins: number;
}

/** A cached answer as callers get it: their own top-level object, and no stream timing (nothing was streamed for them). */
function copyForHit(r: LLMResponse): LLMResponse {
  const { timing: _timing, ...rest } = r;
  return rest;
}

export class CachedLLMProvider implements LLMProvider {
  readonly name: string;
  readonly simulated: boolean;
  private readonly inner: LLMProvider;
  private readonly cache: LRUCache<string, LLMResponse>;
  private readonly inFlight = new Map<string, Promise<LLMResponse>>();
  private readonly toolKeys = new WeakMap<readonly ToolSpec[], string>();
  private hits = 0;
  private misses = 0;
  private joins = 0;

  constructor(inner: LLMProvider, config: CacheConfig, deps: CachedLLMProviderDeps = {}) {
    this.inner = inner;
    this.name = inner.name;
    this.simulated = inner.simulated;
    const clock = deps.clock;
    this.cache = new LRUCache<string, LLMResponse>({
      max: config.max,
      ...(config.ttlMs > 0 ? { ttl: config.ttlMs } : {}),
      // With an injected clock every TTL check reads it (lru-cache otherwise memoises "now" for 1 ms).
      // +1: lru-cache takes a start time of 0 for "no TTL", and a manual clock starts at 0.
      ...(clock !== undefined ? { perf: { now: () => clock.now() + 1 }, ttlResolution: 0 } : {}),
    });
  }

  /** The provider behind the cache. */
  get wrapped(): LLMProvider {
    return this.inner;
  }

  initialize(): Promise<void> {
    return this.inner.initialize();
  }

  private configKey(config: LLMConfig | undefined): string {
    if (config === undefined) return '';
    let tools = '';
    if (config.tools !== undefined && config.tools.length > 0) {
      // Callers (the agent) pass the same tool array on every call: serialise it once.
      tools = this.toolKeys.get(config.tools) ?? JSON.stringify(config.tools);
      this.toolKeys.set(config.tools, tools);
    }
    return `${config.model ?? ''}\u0000${config.temperature ?? ''}\u0000${config.maxTokens ?? ''}\u0000${tools}`;
  }

  /** The cache key of a call: config and messages, as text. */
  key(messages: readonly Message[], config?: LLMConfig): string {
    return `${this.configKey(config)}\u0001${JSON.stringify(messages)}`;
  }

  async call(messages: readonly Message[], config?: LLMConfig, options?: CallOptions): Promise<LLMResponse> {
    const key = this.key(messages, config);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.hits++;
      return copyForHit(cached);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.hits++;
      this.joins++;
      return copyForHit(await pending);
    }
    this.misses++;
    const p = this.inner.call(messages, config, options);
    this.inFlight.set(key, p);
    try {
      const r = await p;
      this.cache.set(key, copyForHit(r));
      return r;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Responses currently cached (expired ones may still count until they are looked up). */
  get size(): number {
    return this.cache.size;
  }

  counters(): Readonly<Record<string, number>> {
    const own: CacheCounters = { cacheHits: this.hits, cacheMisses: this.misses, cacheJoins: this.joins };
    return { ...(this.inner.counters?.() ?? {}), ...own };
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.inner.close();
  }
}
