/**
 * A result's specs in words. The runner writes these into each phase's description and the
 * report falls back on them for results that have none, so both say it the same way.
 */
import { basename } from 'node:path';
import { formatCount, formatMs } from '../util/units.js';
import type { ExecutorSpec } from './types.js';

/** How the load was offered: "1,000 operations, 4 at a time", "50 operations/s for 1m (open model, ...)". */
export function describeExecutor(e: ExecutorSpec): string {
  switch (e.kind) {
    case 'iterations':
      return `${formatCount(e.iterations)} operations, ${e.concurrency > 1 ? `${formatCount(e.concurrency)} at a time` : 'one at a time'}`;
    case 'vus': {
      const each = e.iterationsPerVu !== undefined ? `${formatCount(e.iterationsPerVu)} operations each` : `for ${formatMs(e.durationMs ?? 0)}`;
      return `${formatCount(e.vus)} virtual users, ${each}`;
    }
    case 'rate': {
      const cap = `at most ${formatCount(e.maxInFlight)} in flight`;
      if (e.arrival === 'trace') {
        const speed = (e.speed ?? 1) !== 1 ? ` at ${e.speed}x speed` : '';
        const first = e.durationMs > 0 ? `, the first ${formatMs(e.durationMs)}` : '';
        return `trace replay of ${e.trace !== undefined ? basename(e.trace) : 'a file'}${speed}${first} (open model, ${cap})`;
      }
      const pattern = e.arrival === 'poisson' ? ((e.burst ?? 1) === 1 ? ', Poisson arrivals' : `, bursty arrivals (gap CV ${e.burst})`) : '';
      return `${formatCount(e.rate)} operations/s for ${formatMs(e.durationMs)} (open model${pattern}, ${cap})`;
    }
  }
}
