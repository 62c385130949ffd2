/**
 * The body of one worker thread of `run --workers`: builds its own providers, runs its part
 * of the scenario (runScenario with a part path), and reports to the main thread. It never
 * sees signals (Node delivers them to the main thread only): it stops when told to.
 *
 * Loaded from dist/ (Node 20 cannot load .ts in a Worker): see workers.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { runScenario } from './run-scenario.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-protocol.js';

/** setTimeout fires up to ~1 ms late: sleep to just short of t0, then yield turn by turn. */
const SPIN_BELOW_MS = 1.5;

async function until(t0: number, stopped: () => boolean): Promise<void> {
  for (;;) {
    const left = t0 - performance.now();
    if (left <= 0 || stopped()) return;
    if (left > SPIN_BELOW_MS) await new Promise((r) => setTimeout(r, left - SPIN_BELOW_MS));
    else await new Promise((r) => setImmediate(r));
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker-main runs only as a worker thread');
  const input = workerData as WorkerInput;
  const post = (m: FromWorker): void => port.postMessage(m);
  const controller = new AbortController();
  const starts = new Map<number, (t0: number) => void>();
  const early = new Map<number, number>();

  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      controller.abort();
      // A worker waiting at the start line goes on at once, straight into a stopped phase.
      for (const resolve of starts.values()) resolve(performance.now());
      starts.clear();
    } else if (m.type === 'start') {
      const resolve = starts.get(m.phase);
      if (resolve) {
        starts.delete(m.phase);
        resolve(m.t0);
      } else early.set(m.phase, m.t0);
    }
  });
  post({ type: 'hello', timeOrigin: performance.timeOrigin });

  const stopped = (): boolean => controller.signal.aborted;
  const result = await runScenario(input.scenario, {
    seed: input.seed,
    parts: input.parts,
    signal: controller.signal,
    graceMs: input.graceMs,
    checkpointMs: input.checkpointMs,
    ...(input.env !== undefined ? { env: input.env } : {}),
    onEvent: (event) => post({ type: 'event', event }),
    onCheckpoint: (partial) => post({ type: 'checkpoint', partial }),
    startGate: async (phase) => {
      if (stopped()) return performance.now();
      const t0 = await new Promise<number>((resolve) => {
        const known = early.get(phase);
        if (known !== undefined) resolve(known);
        else starts.set(phase, resolve);
        post({ type: 'ready', phase });
      });
      await until(t0, stopped);
      return Math.min(t0, performance.now());
    },
  });
  post({ type: 'done', result });
}

// An error escaping here is the worker crashing: the main thread's 'error' handler reports it.
await main();
