/**
 * `cluster-bench capacity <scenario>`: the highest offered rate at which one phase still meets
 * its SLOs. The search (runner/capacity.ts) drives the phase step by step under the open model;
 * this command parses the flags, wires progress and Ctrl-C, and writes the result and report
 * the way `run` does. Steps run in this process or, with --workers, on worker threads
 * (runner/capacity-steps.ts), behind one function.
 */
import { ExitCode, badInput } from '../errors.js';
import { describeEnvironment } from '../metrics/environment.js';
import { checkProviders } from '../providers/registry.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { jsonRenderer } from '../report/json.js';
import { tableRenderer } from '../report/table.js';
import { RESULT_SCHEMA_VERSION, type CapacityResult, type CapacitySettings, type CapacityStep, type PhaseResult, type RunResult, type ScenarioResult } from '../results/types.js';
import type { RunEvent } from '../runner/events.js';
import { DEFAULT_CAPACITY_SETTINGS, judgeStep, keepUpSlo, searchCapacity, summarizeCapacity, type MeasureStep } from '../runner/capacity.js';
import { openInProcessSteps, openWorkerSteps, StepFailedError, type StepSession } from '../runner/capacity-steps.js';
import { workersFor } from '../runner/run-scaled.js';
import { mainThreadReason } from '../runner/workers.js';
import { describeError } from '../runner/errors.js';
import { loadScenario, resolveScenarioRefs } from '../scenarios/load.js';
import type { PhaseSpec, Scenario } from '../scenarios/types.js';
import { evaluateGate, evaluateTargets } from '../targets/evaluate.js';
import { TargetParseError, parseTarget } from '../targets/parse.js';
import { DEFAULT_ERROR_SLO, evaluateStepSlos, isCapacityTarget, isStepStat, parseSlo } from '../targets/slo.js';
import type { TargetSpec } from '../targets/types.js';
import { DURATION_HELP, formatNs, formatPercent, formatRate, parseDurationMs } from '../util/units.js';
import { useColor } from './io.js';
import { parsePercent, parseWhole } from './options.js';
import type { CliProcess } from './process.js';
import { createProgress } from './progress.js';
import { parseWorkers } from './scale-out.js';
import { watchStops } from './interrupts.js';
import { commandLine } from './command-line.js';
import { gitCommit, parseSeed } from './run.js';
import { freeBase, REPORTS_DIR, saveResultFiles, timestamp } from './save.js';
import { TOOL_VERSION } from './version.js';

export interface CapacityFlags {
  phase?: string;
  slo?: string[];
  target?: string[];
  stepDuration?: string;
  warmup?: string;
  startRate?: string;
  maxRate?: string;
  precision?: string;
  repeat?: string;
  maxSteps?: string;
  seed?: string;
  workers?: string;
  set: string[];
  out?: string;
  report?: string;
  save: boolean;
  json?: boolean;
  gate: boolean;
}

const RATE_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*s)?\s*$/;

/** "400" or "400/s", above 0. */
export function parseRate(text: string, flag: string): number {
  const m = RATE_RE.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) throw badInput(`${flag} "${text}": expected a rate above 0 in operations per second, e.g. 500 or 500/s`);
  return value;
}

function parseDuration(text: string, flag: string, minMs: number): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < minMs) throw badInput(`${flag} "${text}": expected ${DURATION_HELP}${minMs > 0 ? `, at least ${formatNs(minMs * 1e6)}` : ''}`);
  return ms;
}

/** The settings from the flags, each checked with a one-line message. */
export function capacitySettings(flags: CapacityFlags, phase: PhaseSpec | undefined): CapacitySettings {
  const d = DEFAULT_CAPACITY_SETTINGS;
  const stepDurationMs = flags.stepDuration === undefined ? d.stepDurationMs : parseDuration(flags.stepDuration, '--step-duration', 100);
  const warmupMs = flags.warmup === undefined ? Math.min(d.warmupMs, stepDurationMs / 2) : parseDuration(flags.warmup, '--warmup', 0);
  const maxRate = flags.maxRate === undefined ? d.maxRate : parseRate(flags.maxRate, '--max-rate');
  // A step needs operations to judge: at least ~10 in its window.
  const minRate = Math.max(0.01, 10 / (stepDurationMs / 1000));
  const ownRate = phase?.executor.kind === 'rate' ? phase.executor.rate : undefined;
  const startRate =
    flags.startRate === undefined ? Math.min(Math.max(ownRate ?? d.startRate, minRate), maxRate) : parseRate(flags.startRate, '--start-rate');
  if (startRate > maxRate) throw badInput(`--start-rate ${formatRate(startRate)} is above --max-rate ${formatRate(maxRate)}`);
  const precision = flags.precision === undefined ? d.precision : parsePercent(flags.precision, '--precision', 100);
  if (precision < 0.005) throw badInput(`--precision "${flags.precision}": expected at least 0.5% (steps cannot tell rates closer than that apart)`);
  const repeat = flags.repeat === undefined ? d.repeat : parseWhole(flags.repeat, '--repeat', 1, 10);
  const maxSteps = flags.maxSteps === undefined ? d.maxSteps : parseWhole(flags.maxSteps, '--max-steps', 2, 1000);
  if (startRate < minRate) {
    const flag = flags.startRate !== undefined ? '--start-rate' : '--max-rate';
    throw badInput(`${flag} ${formatRate(startRate)} gives fewer than 10 operations per ${formatNs(stepDurationMs * 1e6)} step: raise it or --step-duration`);
  }
  return { startRate, maxRate, minRate, stepDurationMs, warmupMs, precision, repeat, maxSteps };
}

