/**
 * `cluster-bench run`: load every scenario first (fail fast on bad input), run them with
 * progress, evaluate targets, print the matrix, write the result, and decide the exit code.
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { CliError, ExitCode, badInput } from '../errors.js';
import { describeEnvironment } from '../metrics/environment.js';
import { getRenderer } from '../report/registry.js';
import { RESULT_SCHEMA_VERSION, type RunResult, type ScenarioResult } from '../result.js';
import { runScenario } from '../runner/scenario.js';
import type { Scenario } from '../scenario.js';
import { loadScenario, resolveScenarioRefs } from '../scenarios/load.js';
import { evaluateGate, evaluateTargets } from '../targets/evaluate.js';
import { parseDurationMs, DURATION_HELP } from '../util/units.js';
import { useColor, writeFileAtomic } from './io.js';
import { createProgress } from './progress.js';

export interface RunFlags {
  out?: string;
  json?: boolean;
  seed?: string;
  set: string[];
  duration?: string;
  strict?: boolean;
  gate: boolean;
}

const require = createRequire(import.meta.url);
export const TOOL_VERSION: string = (require('../../package.json') as { version: string }).version;

function parseSeed(text: string | undefined): number {
  if (text === undefined) return randomInt(0, 2 ** 31);
  if (!/^\d+$/.test(text) || Number(text) >= 2 ** 32) throw badInput(`--seed "${text}": expected a whole number from 0 to 4294967295`);
  return Number(text);
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 })
      .toString()
      .trim() || undefined;
  } catch {
    return undefined;
  }
}

function commandLine(argv: readonly string[]): string {
  return ['cluster-bench', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}

export async function runCommand(refs: string[], flags: RunFlags, argv: readonly string[]): Promise<number> {
  const seed = parseSeed(flags.seed);
  let durationMs: number | undefined;
  if (flags.duration !== undefined) {
    durationMs = parseDurationMs(flags.duration);
    if (durationMs === undefined || durationMs <= 0) throw badInput(`--duration "${flags.duration}": expected ${DURATION_HELP}`);
  }
  const files = resolveScenarioRefs(refs);
  // Everything is validated before anything runs: a typo in the third file must not cost the first two runs.
  const scenarios: Scenario[] = files.map((f) => loadScenario(f, { set: flags.set, ...(durationMs !== undefined ? { durationMs } : {}) }));

  const human = flags.json ? process.stderr : process.stdout;
  const progress = await createProgress(process.stderr, process.stderr.isTTY === true && !process.env['CI']);

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      progress.note(`${name}: stopping — finishing in-flight operations, then writing the partial result (press Ctrl-C again to quit at once)`);
      controller.abort();
    } else {
      progress.stop();
      process.stderr.write(`${name} again: quitting without writing the result\n`);
      process.exit(ExitCode.INTERRUPTED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date().toISOString();
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      if (controller.signal.aborted) break;
      const r = await runScenario(scenario, { seed, signal: controller.signal, onEvent: (e) => progress.onEvent(e) });
      r.targets = evaluateTargets(scenario.targets, r);
      results.push(r);
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const interrupted = controller.signal.aborted;
  const gate = evaluateGate(results, { strict: flags.strict === true, enabled: flags.gate });
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'cluster-bench', version: TOOL_VERSION },
    command: commandLine(argv),
    seed,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted,
    environment: describeEnvironment({ gitCommit: gitCommit() }),
    scenarios: results,
    gate,
  };

  const json = getRenderer('json').render(result, { color: false });
  if (flags.out) {
    writeFileAtomic(flags.out, json);
  }
  human.write(getRenderer('table').render(result, { color: useColor(human) }));
  if (flags.out) process.stderr.write(`result written to ${flags.out}\n`);
  if (flags.json) process.stdout.write(json);

  if (interrupted) return ExitCode.INTERRUPTED;
  if (results.some((r) => r.failure !== undefined)) return ExitCode.RUN_FAILED;
  if (!gate.passed) return ExitCode.TARGET_MISSED;
  return ExitCode.OK;
}

export function assertNever(x: never): never {
  throw new CliError(`unexpected ${String(x)}`, ExitCode.RUN_FAILED);
}
