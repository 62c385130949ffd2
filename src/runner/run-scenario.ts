/**
 * Runs a scenario: builds and initializes its providers, runs its phases in order and
 * takes heap readings after forced GC at each milestone. Targets are evaluated by the
 * caller (the runner knows nothing of verdicts).
 */
import type { Clock } from '../providers/types.js';
import { createProvidersAsync, initializeAll } from '../providers/registry.js';
import type { ProviderSet } from '../providers/registry.js';
import type { MemorySnapshot, PhaseResult, PluginProviderInfo, ScenarioResult } from '../results/types.js';
import type { Scenario } from '../scenarios/types.js';
import { describeError } from './errors.js';
import { REAL_INSTRUMENTS, type Instruments } from './instruments.js';
import type { RunEventListener } from './events.js';
import { runPhase } from './phase.js';
import { WHOLE, composeParts, partSeed, splitPhase, type Part } from './split.js';
import type { TimingMode } from './timing-mode.js';

/**
 * The timing mode each phase of a scenario had in this process, for auto's hysteresis: the
 * trials of one run (the same Scenario object) keep the mode unless the estimate leaves the
 * band around the threshold.
 */
const timingMemory = new WeakMap<Scenario, Map<string, TimingMode>>();

export interface RunOptions {
  seed: number;
  onEvent?: RunEventListener;
  /** Aborting stops offering load; in-flight operations get `graceMs` to finish. */
  signal?: AbortSignal;
  graceMs?: number;
  /**
   * Called with the scenario's figures so far every `checkpointMs` during a phase and after
   * each phase, so the caller can save them: a crash then loses at most one interval.
   */
  onCheckpoint?: (partial: ScenarioResult) => void;
  checkpointMs?: number;
  /**
   * Run only this part of the load: a path of nested parts (a shard, then a worker thread of
   * it). Each phase runs its share (src/runner/split.ts), the providers get the part's own
   * seed, and operations use only the sessions the part owns. Default: the whole.
   */
  parts?: readonly Part[];
  /** Awaited after each phase's warm-up; resolves with the time its measured run starts (see PhaseRunOptions). */
  startGate?: (phase: number) => Promise<number>;
  /** The environment providers read (an HTTP endpoint's API key). Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Time, heap and event-loop readings. Default: the machine's (tests pass a virtual clock). */
  instruments?: Instruments;
}

/** The providers' clock: the run's monotonic time plus whatever idle time memory.sweep let pass. */
function offsetClock(base: Clock): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => base.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
    ...(base.sleep ? { sleep: (ms: number) => (base.sleep as (ms: number) => Promise<void>).call(base, ms) } : {}),
  };
}

/** Plugin providers by the name they give themselves, so tables and reports say whose code ran. */
function pluginInfo(scenario: Scenario, providers: ProviderSet): { plugins?: PluginProviderInfo[] } {
  const plugins: PluginProviderInfo[] = [];
  for (const kind of ['llm', 'memory', 'agent'] as const) {
    const module = scenario.providers[kind].module;
    if (module !== undefined) plugins.push({ kind, name: providers[kind].name, module });
  }
  return plugins.length > 0 ? { plugins } : {};
}

