/**
 * `run --workers N`: one scenario on N worker threads of this process. Each worker builds its
 * own providers and runs its part of every phase (split.ts); the main thread only
 * coordinates: it starts each phase's measured run on every worker from one t0 after a ready
 * barrier, sums their progress, keeps their latest figures, and merges their results exactly
 * (results/merge.ts: encoded histograms added, throughput over the union of windows).
 *
 * Only the main thread sees signals: an interrupt (or a crashing worker) tells every worker
 * to stop; each finishes its in-flight operations within the grace period and reports. One
 * that does not is terminated, and its last checkpoint stands in for it, flagged.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { mergePhases, mergeScenarioParts, warningKind } from '../results/merge.js';
import type { PhaseResult, ScenarioResult } from '../results/types.js';
import type { Scenario } from '../scenarios/types.js';
import { LEAK_MIN_SPAN_MS } from '../metrics/series.js';
import type { ProgressSnapshot, RunEvent } from './events.js';
import type { RunOptions } from './run-scenario.js';
import { shareOps, splitPhase, type Part } from './split.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-protocol.js';

/** Between the last worker's "ready" and t0: room for the start message to reach every thread. */
const START_MARGIN_MS = 20;
/** After the grace period, how long a stopping worker may take to build and send its result. */
const REPORT_MS = 3_000;
/** Workers send their figures this often (at most), for the case they must be stopped by force. */
const WORKER_CHECKPOINT_MS = 2_000;
/** Combined progress is passed on at most this often. */
const PROGRESS_MS = 200;

/** `auto`: one worker per core the process may use. */
export function autoWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

/** Largest and smallest semi-space a worker gets (MB); V8's own default maximum is 16 MB. */
const MAX_SEMI_SPACE_MB = 128;
const MIN_SEMI_SPACE_MB = 16;

/**
 * The semi-space (MB) of each worker's young generation: as large as MAX_SEMI_SPACE_MB, within
 * an eighth of the machine's memory for all workers together (a young generation is two
 * semi-spaces). Why: a load generator keeps every in-flight operation alive, so with 1,000
 * users most objects outlive V8's default 1-16 MB young generation, get copied by scavenges
 * and promoted, and the scavenger ate ~25 % of a stress run's CPU. With 128 MB from the start,
 * scavenges fall from ~210 to ~25 per run (`node --trace-gc`, see docs/scale-out.md).
 */
export function workerSemiSpaceMb(workers: number, totalMemoryBytes: number): number {
  const share = Math.floor(totalMemoryBytes / 8 / Math.max(1, workers) / 2 / 2 ** 20);
  return Math.max(MIN_SEMI_SPACE_MB, Math.min(MAX_SEMI_SPACE_MB, share));
}

/**
 * Sizes the young generation of the worker isolates started after this call. Worker
 * resourceLimits can set a maximum but not the starting size, and V8 grows a semi-space too
 * late for a 3-second stress run; its heap flags are read when an isolate is created, so
 * setting them here reaches the workers and leaves this (already created) thread alone.
 */
export function sizeWorkerHeaps(workers: number, totalMemoryBytes = os.totalmem()): number {
  const mb = workerSemiSpaceMb(workers, totalMemoryBytes);
  // Maximum first: V8 clamps the minimum to the maximum in force.
  v8.setFlagsFromString(`--max-semi-space-size=${mb}`);
  v8.setFlagsFromString(`--min-semi-space-size=${mb}`);
  return mb;
}

/**
 * Why a scenario must run on the main thread whatever --workers says, or undefined. A
 * simulated server of finite capacity (providers.llm.slots) is one queue, and every thread
 * would have its own copy. Heap figures of separate isolates do not add up: heapDelta
 * targets, and the leak verdict of a phase long enough to have one, read the heap.
 */
export function mainThreadReason(scenario: Scenario): string | undefined {
  const llm = scenario.providers.llm;
  if (llm.slots !== undefined && llm.baseUrl === undefined && llm.module === undefined) {
    // Each thread builds its own providers: N threads would be N servers, N times the capacity.
    return `its simulated LLM server has ${llm.slots} slot${llm.slots === 1 ? '' : 's'} behind one queue, and each thread would build a server of its own`;
  }
  if (scenario.targets.some((t) => t.stat === 'heapDelta')) {
    return 'it measures memory (heapDelta targets), and heaps of separate threads do not add up';
  }
  const long = scenario.phases.find((p) => {
    const e = p.executor;
    const duration = e.kind === 'rate' || e.kind === 'vus' ? e.durationMs : undefined;
    return duration !== undefined && duration >= 2 * LEAK_MIN_SPAN_MS && p.intervalMs >= 1_000;
  });
  if (long !== undefined) {
    return `phase "${long.name}" is long enough for a leak verdict, which reads the heap, and heaps of separate threads do not add up`;
  }
  return undefined;
}

