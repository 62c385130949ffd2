/**
 * The measurement floor beside sub-microsecond results. Timing one operation costs the
 * harness ~100 ns on these machines (two clock reads and a histogram record), so a 300 ns
 * p50 is a third harness; a reader must see that next to the figure. Pure: renderers call
 * these and place the text where their format wants it.
 */
import type { Calibration, PhaseResult, RunResult } from '../results/types.js';
import { formatNs as ns } from '../util/units.js';

/** Results with a p50 below this are shown with the floor. */
export const SUB_MICROSECOND_NS = 1_000;

/** The overhead that applies to a phase's figures: per batch-timed operation, or per timed operation. */
export function phaseFloorNs(phase: Pick<PhaseResult, 'batchTimed'>, calibration: Calibration): number {
  return phase.batchTimed ? calibration.batchOverheadNs : calibration.harnessOverheadNs;
}

export function isSubMicrosecond(phase: Pick<PhaseResult, 'latency'>): boolean {
  return phase.latency.count > 0 && phase.latency.p50 > 0 && phase.latency.p50 < SUB_MICROSECOND_NS;
}

/**
 * One line for a report, when the run has sub-microsecond results and knows its floor; else
 * undefined. E.g. "floor: this machine's harness overhead is 112ns per timed operation and
 * 15ns per batch-timed one (cluster-bench calibrate, measured 2026-11-25, cached); the
 * sub-microsecond results include it: store-retrieve › retrieve p50 286ns (batch-timed)".
 */
export function floorNote(result: Pick<RunResult, 'environment' | 'scenarios'>): string | undefined {
  const cal = result.environment.calibration;
  if (cal === undefined) return undefined;
  const fast: string[] = [];
  for (const s of result.scenarios) {
    for (const p of s.phases) {
      if (!isSubMicrosecond(p)) continue;
      fast.push(`${s.name} › ${p.name} p50 ${ns(p.latency.p50)} (${p.batchTimed ? 'batch-timed' : 'timed one by one'}, floor ${ns(phaseFloorNs(p, cal))})`);
    }
  }
  if (fast.length === 0) return undefined;
  const when = cal.measuredAt.slice(0, 10);
  return (
    `floor: this machine's harness overhead is ${ns(cal.harnessOverheadNs)} per timed operation and ${ns(cal.batchOverheadNs)} per ` +
    `batch-timed one (cluster-bench calibrate, measured ${when}${cal.cached ? ', cached' : ''}); ` +
    `the sub-microsecond results include it: ${fast.join('; ')}`
  );
}
