/**
 * The seed's second recommendation, for providers that need one: a fixed pool of
 * instances, each serving one call at a time (clients that hold a single connection or
 * are not safe to share). Callers beyond the pool's size wait in FIFO order; the wait is
 * part of the call's latency, as it is for the caller. The HTTP transport does not need
 * this: undici already keeps a pool of connections (providers.llm.connections).
 */
import { ProviderError } from '../provider-error.js';
import type { LLMConfig, LLMProvider, LLMResponse, Message, CallOptions } from '../types.js';

export interface ResourcePool<T> {
  /** Items free right now. */
  readonly available: number;
  /** Callers waiting for an item. */
  readonly waiting: number;
  readonly size: number;
  /** Calls that had to wait for an item (a running total). */
  readonly waits: number;
  acquire(): Promise<T>;
  release(item: T): void;
  /** acquire, run, release (also when `fn` throws). */
  use<R>(fn: (item: T) => Promise<R>): Promise<R>;
  /** Rejects every waiter; later acquires reject too. */
  close(): void;
}

interface Waiter<T> {
  resolve(item: T): void;
  reject(error: Error): void;
}

export function createPool<T>(items: readonly T[]): ResourcePool<T> {
  if (items.length === 0) throw new RangeError('a pool needs at least one item');
  const free: T[] = [...items];
  // A queue with a moving head: shift() on a long array is O(n).
  let queue: Array<Waiter<T> | undefined> = [];
  let head = 0;
  let waits = 0;
  let closed = false;
  const closedError = (): ProviderError => new ProviderError('PROVIDER_NOT_READY', 'provider pool is closed');

  const pool: ResourcePool<T> = {
    get available() {
      return free.length;
    },
    get waiting() {
      return queue.length - head;
    },
    size: items.length,
    get waits() {
      return waits;
    },
    acquire() {
      if (closed) return Promise.reject(closedError());
      const item = free.pop();
      if (item !== undefined) return Promise.resolve(item);
      waits++;
      return new Promise<T>((resolve, reject) => queue.push({ resolve, reject }));
    },
    release(item) {
      if (head < queue.length) {
        const w = queue[head] as Waiter<T>;
        queue[head++] = undefined;
        if (head > 1024 && head * 2 > queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
        w.resolve(item);
        return;
      }
      free.push(item);
    },
    async use(fn) {
      const item = await pool.acquire();
      try {
        return await fn(item);
      } finally {
        pool.release(item);
      }
    },
    close() {
      closed = true;
      const error = closedError();
      for (let i = head; i < queue.length; i++) queue[i]?.reject(error);
      queue = [];
      head = 0;
    },
  };
  return pool;
}

/** An LLM provider made of several instances of one, each serving one call at a time. */
export class PooledLLMProvider implements LLMProvider {
  readonly name: string;
  readonly simulated: boolean;
  private readonly instances: readonly LLMProvider[];
  private readonly pool: ResourcePool<LLMProvider>;

  constructor(instances: readonly LLMProvider[]) {
    const first = instances[0];
    if (first === undefined) throw new RangeError('a provider pool needs at least one instance');
    this.instances = instances;
    this.name = first.name;
    this.simulated = first.simulated;
    this.pool = createPool(instances);
  }

  get size(): number {
    return this.instances.length;
  }

  async initialize(): Promise<void> {
    await Promise.all(this.instances.map((p) => p.initialize()));
  }

  call(messages: readonly Message[], config?: LLMConfig, options?: CallOptions): Promise<LLMResponse> {
    return this.pool.use((p) => p.call(messages, config, options));
  }

  counters(): Readonly<Record<string, number>> {
    const sum: Record<string, number> = {};
    for (const p of this.instances) {
      for (const [k, v] of Object.entries(p.counters?.() ?? {})) sum[k] = (sum[k] ?? 0) + v;
    }
    sum['poolWaits'] = this.pool.waits;
    return sum;
  }

  async close(): Promise<void> {
    this.pool.close();
    await Promise.all(this.instances.map((p) => p.close()));
  }
}