/** A worker thread could not be started (the built files are missing, or Node refused). */
export class WorkerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

/**
 * The worker's file in dist/: Node 20 cannot run .ts in a Worker, and vitest does not
 * transform worker files, so a run from the sources (tests) still starts the built worker.
 */
export function workerFile(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/runner/worker-main.js', here) : new URL('./worker-main.js', here);
  return fileURLToPath(url);
}

export interface WorkersOptions extends RunOptions {
  workers: number;
  /** The shard this process runs (`run --shard`): the workers split it further. */
  shard?: Part;
  /** performance.now() time before which the first phase's measured run must not start (`--start-at`). */
  notBefore?: number;
}

interface WorkerState {
  index: number;
  worker: Worker;
  /** performance.timeOrigin of the worker minus ours (0 on Node 20; checked, not assumed). */
  originShift: number;
  readyFor: number;
  result?: ScenarioResult;
  last?: ScenarioResult;
  failure?: string;
  finished: boolean;
  /** Terminated after the grace period: its last checkpoint stands in for it. */
  forced: boolean;
  snapshots: Map<string, ProgressSnapshot>;
  phaseEnds: Map<string, PhaseResult>;
}

export async function runScenarioInWorkers(scenario: Scenario, options: WorkersOptions): Promise<ScenarioResult> {
  const file = workerFile();
  if (!existsSync(file)) throw new WorkerStartError(`worker threads need the built files: ${file} is missing (run npm run build)`);
  const onEvent = options.onEvent ?? (() => undefined);
  const count = options.workers;
  const graceMs = options.graceMs ?? 2_000;
  const shardPath = options.shard ? [options.shard] : [];
  const pathOf = (w: number): Part[] => [...shardPath, { index: w, count }];
  // What each phase amounts to for this process (the whole phase, or this shard's share of it).
  const planned = scenario.phases.map((p) => shareOps(splitPhase(p.executor, shardPath)));
  const activeWorkers = scenario.phases.map((p) => Array.from({ length: count }, (_, w) => splitPhase(p.executor, pathOf(w)).active).filter(Boolean).length);

  const states: WorkerState[] = [];
  let stopping = false;
  let forceTimer: NodeJS.Timeout | undefined;
  let lastProgress = 0;
  const emitted = new Set<string>();
  const warned = new Set<string>();
  let lastCheckpointAt = performance.now();
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => (resolveAll = r));

  const live = (): WorkerState[] => states.filter((s) => !s.finished);
  const send = (s: WorkerState, m: ToWorker): void => {
    if (!s.finished) s.worker.postMessage(m);
  };

  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    for (const s of states) send(s, { type: 'stop' });
    // Whoever has not reported after the grace period and some time to report is stopped by force.
    forceTimer = setTimeout(() => {
      for (const s of live()) {
        s.forced = true;
        void s.worker.terminate();
      }
    }, graceMs + REPORT_MS);
  };
  const onAbort = (): void => stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  /** Each worker's figures so far, labelled. */
  const figures = (): Array<{ label: string; result: ScenarioResult }> =>
    states.flatMap((s) => {
      const r = s.result ?? s.last;
      return r !== undefined ? [{ label: `worker ${s.index + 1}`, result: r }] : [];
    });
  const merge = (parts: Array<{ label: string; result: ScenarioResult }>): ScenarioResult =>
    mergeScenarioParts(
      parts.map((p) => p.result),
      { mode: 'concurrent', label: (i) => parts[i]!.label },
    );

  // The barrier: a phase's measured run starts when every live worker is ready for it.
  const started = new Set<number>();
  const tryStart = (phase: number): void => {
    const waiting = live();
    if (started.has(phase) || waiting.length === 0 || waiting.some((s) => s.readyFor < phase)) return;
    started.add(phase);
    let t0 = performance.now() + START_MARGIN_MS;
    if (phase === 0 && options.notBefore !== undefined) t0 = Math.max(t0, options.notBefore);
    for (const s of waiting) send(s, { type: 'start', phase, t0: t0 - s.originShift });
  };
  let barrierPhase = -1;

  const combinedProgress = (scenarioName: string, phase: string, force: boolean): void => {
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_MS) return;
    lastProgress = now;
    const snaps = states.map((s) => s.snapshots.get(phase)).filter((x): x is ProgressSnapshot => x !== undefined);
    if (snaps.length === 0) return;
    const first = snaps[0]!;
    const plannedOps = phaseTotals.get(phase);
    onEvent({
      type: 'progress',
      scenario: scenarioName,
      phase,
      snapshot: {
        done: snaps.reduce((a, x) => a + x.done, 0),
        errors: snaps.reduce((a, x) => a + x.errors, 0),
        elapsedMs: Math.max(...snaps.map((x) => x.elapsedMs)),
        ...(plannedOps !== undefined ? { plannedOps } : {}),
        ...(first.plannedMs !== undefined ? { plannedMs: first.plannedMs } : {}),
        p99Ns: Math.max(...snaps.map((x) => x.p99Ns)),
        warmup: first.warmup,
      },
    });
  };
  /** Planned operations of a phase label (measured or warm-up) for the whole of this process. */
  const phaseTotals = new Map<string, number>();

  // A worker may begin the next phase before the others end this one: its start is told
  // once the merged end of the phase before it has been.
  const pendingStarts: Array<Extract<RunEvent, { type: 'phase-start' }>> = [];
  const flushStarts = (): void => {
    while (pendingStarts.length > 0) {
      const next = pendingStarts[0]!;
      const before = scenario.phases[next.index - 1];
      if (before !== undefined && !emitted.has(`end:${before.name}`)) return;
      pendingStarts.shift();
      emitted.add(`start:${next.phase}`);
      onEvent(next);
    }
  };

  const checkPhaseEnd = (name: string): void => {
    const key = `end:${name}`;
    if (emitted.has(key)) return;
    const ends = states.filter((s) => s.phaseEnds.has(name));
    // Every worker that can still report it has: merge and pass it on once.
    if (ends.length === 0 || states.some((s) => !s.phaseEnds.has(name) && !s.finished)) return;
    emitted.add(key);
    onEvent({ type: 'phase-end', scenario: scenario.name, phase: mergePhases(ends.map((s) => s.phaseEnds.get(name) as PhaseResult), 'concurrent') });
    flushStarts();
  };

  const onWorkerEvent = (s: WorkerState, e: RunEvent): void => {
    switch (e.type) {
      case 'scenario-start':
        if (!emitted.has('start')) {
          emitted.add('start');
          onEvent(e);
        }
        break;
      case 'phase-start': {
        const warm = e.phase.endsWith('(warm-up)');
        if (!phaseTotals.has(e.phase)) {
          const total = warm ? (e.plannedOps ?? 0) * (activeWorkers[e.index] ?? count) : planned[e.index];
          if (total !== undefined) phaseTotals.set(e.phase, total);
        }
        if (emitted.has(`start:${e.phase}`) || pendingStarts.some((p) => p.phase === e.phase)) break;
        const total = phaseTotals.get(e.phase);
        const { plannedOps: _own, ...rest } = e;
        pendingStarts.push({ ...rest, ...(total !== undefined ? { plannedOps: total } : {}) });
        flushStarts();
        break;
      }
      case 'progress':
        s.snapshots.set(e.phase, e.snapshot);
        combinedProgress(e.scenario, e.phase, false);
        break;
      case 'phase-end':
        s.phaseEnds.set(e.phase.name, e.phase);
        checkPhaseEnd(e.phase.name);
        break;
      case 'warning':
        // Threads repeat each other's warnings with other figures: the first of each kind is told.
        if (!warned.has(warningKind(e.message))) {
          warned.add(warningKind(e.message));
          onEvent({ ...e, message: `${e.message} (worker ${s.index + 1}${count > 1 ? ` of ${count}` : ''})` });
        }
        break;
      case 'scenario-end':
        // The merged result's own scenario-end is sent once every worker has reported.
        break;
    }
  };

  const finish = (s: WorkerState): void => {
    if (s.finished) return;
    s.finished = true;
    // A worker gone is no longer waited for at the barrier or for a phase's end.
    if (barrierPhase >= 0) tryStart(barrierPhase);
    for (const name of scenario.phases.map((p) => p.name)) checkPhaseEnd(name);
    if (live().length === 0) resolveAll();
  };

  const maybeCheckpoint = (): void => {
    const cb = options.onCheckpoint;
    if (!cb) return;
    const now = performance.now();
    if (now - lastCheckpointAt < (options.checkpointMs ?? 10_000)) return;
    lastCheckpointAt = now;
    const parts = figures();
    if (parts.length > 0) cb(merge(parts));
  };

  sizeWorkerHeaps(count);
  for (let w = 0; w < count; w++) {
    const input: WorkerInput = {
      scenario,
      seed: options.seed,
      parts: pathOf(w),
      graceMs,
      checkpointMs: Math.min(options.checkpointMs ?? WORKER_CHECKPOINT_MS, WORKER_CHECKPOINT_MS),
      ...(options.env !== undefined ? { env: { ...options.env } } : {}),
    };
    let worker: Worker;
    try {
      worker = new Worker(file, { workerData: input });
    } catch (e) {
      stopAll();
      throw new WorkerStartError(`cannot start worker thread ${w + 1}: ${(e as Error).message}`);
    }
    const s: WorkerState = { index: w, worker, originShift: 0, readyFor: -1, finished: false, forced: false, snapshots: new Map(), phaseEnds: new Map() };
    states.push(s);
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'hello':
          s.originShift = m.timeOrigin - performance.timeOrigin;
          break;
        case 'event':
          onWorkerEvent(s, m.event);
          break;
        case 'ready':
          s.readyFor = m.phase;
          barrierPhase = Math.max(barrierPhase, m.phase);
          tryStart(m.phase);
          break;
        case 'checkpoint':
          s.last = m.partial;
          maybeCheckpoint();
          break;
        case 'done':
          s.result = m.result;
          finish(s);
          void worker.terminate();
          break;
      }
    });
    worker.on('error', (e) => {
      // An exception escaped the worker: it is gone. Keep what it sent, stop the others.
      s.failure ??= `crashed: ${e.message}`;
      stopAll();
      finish(s);
    });
    worker.on('exit', (code) => {
      if (s.result === undefined && s.failure === undefined && !s.forced) {
        s.failure = `exited unexpectedly (exit code ${code})`;
        stopAll();
      }
      finish(s);
    });
  }

  // Messages wait in a worker's port until it listens: a run interrupted already stops at once.
  if (options.signal?.aborted) stopAll();
  try {
    await allDone;
  } finally {
    if (forceTimer) clearTimeout(forceTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }

  const notes: string[] = [];
  const lost: string[] = [];
  for (const s of states) {
    if (s.result !== undefined) continue;
    const name = `worker ${s.index + 1}`;
    if (s.last === undefined) {
      if (s.failure !== undefined) lost.push(`${name}: ${s.failure}`);
      if (s.forced) notes.push(`${name} did not stop within the grace period and was terminated before its first checkpoint: its figures are missing`);
      continue;
    }
    // Its last checkpoint stands in for it: figures up to then, flagged as partial.
    s.last = { ...s.last, phases: s.last.phases.map((p) => ({ ...p, interrupted: true })) };
    if (s.failure !== undefined) s.last.failure = s.last.failure !== undefined ? `${s.last.failure}; ${s.failure}` : s.failure;
    notes.push(
      s.forced
        ? `${name} did not stop within the grace period and was terminated: its figures are from its last checkpoint`
        : `${name} ended early: its figures are from its last checkpoint`,
    );
  }
  const parts = figures();
  const merged = parts.length > 0 ? merge(parts) : emptyResult(scenario);
  const failures = [merged.failure, ...lost].filter((f): f is string => f !== undefined);
  const result: ScenarioResult = {
    ...merged,
    ...(failures.length > 0 ? { failure: failures.join('; ') } : {}),
    execution: {
      workers: count,
      ...(notes.length > 0 ? { notes } : {}),
      parts: states.flatMap((s) => {
        const r = s.result ?? s.last;
        if (r === undefined) return [];
        return [
          {
            worker: s.index + 1,
            counts: Object.fromEntries(r.phases.map((p) => [p.name, p.count])),
            starts: Object.fromEntries(r.phases.flatMap((p) => (p.window ? [[p.name, p.window.startMs]] : []))),
            ...(s.result === undefined ? { fromCheckpoint: true as const } : {}),
          },
        ];
      }),
    },
  };
  onEvent({ type: 'scenario-end', result });
  return result;
}

/** A scenario result with nothing measured, when no worker sent any figures. */
function emptyResult(scenario: Scenario): ScenarioResult {
  const remote = scenario.providers.llm.baseUrl !== undefined || scenario.providers.llm.module !== undefined;
  return {
    name: scenario.name,
    description: scenario.description,
    source: scenario.source,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    providers: { llm: { simulated: !remote, transport: 'not reported (no worker thread sent figures)', config: { ...scenario.providers.llm } }, memory: {}, agent: {} },
    phases: [],
    targets: [],
    memory: [],
  };
}
