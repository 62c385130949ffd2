/**
 * `run --trials N`: N runs of one scenario become one ScenarioResult. The per-trial figures
 * are kept (`trials`) for the rank test of `compare`; the main figures pool every operation
 * of every trial: latency percentiles from the merged HDR histograms (not a median of
 * per-trial percentiles, which has no meaning as a distribution), counts summed, and
 * throughput = all operations / all phase time. Memory snapshots, heap figures and intervals
 * are the first trial's: it ran in the freshest process, like a run without --trials.
 */
import { mergeScenarioParts } from '../results/merge.js';
import type { ScenarioResult, TrialResult } from '../results/types.js';

export function trialFigures(scenario: ScenarioResult): TrialResult {
  return {
    phases: scenario.phases.map((p) => ({
      name: p.name,
      count: p.count,
      throughput: p.throughput,
      p50: p.latency.p50,
      p90: p.latency.p90,
      p99: p.latency.p99,
      errors: p.errors,
    })),
  };
}

/**
 * Merges the trials of one scenario, in the order they ran. Targets are left to the caller
 * (they are evaluated on the merged figures). A phase missing from some trials (a crash,
 * an interruption) is merged from the trials that have it.
 */
export function mergeTrials(trials: readonly ScenarioResult[]): ScenarioResult {
  const first = trials[0];
  if (first === undefined) throw new Error('mergeTrials: no trials');
  if (trials.length === 1) return first;
  // The one merge of results (src/results/merge.ts), with time adding up: trials ran one after another.
  return { ...mergeScenarioParts(trials, { mode: 'sequential', label: (i) => `trial ${i + 1}` }), trials: trials.map(trialFigures) };
}