/** --phase, or the only phase, or the only rate phase. */
export function choosePhase(scenario: Scenario, name: string | undefined): PhaseSpec {
  const names = scenario.phases.map((p) => p.name).join(', ');
  if (name !== undefined) {
    const found = scenario.phases.find((p) => p.name === name);
    if (!found) throw badInput(`--phase "${name}": scenario ${scenario.name} has no such phase (phases: ${names})`);
    return found;
  }
  if (scenario.phases.length === 1) return scenario.phases[0] as PhaseSpec;
  const rate = scenario.phases.filter((p) => p.executor.kind === 'rate');
  if (rate.length === 1) return rate[0] as PhaseSpec;
  throw badInput(`scenario ${scenario.name} has ${scenario.phases.length} phases: choose one with --phase (phases: ${names})`);
}

/** --slo, or the scenario's targets on the phase that a step can be held to; plus the default error SLO. */
export function chooseSlos(scenario: Scenario, phase: PhaseSpec, slo: readonly string[]): TargetSpec[] {
  let specs: TargetSpec[];
  if (slo.length > 0) {
    specs = slo.map((text) => parseSlo(text, phase.name));
  } else {
    specs = scenario.targets.filter((t) => t.phase === phase.name && isStepStat(t.stat));
    if (specs.length === 0) {
      throw badInput(`no SLO to hold the steps to: give --slo, e.g. --slo "p99 < 50ms", or targets on phase "${phase.name}" in ${scenario.source}`);
    }
  }
  const goodput = specs.find((s) => s.stat === 'goodput');
  if (goodput && phase.goodput === undefined) {
    throw badInput(`SLO "${goodput.source}": phase "${phase.name}" defines no goodput (add goodput: { latency: 50ms } to it, or --set phases.N.goodput.latency=50ms)`);
  }
  // Percentiles are of successful requests: a server that refuses work would look fast.
  if (!specs.some((s) => s.stat === 'errorRate' || s.stat === 'goodput')) specs.push(parseSlo(DEFAULT_ERROR_SLO, phase.name));
  return specs;
}

function captureTargets(scenario: Scenario, extra: readonly string[]): TargetSpec[] {
  const own = scenario.targets.filter(isCapacityTarget);
  const more = extra.map((text) => {
    let spec: TargetSpec;
    try {
      spec = parseTarget(text, 'capacity');
    } catch (e) {
      if (e instanceof TargetParseError) throw badInput(`--target "${text}": ${e.detail}`);
      throw e;
    }
    if (!isCapacityTarget(spec)) throw badInput(`--target "${text}": a capacity search gates on its capacity only, e.g. "capacity > 300/s / > 400/s"`);
    return spec;
  });
  return [...own, ...more];
}

function stepLine(s: CapacityStep): string {
  const lat = s.latency.count > 0 ? `p50 ${formatNs(s.latency.p50)}, p99 ${formatNs(s.latency.p99)}` : 'no successful operation';
  const errors = s.count > 0 ? `, errors ${formatPercent(s.errorRate)}` : '';
  const why = s.reasons.length > 0 ? ` (${s.reasons.join('; ')})` : '';
  return `step ${s.index} (${s.stage}) ${formatRate(s.rate)}: achieved ${formatRate(s.achieved)}, ${lat}${errors} → ${s.verdict}${why}`;
}

