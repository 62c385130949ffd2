import type { PhaseResult, ProviderNames, ScenarioResult } from '../results/types.js';

/**
 * What the runner tells its subscribers. The runner never prints: the CLI turns these into
 * spinners, progress lines or nothing at all.
 */
export type RunEvent =
  | {
      type: 'scenario-start';
      scenario: string;
      description: string;
      phases: number;
      simulated: boolean;
      transport: string;
      /** Each provider's own `name` (a plugin's too). */
      names: ProviderNames;
    }
  | {
      type: 'phase-start';
      scenario: string;
      phase: string;
      op: string;
      index: number;
      phases: number;
      /** Operations planned, when the executor knows (iterations, vus x K). */
      plannedOps?: number;
      /** Planned duration, when the executor is time-based. */
      plannedMs?: number;
      progressEvery?: number;
    }
  | { type: 'progress'; scenario: string; phase: string; snapshot: ProgressSnapshot }
  | { type: 'phase-end'; scenario: string; phase: PhaseResult }
  | { type: 'scenario-end'; result: ScenarioResult }
  | { type: 'warning'; scenario: string; message: string };

export interface ProgressSnapshot {
  done: number;
  errors: number;
  elapsedMs: number;
  plannedOps?: number;
  plannedMs?: number;
  /** p99 of the successful operations so far, ns. */
  p99Ns: number;
  warmup: boolean;
}

export type RunEventListener = (event: RunEvent) => void;
