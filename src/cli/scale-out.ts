/**
 * `run`'s scale-out flags: --workers (threads of this process), --shard (this machine's part
 * of a run an existing engine spreads over machines: a Kubernetes Indexed Job, a CI matrix,
 * an array job), --run-id, --start-at, and {shard}/{run} in output paths. cluster-bench never
 * coordinates machines itself: the engine starts the shards, `merge` joins their files.
 */
import { createHash } from 'node:crypto';
import { badInput } from '../errors.js';
import type { Part } from '../runner/split.js';
import type { ScaleOut, WorkersFlag } from '../runner/run-scaled.js';
import { parseDurationMs } from '../util/units.js';
import { HISTOGRAM_SETTINGS } from '../metrics/histogram.js';
import type { ScenarioResult, ShardInfo, TimeWindow } from '../results/types.js';
import { TOOL_VERSION } from './version.js';
import type { CliProcess } from './process.js';

/** More threads than this is a typo, not a machine. */
export const MAX_WORKERS = 1024;
/** AWS Batch's largest array job. */
export const MAX_SHARDS = 10_000;
/** A start further away than this is a typo (it would hold a Job for a day). */
const MAX_START_DELAY_MS = 24 * 3_600_000;

export function parseWorkers(text: string | undefined): WorkersFlag | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === 'auto') return 'auto';
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
    throw badInput(`--workers "${text}": expected auto (one per core) or a whole number from 1 to ${MAX_WORKERS}`);
  }
  return Number(text);
}

/**
 * Where engines put a task's index, in the order they are looked for. `base` 1: the
 * variable counts from 1 (GitLab), shards count from 0.
 */
export const INDEX_VARIABLES: ReadonlyArray<{ name: string; engine: string; base: 0 | 1 }> = [
  { name: 'JOB_COMPLETION_INDEX', engine: 'Kubernetes Indexed Job', base: 0 },
  { name: 'AWS_BATCH_JOB_ARRAY_INDEX', engine: 'AWS Batch array job', base: 0 },
  { name: 'CLOUD_RUN_TASK_INDEX', engine: 'Cloud Run job', base: 0 },
  { name: 'CI_NODE_INDEX', engine: 'GitLab parallel', base: 1 },
];

/** `--shard i/N` (i from 0) or `--shard auto/N` (i from the engine's variable). */
export function parseShard(text: string | undefined, env: CliProcess['env']): Part | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(auto|\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const form = `expected i/N (i from 0 to N-1, N from 1 to ${MAX_SHARDS}) or auto/N`;
  if (!m) throw badInput(`--shard "${text}": ${form}`);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw badInput(`--shard "${text}": ${form}`);
  if (m[1] !== 'auto') {
    const index = Number(m[1]);
    if (index >= count) throw badInput(`--shard "${text}": shard ${index} of ${count} does not exist (shards count from 0: 0/${count} to ${count - 1}/${count})`);
    return { index, count };
  }
  const found = INDEX_VARIABLES.find((v) => env[v.name] !== undefined && env[v.name] !== '');
  if (found === undefined) {
    throw badInput(
      `--shard "${text}": no shard index in the environment (looked for ${INDEX_VARIABLES.map((v) => `${v.name} (${v.engine})`).join(', ')}); set one, or pass --shard i/${count}`,
    );
  }
  const raw = env[found.name] as string;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) - found.base : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value >= count) {
    throw badInput(`--shard "${text}": ${found.name}="${raw}" is not a shard of ${count} (expected ${found.base} to ${count - 1 + found.base})`);
  }
  return { index: value, count };
}

/** `--start-at 2026-11-29T13:00:00Z` or `--start-at +30s`: epoch ms. */
export function parseStartAt(text: string | undefined, nowMs: number): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  let at: number;
  if (t.startsWith('+')) {
    const ms = parseDurationMs(t.slice(1));
    if (ms === undefined) throw badInput(`--start-at "${text}": expected an ISO time with a zone (2026-11-29T13:00:00Z) or +DURATION (+30s)`);
    at = nowMs + ms;
  } else {
    // A time without a zone would mean another instant on every machine in another zone.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t) || Number.isNaN(Date.parse(t))) {
      throw badInput(`--start-at "${text}": expected an ISO time with a zone (2026-11-29T13:00:00Z) or +DURATION (+30s)`);
    }
    at = Date.parse(t);
  }
  if (at - nowMs > MAX_START_DELAY_MS) throw badInput(`--start-at "${text}": more than 24 hours away`);
  return at;
}

