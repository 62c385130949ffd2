/**
 * Scenario results become a RunResult in one place: targets judged on the (merged) figures,
 * the gate over them, and the run's metadata around them. `run` (its checkpoints and its
 * final result) and `merge` both assemble here. Inputs are never mutated: the runner's
 * results stay the runner's.
 */
import { evaluateGate, evaluateTargets } from '../targets/evaluate.js';
import type { TargetSpec } from '../targets/types.js';
import { RESULT_SCHEMA_VERSION, type Environment, type MergeInfo, type RunResult, type ScenarioResult, type ShardInfo } from './types.js';

export interface RunMeta {
  toolVersion: string;
  /** The command line that produced it. */
  command: string;
  /** The command that reproduces it: seed and --set flags, no output paths. */
  reproduce?: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  environment: Environment;
}

export interface AssembleOptions {
  /** The targets of each scenario, by scenario name. */
  targets: (scenario: string) => readonly TargetSpec[];
  interrupted: boolean;
  /** Written during the run (a checkpoint): the run had not finished. */
  checkpoint?: boolean;
  gate: { strict: boolean; enabled: boolean };
  /**
   * One part of a sharded run: no verdicts (a part's throughput or p99 says nothing about the
   * whole), and no gate; the targets travel in the shard block for `merge` to judge.
   */
  shard?: Omit<ShardInfo, 'targets'>;
  /** A merge of shard files; an incomplete one fails the gate whatever the targets say. */
  merged?: MergeInfo;
}

export function assembleResult(scenarios: readonly ScenarioResult[], meta: RunMeta, options: AssembleOptions): RunResult {
  const judged = options.shard
    ? scenarios.map((s) => ({ ...s, targets: [] }))
    : scenarios.map((s) => ({ ...s, targets: evaluateTargets(options.targets(s.name), s) }));
  let gate = evaluateGate(judged, options.shard ? { strict: options.gate.strict, enabled: false } : options.gate);
  if (options.shard) {
    gate = { ...gate, note: `shard ${options.shard.index + 1} of ${options.shard.total}: no verdicts until the shards are merged (cluster-bench merge)` };
  } else if (options.merged?.incomplete && gate.enabled) {
    gate = { ...gate, passed: false, note: `incomplete: shard${options.merged.missing.length > 1 ? 's' : ''} ${options.merged.missing.join(', ')} missing (merged with --allow-partial)` };
  }
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'cluster-bench', version: meta.toolVersion },
    command: meta.command,
    ...(meta.reproduce !== undefined ? { reproduce: meta.reproduce } : {}),
    seed: meta.seed,
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    interrupted: options.interrupted,
    ...(options.checkpoint ? { checkpoint: true } : {}),
    environment: meta.environment,
    scenarios: judged,
    gate,
    ...(options.shard
      ? { shard: { ...options.shard, targets: Object.fromEntries(scenarios.map((s) => [s.name, options.targets(s.name).map((t) => ({ ...t }))])) } }
      : {}),
    ...(options.merged ? { merged: options.merged } : {}),
  };
}