function snapshot(instruments: Instruments, label: string): MemorySnapshot {
  const h = instruments.heap();
  return { label, heapUsed: h.heapUsed, rss: h.rss };
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const onEvent = options.onEvent ?? (() => undefined);
  const signal = options.signal;
  const stopped = (): boolean => signal?.aborted === true;
  let onAbort: (() => void) | undefined;
  const stopSignal = new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else {
      onAbort = () => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await runWithSignal(scenario, options, onEvent, stopped, stopSignal);
  } finally {
    // One listener per scenario on a signal shared by the whole run (and its trials).
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}

async function runWithSignal(
  scenario: Scenario,
  options: RunOptions,
  onEvent: RunEventListener,
  stopped: () => boolean,
  stopSignal: Promise<void>,
): Promise<ScenarioResult> {

  const instruments = options.instruments ?? REAL_INSTRUMENTS;
  const startedAt = instruments.date().toISOString();
  const t0 = instruments.clock.now();
  const memory: MemorySnapshot[] = [snapshot(instruments, 'baseline')];
  const clock = offsetClock(instruments.clock);
  const parts = options.parts ?? [];
  const startGate = options.startGate;
  const part = parts.reduce(composeParts, WHOLE);
  const deps = { seed: partSeed(options.seed, part), clock, ...(options.env ? { env: options.env } : {}) };
  const providers = await createProvidersAsync(scenario.providers, deps);
  const phases: PhaseResult[] = [];
  let failure: string | undefined;
  const names = { llm: providers.llm.name, memory: providers.memory.name, agent: providers.agent.name };

  const build = (partialPhase?: PhaseResult): ScenarioResult => ({
    name: scenario.name,
    description: scenario.description,
    source: scenario.source,
    startedAt,
    durationMs: instruments.clock.now() - t0,
    providers: {
      llm: { simulated: providers.llm.simulated, transport: providers.transport.description, config: { ...scenario.providers.llm } },
      memory: { ...scenario.providers.memory },
      agent: { ...scenario.providers.agent },
      ...pluginInfo(scenario, providers),
      names,
    },
    phases: partialPhase ? [...phases, partialPhase] : [...phases],
    targets: [],
    memory: [...memory],
    ...(failure !== undefined ? { failure } : {}),
  });

  onEvent({
    type: 'scenario-start',
    scenario: scenario.name,
    description: scenario.description,
    phases: scenario.phases.length,
    simulated: providers.llm.simulated,
    transport: providers.transport.description,
    names,
  });

  let stage = 'initializing providers';
  try {
    await initializeAll(providers);
    memory.push(snapshot(instruments, 'providers'));
    let modes = timingMemory.get(scenario);
    if (modes === undefined) timingMemory.set(scenario, (modes = new Map()));
    for (const [index, phase] of scenario.phases.entries()) {
      if (stopped()) break;
      stage = `phase "${phase.name}"`;
      const previousTiming = modes.get(phase.name);
      const result = await runPhase(
        phase,
        { providers, config: scenario.providers, deps, advanceClock: (ms) => clock.advance(ms), ...(part.count > 1 ? { part, ...(options.seed !== undefined ? { runSeed: options.seed } : {}) } : {}) },
        {
          scenario: scenario.name,
          index,
          phases: scenario.phases.length,
          onEvent,
          stopped,
          stopSignal,
          graceMs: options.graceMs ?? 2_000,
          // The run's seed, not the part's: every part draws the same global arrival schedule.
          ...(options.seed !== undefined ? { scheduleSeed: options.seed } : {}),
          ...(parts.length > 0 ? { share: splitPhase(phase.executor, parts) } : {}),
          ...(startGate ? { startGate: () => startGate(index) } : {}),
          instruments,
          ...(previousTiming !== undefined ? { previousTiming } : {}),
          ...(options.onCheckpoint
            ? { onCheckpoint: (partial: PhaseResult) => options.onCheckpoint?.(build(partial)), checkpointMs: options.checkpointMs ?? 10_000 }
            : {}),
        },
      );
      phases.push(result);
      if (result.timing?.basis === 'auto') modes.set(phase.name, result.timing.mode);
      if (result.heapAfterGc !== undefined) memory.push({ label: phase.name, heapUsed: result.heapAfterGc, rss: instruments.rss() });
      onEvent({ type: 'phase-end', scenario: scenario.name, phase: result });
      options.onCheckpoint?.(build());
    }
    stage = 'teardown';
  } catch (e) {
    failure = `${stage}: ${describeError(e)}`;
  } finally {
    try {
      await providers.close();
    } catch (e) {
      failure ??= `closing providers: ${describeError(e)}`;
    }
  }

  const result = build();
  onEvent({ type: 'scenario-end', result });
  return result;
}