const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * The run id shards share: --run-id, else one the engine gives every task of the run alike,
 * else "unnamed" (then `merge` cannot tell two runs' shards apart: pass --run-id).
 */
export function resolveRunId(flag: string | undefined, env: CliProcess['env']): string {
  if (flag !== undefined) {
    if (!RUN_ID_RE.test(flag)) throw badInput(`--run-id "${flag}": expected 1 to 100 letters, digits, ".", "_" or "-" (it goes into file names)`);
    return flag;
  }
  const gh = env['GITHUB_RUN_ID'];
  if (gh) return `gh-${gh}-${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`;
  if (env['CI_PIPELINE_ID']) return `gitlab-${env['CI_PIPELINE_ID']}`;
  if (env['CLOUD_RUN_EXECUTION']) return env['CLOUD_RUN_EXECUTION'].replace(/[^A-Za-z0-9._-]/g, '_');
  // A child of an AWS Batch array job is "<parent id>:<index>"; the parent's id is the run's.
  if (env['AWS_BATCH_JOB_ID']) return `aws-${env['AWS_BATCH_JOB_ID'].split(':')[0]}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return 'unnamed';
}

/** A seed every shard of a run derives alike when none is given (each part then derives its own). */
export function seedFromRunId(runId: string): number {
  return createHash('sha256').update(runId).digest().readUInt32BE(0);
}

/** `-o results/{run}/shard-{shard}.json`. */
export function expandOutput(file: string | undefined, values: { shard?: Part; runId?: string }): string | undefined {
  if (file === undefined) return undefined;
  if (file.includes('{shard}') && values.shard === undefined) throw badInput(`-o "${file}": {shard} needs --shard`);
  return file.replaceAll('{shard}', String(values.shard?.index ?? '')).replaceAll('{run}', values.runId ?? 'unnamed');
}

export interface ScaleOutFlags {
  workers?: string;
  shard?: string;
  runId?: string;
  startAt?: string;
  out?: string;
  report?: string;
}

export interface ScaleOutPlan {
  scale: ScaleOut;
  /** Set with --shard (or --run-id): the id shards of one run share. */
  runId: string | undefined;
  /** --out / --report with {shard} and {run} expanded. */
  out: string | undefined;
  report: string | undefined;
}

/** Everything the scale-out flags say, checked before anything runs (bad input: exit 2). */
export function scaleOutPlan(io: CliProcess, flags: ScaleOutFlags, nowMs: number): ScaleOutPlan {
  const workers = parseWorkers(flags.workers);
  const shard = parseShard(flags.shard, io.env);
  const startAtMs = parseStartAt(flags.startAt, nowMs);
  const runId = shard !== undefined || flags.runId !== undefined ? resolveRunId(flags.runId, io.env) : undefined;
  const values = { ...(shard ? { shard } : {}), ...(runId !== undefined ? { runId } : {}) };
  return {
    scale: { workers, shard, startAtMs },
    runId,
    out: expandOutput(flags.out, values),
    report: expandOutput(flags.report, values),
  };
}

/** The shard block of this machine's result (targets are added by assembleResult). */
export function shardInfo(shard: Part, plan: ScaleOutPlan, hash: string, results: readonly ScenarioResult[], hostname: string | undefined): Omit<ShardInfo, 'targets'> {
  const windows = results.flatMap((r) => r.phases.map((p) => p.window)).filter((w): w is TimeWindow => w !== undefined);
  const workers = Math.max(1, ...results.map((r) => r.execution?.workers ?? 1));
  return {
    index: shard.index,
    total: shard.count,
    runId: plan.runId ?? 'unnamed',
    scenarioHash: hash,
    toolVersion: TOOL_VERSION,
    histogram: { ...HISTOGRAM_SETTINGS },
    ...(plan.scale.startAtMs !== undefined ? { startAt: new Date(plan.scale.startAtMs).toISOString() } : {}),
    ...(windows.length > 0 ? { window: { startMs: Math.min(...windows.map((w) => w.startMs)), endMs: Math.max(...windows.map((w) => w.endMs)) } } : {}),
    workers,
    ...(hostname !== undefined ? { hostname } : {}),
  };
}
