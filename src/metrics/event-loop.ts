/**
 * Event-loop delay: how late the loop runs a timer. In-process providers and the load
 * generator share one thread, so a saturated loop means measured latencies include queueing
 * inside the tool itself. Used to flag that, not to time operations.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelay {
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
}

export class LoopMonitor {
  private readonly h: IntervalHistogram;

  constructor(resolutionMs = 10) {
    this.h = monitorEventLoopDelay({ resolution: resolutionMs });
    this.h.enable();
  }

  read(): LoopDelay {
    const h = this.h;
    if (h.count === 0) return { p50Ns: 0, p99Ns: 0, maxNs: 0 };
    return { p50Ns: h.percentile(50), p99Ns: h.percentile(99), maxNs: h.max };
  }

  reset(): void {
    this.h.reset();
  }

  stop(): void {
    this.h.disable();
  }
}
