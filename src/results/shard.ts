/**
 * Shard files: what identifies the run they belong to, and the checks `merge` makes before
 * it joins them. Pure; the CLI reads the files and prints the refusals.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenarios/types.js';
import { InputError } from '../util/input-error.js';
import { assembleResult } from './assemble.js';
import { mergeScenarioParts } from './merge.js';
import type { MergeInfo, RunResult, ScenarioResult, ShardInfo, TargetSpecData } from './types.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * Identifies what the shards ran: the resolved scenarios (after --set and --duration), less
 * where their files lay on each machine. Shards of one run must agree on it.
 */
export function scenarioHash(scenarios: readonly Scenario[]): string {
  const body = scenarios.map(({ source: _source, ...rest }) => canonical(rest));
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** A shard file as read: its name as the user gave it, and its content. */
export interface ShardFile {
  file: string;
  result: RunResult;
}

export interface MergeShardsOptions {
  /** --expect-shards: the total the files must be shards of. */
  expectShards?: number;
  /** --allow-partial: merge what there is; the result is marked incomplete and fails the gate. */
  allowPartial: boolean;
  strict: boolean;
  toolVersion: string;
  command: string;
}

function list(indexes: readonly number[]): string {
  return indexes.length <= 10 ? indexes.join(', ') : `${indexes.slice(0, 10).join(', ')} and ${indexes.length - 10} more`;
}

/** The first file that differs from the first one in `what`, as a refusal naming both. */
function same(files: readonly ShardFile[], what: (f: ShardFile) => string, describe: (a: ShardFile, b: ShardFile) => string): void {
  const first = files[0]!;
  const other = files.find((f) => what(f) !== what(first));
  if (other !== undefined) throw new InputError(describe(first, other));
}

/**
 * Checks that the files are the shards of one run and joins them: histograms added exactly,
 * counts and errors summed, throughput over the union of the shards' windows, the start skew
 * reported, and the targets judged again on the merged figures (the gate of the whole run).
 * Every refusal is an InputError naming the files (exit 2).
 */
export function mergeShards(files: readonly ShardFile[], opts: MergeShardsOptions): RunResult {
  if (files.length === 0) throw new InputError('no shard files to merge');
  for (const f of files) {
    if (f.result.shard === undefined) throw new InputError(`${f.file}: not a shard file (no "shard" block): merge joins the files that run --shard writes`);
  }
  const shardOf = (f: ShardFile): ShardInfo => f.result.shard as ShardInfo;
  same(files, (f) => shardOf(f).runId, (a, b) => `${a.file} is from run ${shardOf(a).runId}, ${b.file} from run ${shardOf(b).runId}: shards of different runs`);
  same(files, (f) => String(shardOf(f).total), (a, b) => `${a.file} is one of ${shardOf(a).total} shards, ${b.file} one of ${shardOf(b).total}: shards of different splits`);
  same(files, (f) => shardOf(f).scenarioHash, (a, b) =>
    `${a.file} and ${b.file} ran different scenarios (hash ${shardOf(a).scenarioHash.slice(0, 12)} vs ${shardOf(b).scenarioHash.slice(0, 12)}): every shard needs the same scenarios, --set and --duration`);
  same(files, (f) => shardOf(f).toolVersion, (a, b) => `${a.file} was written by cluster-bench ${shardOf(a).toolVersion}, ${b.file} by ${shardOf(b).toolVersion}: run every shard with one version`);
  same(files, (f) => JSON.stringify(shardOf(f).histogram), (a, b) => `${a.file} and ${b.file} recorded histograms with different settings: they cannot be added exactly`);
  same(files, (f) => String(f.result.seed), (a, b) => `${a.file} has seed ${a.result.seed}, ${b.file} seed ${b.result.seed}: shards of one run share one seed`);
  const total = shardOf(files[0]!).total;
  if (opts.expectShards !== undefined && opts.expectShards !== total) {
    throw new InputError(`--expect-shards ${opts.expectShards}, but ${files[0]!.file} is one of ${total} shards`);
  }
  const byIndex = new Map<number, ShardFile>();
  for (const f of files) {
    const index = shardOf(f).index;
    const seen = byIndex.get(index);
    if (seen !== undefined) throw new InputError(`${seen.file} and ${f.file} are both shard ${index} of ${total}: one file per shard`);
    if (!Number.isInteger(index) || index < 0 || index >= total) throw new InputError(`${f.file}: shard ${index} of ${total} does not exist`);
    byIndex.set(index, f);
  }
  const present = [...byIndex.keys()].sort((a, b) => a - b);
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && !opts.allowPartial) {
    throw new InputError(
      `shard${missing.length > 1 ? 's' : ''} ${list(missing)} of ${total} missing (given: ${list(present)}): pass --allow-partial to merge what there is (the result is then incomplete and fails the gate)`,
    );
  }
  const ordered = present.map((i) => byIndex.get(i) as ShardFile);
  const first = ordered[0]!;

  const names: string[] = [];
  for (const f of ordered) for (const s of f.result.scenarios) if (!names.includes(s.name)) names.push(s.name);
  const scenarios: ScenarioResult[] = names.map((name) => {
    const parts = ordered.flatMap((f) => f.result.scenarios.filter((s) => s.name === name).map((s) => ({ s, index: shardOf(f).index })));
    const merged = mergeScenarioParts(
      parts.map((p) => p.s),
      { mode: 'concurrent', label: (i) => `shard ${parts[i]!.index}` },
    );
    // Threads of one shard say nothing about the whole: the merge block says what was joined.
    delete merged.execution;
    return merged;
  });
  const specs = (name: string): TargetSpecData[] => shardOf(first).targets[name] ?? [];
  const starts = ordered.map((f) => shardOf(f).window?.startMs).filter((s): s is number => s !== undefined);
  const mergedInfo: MergeInfo = {
    runId: shardOf(first).runId,
    total,
    shards: present,
    missing,
    incomplete: missing.length > 0,
    startSkewMs: starts.length > 0 ? Math.max(...starts) - Math.min(...starts) : 0,
    parts: ordered.map((f) => {
      const s = shardOf(f);
      return {
        index: s.index,
        file: f.file,
        ...(s.hostname !== undefined ? { hostname: s.hostname } : {}),
        cores: f.result.environment.cores,
        ...(s.window !== undefined ? { startMs: s.window.startMs } : {}),
      };
    }),
  };
  const startedAt = ordered.map((f) => f.result.startedAt).sort()[0]!;
  const finishedAt = ordered.map((f) => f.result.finishedAt).sort().at(-1)!;
  return assembleResult(
    scenarios,
    {
      toolVersion: opts.toolVersion,
      command: opts.command,
      // The shards ran one seed's schedule, striped: one process running it unsharded offers
      // exactly their union, so the shards' own Reproduce line reproduces the merged run (the
      // merge command would only merge the same files again).
      reproduce: first.result.reproduce,
      seed: first.result.seed,
      startedAt,
      finishedAt,
      environment: first.result.environment,
    },
    {
      targets: specs,
      interrupted: ordered.some((f) => f.result.interrupted),
      gate: { strict: opts.strict, enabled: true },
      merged: mergedInfo,
    },
  );
}
