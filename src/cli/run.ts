/**
 * `cluster-bench run`: load every scenario first (fail fast on bad input), run them with
 * progress, evaluate targets, print the matrix, write the result, and decide the exit code.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { CliError, ExitCode, badInput } from '../errors.js';
import { describeEnvironment } from '../metrics/environment.js';
import { calibrationForRun } from './calibrate.js';
import type { Comparison } from '../compare/compare.js';
import { parseWhole } from './options.js';
import { renderComparisonMarkdown, renderComparisonTable } from '../compare/render.js';
import { mergeTrials } from '../compare/trials.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { assembleResult } from '../results/assemble.js';
import type { RunResult, ScenarioResult } from '../results/types.js';
import { jsonRenderer } from '../report/json.js';
import { tableRenderer } from '../report/table.js';
import { checkProviders } from '../providers/registry.js';
import { runScaled } from '../runner/run-scaled.js';
import { scenarioHash } from '../results/shard.js';
import { scaleOutPlan, seedFromRunId, shardInfo } from './scale-out.js';
import { commandLine } from './command-line.js';
import type { Scenario } from '../scenarios/types.js';
import { loadScenario, resolveScenarioRefs } from '../scenarios/load.js';
import { checkWorkloads } from '../workload/check.js';
import { isCapacityTarget } from '../targets/slo.js';
import { parseDurationMs, DURATION_HELP } from '../util/units.js';
import { checkEnvironments, compareOptions, compareOrRefuse } from './compare.js';
import { readResultFile, useColor, writeFileAtomic } from './io.js';
import { watchStops } from './interrupts.js';
import type { CliProcess } from './process.js';
import { createProgress } from './progress.js';
import { quoteArgs, reproduceCommand } from './reproduce.js';
import { TOOL_VERSION } from './version.js';
import path from 'node:path';
import { freeBase, preflightOutputs, REPORTS_DIR, saveResultFiles, scenarioLabel, timestamp } from './save.js';

export interface RunFlags {
  out?: string;
  json?: boolean;
  seed?: string;
  set: string[];
  duration?: string;
  strict?: boolean;
  gate: boolean;
  /** Markdown report path (default: reports/). */
  report?: string;
  /** false under --no-save: no files but those --out / --report name, no step summary. */
  save: boolean;
  baseline?: string;
  maxRegression?: string;
  force?: boolean;
  trials?: string;
  /** How often a long phase's partial result is saved (a duration). */
  checkpoint?: string;
  /** Replay speed of trace arrivals. */
  speed?: string;
  /** Worker threads: a number or auto (src/cli/scale-out.ts). */
  workers?: string;
  /** i/N or auto/N: run this machine's part of a sharded run. */
  shard?: string;
  runId?: string;
  startAt?: string;
}

/** Most trials `--trials` takes: beyond this, a longer phase is the better tool. */
export const MAX_TRIALS = 100;

/** How often a long phase's partial result is saved. */
const CHECKPOINT_MS = 10_000;

export function parseSeed(text: string | undefined): number {
  if (text === undefined) return randomInt(0, 2 ** 31);
  if (!/^\d+$/.test(text) || Number(text) >= 2 ** 32) throw badInput(`--seed "${text}": expected a whole number from 0 to 4294967295`);
  return Number(text);
}

function parseSpeed(text: string): number {
  const n = Number(text.trim().replace(/x$/i, ''));
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw badInput(`--speed "${text}": expected how many times faster to replay trace arrivals, a number > 0 like 2 or 0.5`);
  return n;
}