export async function capacityCommand(io: CliProcess, ref: string, flags: CapacityFlags): Promise<number> {
  const seed = parseSeed(flags.seed);
  if (ref === 'all') throw badInput('capacity searches one scenario at a time: name one (see cluster-bench list)');
  const [file] = resolveScenarioRefs([ref], io.cwd);
  const scenario = loadScenario(file as string, { cwd: io.cwd, set: flags.set });
  const phase = choosePhase(scenario, flags.phase);
  const settings = capacitySettings(flags, phase);
  const slos = chooseSlos(scenario, phase, flags.slo ?? []);
  const targets = captureTargets(scenario, flags.target ?? []);
  const asked = workersFor(scenario, parseWorkers(flags.workers));
  await checkProviders(scenario.providers, io.env);
  const environment = describeEnvironment({ gitCommit: gitCommit(io.cwd) });

  const human = flags.json ? io.stderr : io.stdout;
  const spinner = io.stderr.isTTY === true && !io.env['CI'] && (io.stderr.columns ?? 0) > 0;
  const progress = await createProgress(io.stderr, spinner);
  const stop = watchStops(io, progress, { finishing: "the step's in-flight operations", writing: 'the steps so far' });

  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  let session: StepSession | undefined;
  let failure: string | undefined;
  let capacity: CapacityResult | undefined;
  // Worker threads as `run --workers` has them, unless the scenario must stay on this thread.
  const threadReason = asked > 1 ? mainThreadReason(scenario) : undefined;
  const workers = threadReason !== undefined ? 1 : asked;
  if (threadReason !== undefined) progress.note(`${scenario.name}: steps run on the main thread: ${threadReason}`);
  try {
    try {
      const stepOptions = {
        seed,
        signal: stop.signal,
        // Generator warnings become the step's verdict ("invalid"), printed with it.
        onEvent: (e: RunEvent) => {
          if (e.type !== 'warning') progress.onEvent(e);
        },
      };
      session = workers > 1 ? await openWorkerSteps(scenario, phase, { ...stepOptions, workers, env: { ...io.env } }) : await openInProcessSteps(scenario, phase, stepOptions);
    } catch (e) {
      failure = `initializing providers: ${describeError(e)}`;
    }
    const s = session;
    progress.note(
      `capacity of ${scenario.name} › ${phase.name} (${phase.op}): SLOs ${slos.map((x) => x.source).join('; ')}` +
        `${workers > 1 ? ` on ${workers} worker threads` : ''}${s?.simulated ? ` [LLM: ${s.transport}]` : ''}`,
    );
    const measure: MeasureStep = async (rate, stage, index) => {
      if (s === undefined || stop.signal.aborted || failure !== undefined) return undefined;
      const label = `step ${index} @ ${formatRate(rate)}`;
      let result: PhaseResult | undefined;
      try {
        result = await s.run({ rate, durationMs: settings.stepDurationMs, warmupMs: settings.warmupMs, label });
      } catch (e) {
        // A worker thread crashed: the steps so far stand, the search ends, the run failed.
        if (!(e instanceof StepFailedError)) throw e;
        failure = e.message;
        return undefined;
      }
      if (result === undefined) return undefined;
      return judgeStep(result, rate, stage, index, (p) => evaluateStepSlos(slos, p), settings.precision);
    };
    // Without providers there is nothing to search: the result carries the failure (exit 3).
    if (s !== undefined) {
      const outcome = await searchCapacity(measure, settings, (step) => progress.note(stepLine(step)));
      capacity = summarizeCapacity(outcome, {
        phase: phase.name,
        op: phase.op,
        slos: [...slos.map(({ source, stat, comparator, current, target, unit }) => ({ source, stat, comparator, current, target, unit })), keepUpSlo(settings.precision)],
        settings,
      });
    }
  } finally {
    try {
      await session?.close();
    } catch (e) {
      failure ??= `closing providers: ${describeError(e)}`;
    }
    progress.stop();
    stop.dispose();
  }
  // An exception that escaped every operation stopped the search: it failed (exit 3).
  if (stop.escaped !== undefined) failure ??= stop.escaped;

  const interrupted = stop.interrupted;
  const scenarioResult: ScenarioResult = {
    name: scenario.name,
    description: scenario.description,
    source: scenario.source,
    startedAt,
    durationMs: performance.now() - t0,
    providers: {
      llm: {
        simulated: session?.simulated ?? false,
        transport: session?.transport ?? 'not built',
        config: { ...scenario.providers.llm },
      },
      memory: { ...scenario.providers.memory },
      agent: { ...scenario.providers.agent },
    },
    phases: [],
    targets: [],
    memory: [],
    ...(failure !== undefined ? { failure } : {}),
    ...(capacity !== undefined ? { capacity } : {}),
    ...(asked > 1 ? { execution: { workers, ...(threadReason !== undefined ? { mainThreadReason: threadReason } : {}) } } : {}),
  };
  scenarioResult.targets = evaluateTargets(targets, scenarioResult);
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'cluster-bench', version: TOOL_VERSION },
    command: commandLine(io.argv),
    seed,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted,
    environment,
    scenarios: [scenarioResult],
    gate: evaluateGate([scenarioResult], { strict: false, enabled: flags.gate }),
  };

  const json = jsonRenderer.render(result, { color: false });
  const markdown = renderMarkdownReport([result]);
  const label = `${scenario.name}-capacity`;
  const base = flags.save ? freeBase(io, REPORTS_DIR, `${label}-${timestamp(new Date(startedAt))}`) : undefined;
  // The JSON, the markdown and (when saving) the HTML page with the steps, knee and charts.
  const written = saveResultFiles(io, result, { json, markdown }, {
    save: flags.save,
    scenarioNames: [label],
    now: new Date(startedAt),
    ...(base !== undefined ? { base } : {}),
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(flags.report !== undefined ? { report: flags.report } : {}),
  });

  human.write(tableRenderer.render(result, { color: useColor(human, io.env) }));
  for (const line of written) io.stderr.write(`${line}\n`);
  if (flags.json) io.stdout.write(json);

  if (interrupted) return ExitCode.INTERRUPTED;
  if (failure !== undefined) return ExitCode.RUN_FAILED;
  if (!result.gate.passed) return ExitCode.TARGET_MISSED;
  return ExitCode.OK;
}
