/**
 * Messages between the main thread and the worker threads of `run --workers`. Everything
 * is plain data (structured clone): scenarios, events and results, histograms encoded.
 * Functions do not cross threads, so plugins travel as the module paths in the scenario.
 */
import type { ScenarioResult } from '../results/types.js';
import type { Scenario } from '../scenarios/types.js';
import type { RunEvent } from './events.js';
import type { Part } from './split.js';

export interface WorkerInput {
  scenario: Scenario;
  /** The run's seed; the worker derives its part's own (split.ts partSeed). */
  seed: number;
  /** Nested parts down to this worker: [shard?, worker]. */
  parts: Part[];
  graceMs: number;
  /** How often the worker sends its figures so far (kept by the main thread in case it must be stopped by force). */
  checkpointMs: number;
  /** The environment providers read (an HTTP endpoint's API key): the CLI's, not the worker's own. */
  env?: Record<string, string | undefined>;
}

export type FromWorker =
  | { type: 'hello'; timeOrigin: number }
  | { type: 'event'; event: RunEvent }
  /** Warm-up of phase `phase` done: waiting for the common start. */
  | { type: 'ready'; phase: number }
  | { type: 'checkpoint'; partial: ScenarioResult }
  | { type: 'done'; result: ScenarioResult };

export type ToWorker =
  /** Start phase `phase`'s measured run at `t0` (performance.now() of the worker's own clock). */
  | { type: 'start'; phase: number; t0: number }
  /** Stop offering load (interrupt, or another worker crashed), finish in-flight, report. */
  | { type: 'stop' };
