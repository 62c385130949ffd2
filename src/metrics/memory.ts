/**
 * Heap figures after a forced GC, so that what is measured is what is retained, not what
 * is waiting for collection. `--expose-gc` is switched on at run time (no node flag needed).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gcFn: (() => void) | undefined;

/** The V8 `gc` function, obtained without requiring the user to pass --expose-gc. */
export function getGc(): () => void {
  if (!gcFn) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') {
      gcFn = existing;
    } else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  return gcFn;
}

export interface HeapReading {
  heapUsed: number;
  rss: number;
}

/** Two full collections: the first can leave objects whose finalizers free more. */
export function heapAfterGc(): HeapReading {
  const gc = getGc();
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

/**
 * A young-generation collection (~0.1-1 ms): empties the nursery, so that a short
 * measurement that allocates less than the nursery holds does not contain a collection.
 */
export function minorGc(): void {
  (getGc() as (options?: { type: 'minor' | 'major' }) => void)({ type: 'minor' });
}
