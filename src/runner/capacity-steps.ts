/**
 * One step of a capacity search, behind one function: "run this phase at rate R for D and give
 * me its result". This file is the in-process implementation: one set of providers, built and
 * initialized once, and each step a `runPhase` of the phase turned into an open-model `rate`
 * phase (the executor that measures from the scheduled start and counts late and dropped
 * starts). A worker-thread or sharded runner plugs in as another StepRunner that merges its
 * parts' results into one PhaseResult: openWorkerSteps (`capacity --workers N`).
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../providers/types.js';
import { createProvidersAsync, initializeAll, type Providers } from '../providers/registry.js';
import type { PhaseResult } from '../results/types.js';
import type { PhaseSpec, Scenario } from '../scenarios/types.js';
import type { RunEventListener } from './events.js';
import { runPhase } from './phase.js';
import { runScenarioInWorkers } from './workers.js';

export interface StepRequest {
  /** Offered rate, operations/s. */
  rate: number;
  /** Measured window, ms. */
  durationMs: number;
  /** Warm-up at the same rate before it, not recorded, ms (0 = none). */
  warmupMs: number;
  /** Shown in progress, e.g. "step 3 @ 400/s". */
  label: string;
}

/**
 * Runs the phase once at the request's rate and returns its result; undefined when it was
 * stopped (Ctrl-C) before its measured window began.
 */
export type StepRunner = (step: StepRequest) => Promise<PhaseResult | undefined>;

export interface StepSession {
  run: StepRunner;
  /** What is behind the LLM, for the result (and whether it is simulated). */
  simulated: boolean;
  transport: string;
  close(): Promise<void>;
}

/** Default when the phase is not a rate phase already (the executor's own default). */
const DEFAULT_MAX_IN_FLIGHT = 10_000;

/**
 * The phase as one step: a `rate` executor at `rate` for `durationMs`, no warm-up of its own
 * (the step's warm-up runs at the step's rate instead), and no time series (one interval).
 */
export function stepPhase(phase: PhaseSpec, rate: number, durationMs: number, name: string): PhaseSpec {
  const maxInFlight = phase.executor.kind === 'rate' ? phase.executor.maxInFlight : DEFAULT_MAX_IN_FLIGHT;
  return {
    ...phase,
    name,
    executor: { kind: 'rate', rate, durationMs, maxInFlight },
    warmup: 0,
    // Intervals of a fifth of the window give the completion rate of its steady part (the
    // "keeps up" check, runner/capacity.ts); under a second, so no interval forces a GC inside it.
    intervalMs: Math.min(999, Math.max(20, durationMs / 5)),
  };
}

function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => performance.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

export interface InProcessOptions {
  seed: number;
  onEvent?: RunEventListener;
  /** Aborting stops the step in progress; in-flight operations get `graceMs` to finish. */
  signal?: AbortSignal;
  graceMs?: number;
}

/** Builds and initializes the scenario's providers once; every step runs on them. */
export async function openInProcessSteps(scenario: Scenario, phase: PhaseSpec, opts: InProcessOptions): Promise<StepSession> {
  const clock = offsetClock();
  const deps = { seed: opts.seed, clock };
  const providers: Providers = await createProvidersAsync(scenario.providers, deps);
  try {
    await initializeAll(providers);
  } catch (e) {
    await providers.close().catch(() => undefined);
    throw e;
  }
  const onEvent = opts.onEvent ?? (() => undefined);
  const signal = opts.signal;
  const stopped = (): boolean => signal?.aborted === true;
  const stopSignal = new Promise<void>((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const opCtx = { providers, config: scenario.providers, deps, advanceClock: (ms: number) => clock.advance(ms) };
  const phaseOpts = (name: string) => ({
    scenario: scenario.name,
    index: 0,
    phases: 1,
    onEvent,
    stopped,
    stopSignal,
    graceMs: opts.graceMs ?? 2_000,
  });

  return {
    simulated: providers.llm.simulated,
    transport: providers.transport.description,
    async run(step) {
      if (step.warmupMs > 0 && !stopped()) {
        const name = `${step.label} (warm-up)`;
        await runPhase(stepPhase(phase, step.rate, step.warmupMs, name), opCtx, phaseOpts(name));
      }
      return runPhase(stepPhase(phase, step.rate, step.durationMs, step.label), opCtx, phaseOpts(step.label));
    },
    close: () => providers.close(),
  };
}

export interface WorkerStepsOptions extends InProcessOptions {
  workers: number;
  /** The environment providers read (an endpoint's API key): the CLI's. */
  env?: Record<string, string | undefined>;
}

/** A step on worker threads failed as a whole (no thread sent figures for its window). */
export class StepFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailedError';
  }
}

/**
 * `capacity --workers N`: every step is the warm-up and the measured window run as a
 * two-phase scenario on N worker threads (runScenarioInWorkers: the arrival schedule striped
 * over the threads, one start for all, histograms merged exactly). Threads are started per
 * step, so no step inherits another's queues or sessions; the warm-up at the step's rate
 * makes up for their cold start. The providers are built once here first, so a setup error
 * is reported before the search, as in-process.
 */
export async function openWorkerSteps(scenario: Scenario, phase: PhaseSpec, opts: WorkerStepsOptions): Promise<StepSession> {
  const providers = await createProvidersAsync(scenario.providers, { seed: opts.seed });
  let simulated: boolean;
  let transport: string;
  try {
    await initializeAll(providers);
    simulated = providers.llm.simulated;
    transport = providers.transport.description;
  } finally {
    await providers.close();
  }
  const onEvent = opts.onEvent ?? (() => undefined);
  return {
    simulated,
    transport,
    async run(step) {
      const phases: PhaseSpec[] = [];
      if (step.warmupMs > 0) phases.push(stepPhase(phase, step.rate, step.warmupMs, `${step.label} (warm-up)`));
      phases.push(stepPhase(phase, step.rate, step.durationMs, step.label));
      const result = await runScenarioInWorkers(
        { ...scenario, phases, targets: [] },
        {
          seed: opts.seed,
          workers: opts.workers,
          graceMs: opts.graceMs ?? 2_000,
          ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
          ...(opts.env !== undefined ? { env: opts.env } : {}),
          // The step's phases only: the scenario around them is this function's business.
          onEvent: (e) => {
            if (e.type !== 'scenario-start' && e.type !== 'scenario-end') onEvent(e);
          },
        },
      );
      // A thread that crashed leaves a step nobody can judge: the search stops there.
      if (result.failure !== undefined) throw new StepFailedError(`${step.label}: ${result.failure}`);
      const measured = result.phases.find((p) => p.name === step.label);
      if (measured !== undefined) return measured;
      if (opts.signal?.aborted) return undefined;
      throw new StepFailedError(`${step.label}: no worker thread sent figures`);
    },
    close: async () => undefined,
  };
}
