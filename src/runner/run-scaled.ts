/**
 * One scenario run as `run`'s scale-out flags say: on the main thread (today's run), on
 * worker threads, as one shard of a run spread over machines, or as a shard on threads.
 */
import { performance } from 'node:perf_hooks';
import type { ScenarioResult } from '../results/types.js';
import type { Scenario } from '../scenarios/types.js';
import { runScenario, type RunOptions } from './run-scenario.js';
import type { Part } from './split.js';
import { autoWorkers, mainThreadReason, runScenarioInWorkers } from './workers.js';

/** `--workers`: a number of threads, or one per core. */
export type WorkersFlag = number | 'auto';

export interface ScaleOut {
  workers: WorkersFlag | undefined;
  shard: Part | undefined;
  /** Epoch ms before which the first measured phase must not start. */
  startAtMs: number | undefined;
}

/** Workers for one scenario: the flag, else the scenario's own setting, else 1. */
export function workersFor(scenario: Scenario, flag: WorkersFlag | undefined): number {
  const asked = flag ?? scenario.workers ?? 1;
  return asked === 'auto' ? autoWorkers() : asked;
}

/**
 * Runs one scenario as the flags say: on the main thread (today's run), on worker threads,
 * as a shard, or as a shard on worker threads. Returns the result and says (through `note`)
 * when a memory-measuring scenario stays on the main thread.
 */
export async function runScaled(scenario: Scenario, base: RunOptions, scale: ScaleOut, note: (line: string) => void): Promise<ScenarioResult> {
  const asked = workersFor(scenario, scale.workers);
  const reason = asked > 1 ? mainThreadReason(scenario) : undefined;
  const workers = reason !== undefined ? 1 : asked;
  if (reason !== undefined) note(`${scenario.name}: runs on the main thread: ${reason}`);
  const notBefore = scale.startAtMs !== undefined ? scale.startAtMs - performance.timeOrigin : undefined;
  if (notBefore !== undefined) {
    const wait = notBefore - performance.now();
    if (wait > 0) note(`${scenario.name}: its first measured phase starts at ${new Date(scale.startAtMs!).toISOString()} (in ${(wait / 1000).toFixed(1)} s)`);
    else note(`${scenario.name}: --start-at passed ${(-wait / 1000).toFixed(1)} s ago: starting now`);
  }
  let result: ScenarioResult;
  if (workers > 1) {
    result = await runScenarioInWorkers(scenario, {
      ...base,
      workers,
      ...(scale.shard ? { shard: scale.shard } : {}),
      ...(notBefore !== undefined ? { notBefore } : {}),
    });
  } else if (scale.shard === undefined && notBefore === undefined) {
    // Exactly today's single-thread run.
    result = await runScenario(scenario, base);
  } else {
    const stop = base.signal;
    result = await runScenario(scenario, {
      ...base,
      ...(scale.shard ? { parts: [scale.shard] } : {}),
      startGate: async (phase) => {
        if (phase === 0 && notBefore !== undefined) await sleepUntil(notBefore, stop);
        return performance.now();
      },
    });
  }
  if (asked > 1 && workers === 1) return { ...result, execution: { workers: 1, mainThreadReason: reason as string } };
  return result;
}

async function sleepUntil(t: number, signal: AbortSignal | undefined): Promise<void> {
  while (!signal?.aborted) {
    const left = t - performance.now();
    if (left <= 0) return;
    await new Promise((r) => (left > 1.5 ? setTimeout(r, Math.min(left - 1.5, 500)) : setImmediate(r)));
  }
}