export function gitCommit(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 })
      .toString()
      .trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function runCommand(io: CliProcess, refs: string[], flags: RunFlags): Promise<number> {
  const plan = scaleOutPlan(io, flags, Date.now());
  const shard = plan.scale.shard;
  // Shards of one run must agree on the seed without being told: by default it comes from the run id.
  const seed = flags.seed === undefined && plan.runId !== undefined ? seedFromRunId(plan.runId) : parseSeed(flags.seed);
  flags = { ...flags, ...(plan.out !== undefined ? { out: plan.out } : {}), ...(plan.report !== undefined ? { report: plan.report } : {}) };
  let durationMs: number | undefined;
  if (flags.duration !== undefined) {
    durationMs = parseDurationMs(flags.duration);
    if (durationMs === undefined || durationMs <= 0) throw badInput(`--duration "${flags.duration}": expected ${DURATION_HELP}`);
  }
  const trials = flags.trials === undefined ? 1 : parseWhole(flags.trials, '--trials', 1, MAX_TRIALS);
  const speed = flags.speed === undefined ? undefined : parseSpeed(flags.speed);
  const checkpointMs = flags.checkpoint === undefined ? CHECKPOINT_MS : parseDurationMs(flags.checkpoint);
  if (checkpointMs === undefined || checkpointMs < 100) throw badInput(`--checkpoint "${flags.checkpoint}": expected ${DURATION_HELP}, at least 100ms`);
  compareOptions(flags);
  // Every file the run will write is checked before anything is loaded or run.
  preflightOutputs(io, { save: flags.save, ...(flags.out !== undefined ? { out: flags.out } : {}), ...(flags.report !== undefined ? { report: flags.report } : {}) });
  const environment = describeEnvironment({ gitCommit: gitCommit(io.cwd), env: io.env });
  // A baseline that cannot be used must fail now, not after the run it was meant to judge.
  const baseline = flags.baseline === undefined ? undefined : readResultFile(io, flags.baseline);
  if (baseline !== undefined && flags.baseline !== undefined) {
    checkEnvironments(baseline.environment, environment, { baseline: flags.baseline, current: 'this run' }, flags.force === true);
  }
  const files = resolveScenarioRefs(refs, io.cwd);
  // Everything is validated before anything runs: a typo in the third file must not cost the first two runs.
  const scenarios: Scenario[] = files.map((f) =>
    loadScenario(f, { cwd: io.cwd, set: flags.set, ...(durationMs !== undefined ? { durationMs } : {}), ...(speed !== undefined ? { speed } : {}) }),
  );
  for (const s of scenarios) await checkProviders(s.providers, io.env);
  for (const s of scenarios) await checkWorkloads(s, io.cwd);

  const human = flags.json ? io.stderr : io.stdout;
  // A spinner only on a real terminal: a pseudo-terminal that reports 0 columns makes ora
  // clear lines forever (seen under `script`), so that counts as no terminal.
  const spinner = io.stderr.isTTY === true && !io.env['CI'] && (io.stderr.columns ?? 0) > 0;
  const progress = await createProgress(io.stderr, spinner);

  const stop = watchStops(io, progress, { finishing: 'in-flight operations', writing: 'the partial result' });

  const startedAt = new Date().toISOString();
  // The result's file is chosen now, so that checkpoints during the run and the final result
  // land in the same place: a crash or SIGKILL loses at most one checkpoint interval.
  const base = flags.save ? freeBase(io, REPORTS_DIR, `${scenarioLabel(scenarios.map((s) => s.name))}-${timestamp(new Date(startedAt))}`) : undefined;
  const checkpointFile = flags.out ?? (base !== undefined ? path.join(REPORTS_DIR, `${base}.json`) : undefined);
  // One place that turns scenario results into a RunResult (checkpoints and the final one).
  const hash = shard ? scenarioHash(scenarios) : '';
  const assemble = (scenarioResults: ScenarioResult[], state: { interrupted: boolean; checkpoint?: true }): RunResult =>
    assembleResult(
      scenarioResults,
      { toolVersion: TOOL_VERSION, command: commandLine(io.argv), reproduce: reproduceCommand(refs, seed, flags), seed, startedAt, finishedAt: new Date().toISOString(), environment },
      {
        // Capacity targets are judged by `cluster-bench capacity`, which measures what they name.
        targets: (name) => (scenarios.find((x) => x.name === name)?.targets ?? []).filter((t) => !isCapacityTarget(t)),
        interrupted: state.interrupted,
        ...(state.checkpoint ? { checkpoint: true } : {}),
        gate: { strict: flags.strict === true, enabled: flags.gate },
        ...(shard ? { shard: shardInfo(shard, plan, hash, scenarioResults, environment.hostname) } : {}),
      },
    );
  let checkpointFailed = false;
  const checkpoint = (partial: ScenarioResult, index: number): void => {
    if (checkpointFile === undefined || checkpointFailed) return;
    const scenariosSoFar = [...runs.flatMap((done, i) => (i === index ? [] : done.slice(-1))), partial];
    // Until the run ends, what is on disk is by definition an unfinished run.
    const snapshot = assemble(scenariosSoFar, { interrupted: true, checkpoint: true });
    try {
      writeFileAtomic(io, checkpointFile, jsonRenderer.render(snapshot, { color: false }));
    } catch (e) {
      checkpointFailed = true;
      progress.note(`warning: cannot write checkpoints: ${(e as Error).message}`);
    }
  };
  // Trials are interleaved (s1 s2 s1 s2 ...) so that a slow spell of the machine spreads over
  // every scenario instead of landing on one scenario's trials.
  const runs: ScenarioResult[][] = scenarios.map(() => []);
  try {
    for (let t = 0; t < trials && !stop.signal.aborted; t++) {
      if (trials > 1) progress.note(`trial ${t + 1} of ${trials}`);
      for (const [i, scenario] of scenarios.entries()) {
        if (stop.signal.aborted) break;
        runs[i]!.push(
          await runScaled(
            scenario,
            {
              seed,
              signal: stop.signal,
              onEvent: (e) => progress.onEvent(e),
              onCheckpoint: (partial) => checkpoint(partial, i),
              checkpointMs,
              env: io.env,
            },
            plan.scale,
            (line) => progress.note(line),
          ),
        );
      }
    }
  } finally {
    progress.stop();
    stop.dispose();
  }

  // Stopped early by a signal, or by an exception that escaped (then the run failed as well).
  const interrupted = stop.signal.aborted;
  const escaped = stop.escaped;
  environment.calibration = await calibrationForRun(io.env, TOOL_VERSION, { measure: !interrupted });
  const results = runs.filter((done) => done.length > 0).map((done) => mergeTrials(done));
  const last = results.at(-1);
  if (escaped !== undefined && last !== undefined) last.failure = last.failure !== undefined ? `${last.failure}; ${escaped}` : escaped;
  const result = assemble(results, { interrupted });
  const gate = result.gate;

  // A partial result is not held against the baseline: its missing phases would read as gaps.
  const labels = { baseline: flags.baseline ?? 'baseline', current: 'this run' };
  let comparison: Comparison | undefined;
  // A comparison that cannot be made (nothing in common with the baseline) must not cost the
  // run its files: it is reported after they are written.
  let refused: unknown;
  if (baseline !== undefined && !interrupted) {
    try {
      comparison = compareOrRefuse(baseline, result, labels, flags);
    } catch (e) {
      refused = e;
    }
  }

  const json = jsonRenderer.render(result, { color: false });
  let markdown = renderMarkdownReport([result]);
  if (comparison !== undefined) markdown += '\n' + renderComparisonMarkdown(comparison, labels);
  const written = saveResultFiles(
    io,
    result,
    { json, markdown, ...(comparison !== undefined && baseline !== undefined ? { comparison: { comparison, baseline, current: result, labels } } : {}) },
    {
      save: flags.save,
      scenarioNames: results.length > 0 ? results.map((r) => r.name) : scenarios.map((s) => s.name),
      now: new Date(result.startedAt),
      ...(base !== undefined ? { base } : {}),
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      ...(flags.report !== undefined ? { report: flags.report } : {}),
    },
  );

  human.write(tableRenderer.render(result, { color: useColor(human, io.env) }));
  if (comparison !== undefined) human.write('\n' + renderComparisonTable(comparison, labels, { color: useColor(human, io.env) }));
  else if (baseline !== undefined) io.stderr.write('interrupted: not compared with the baseline\n');
  for (const line of written) io.stderr.write(`${line}\n`);
  if (flags.json) io.stdout.write(json);
  if (refused !== undefined) throw refused;

  if (escaped !== undefined) {
    io.stderr.write(`cluster-bench: error: ${escaped}\n`);
    return ExitCode.RUN_FAILED;
  }
  if (interrupted) return ExitCode.INTERRUPTED;
  if (results.some((r) => r.failure !== undefined)) return ExitCode.RUN_FAILED;
  if (!gate.passed || (comparison !== undefined && !comparison.passed)) return ExitCode.TARGET_MISSED;
  return ExitCode.OK;
}
