/**
 * A validated scenario: what the loader produces and the runner consumes. Plain types;
 * the schema that checks files against them lives in scenarios/schema.ts.
 */
import type { ProvidersConfig } from '../providers/config.js';
import type { ExecutorSpec } from '../results/types.js';
import type { TargetSpec } from '../targets/types.js';
import type { Popularity } from '../workload/distributions.js';
import type { SyntheticSpec } from '../workload/synthetic.js';

export const OP_NAMES = [
  'llm.init',
  'memory.init',
  'agent.init',
  'llm.call',
  'memory.store',
  'memory.store-batch',
  'memory.retrieve',
  'memory.sweep',
  'agent.execute',
  'mixed',
  'noop',
] as const;
export type OpName = (typeof OP_NAMES)[number];

export interface OpParams {
  /** User message of llm.call / agent.execute / mixed. `{i}` is replaced by the operation index. */
  prompt: string;
  /** Sessions used round-robin: operation i uses `session_{i % sessions}`. */
  sessions: number;
  /** Message text of memory stores; `{i}` is replaced by the operation index. */
  content: string;
  /** memory.retrieve: how many of the newest messages to read. */
  limit: number;
  /** memory.store-batch: messages per batch. */
  batchSize: number;
  /** memory.sweep: idle time to let pass (on the provider's clock) before sweeping, ms. */
  advanceMs: number;
  /**
   * A conversations file (JSONL; an absolute path once loaded): each operation takes the next
   * turn of one of its conversations, with the session's history from memory (docs/workloads.md).
   */
  dataset?: string;
  /** Dataset records in file order, or shuffled by the run's seed. */
  order: 'sequential' | 'shuffle';
  /** Seeded synthetic conversations instead of a file. */
  synthetic?: SyntheticSpec;
  /** How the next conversation to continue is picked among the open ones. */
  popularity: Popularity;
  /** Think times are multiplied by this (0: none; 0.01 replays a day's pauses in minutes). */
  thinkTimeScale: number;
}

export type BatchMode = 'auto' | 'off' | number;

/** A per-request SLO: a request is good when it succeeded and meets every part given (runner/goodput.ts). */
export interface GoodputSpec {
  latencyMs?: number;
  ttftMs?: number;
}

export interface PhaseSpec {
  name: string;
  description?: string;
  op: OpName;
  params: OpParams;
  executor: ExecutorSpec;
  /** Operations run before measuring, not recorded. */
  warmup: number;
  /** Per-operation timeout, ms; an operation that takes longer counts as a `timeout` error. */
  timeoutMs: number;
  /** Batch timing for sub-microsecond operations: auto-detected, off, or a fixed batch size. */
  batch: BatchMode;
  /** Non-TTY progress: a line every N operations (at most about once a second). */
  progressEvery?: number;
  /** Length of one time-series interval, ms (throughput, p50/p99, heap, loop delay per interval). */
  intervalMs: number;
  /** Goodput: which requests count as good (the phase then reports their fraction and rate). */
  goodput?: GoodputSpec;
}

export interface Scenario {
  name: string;
  description: string;
  /** File it was loaded from (for messages and reports). */
  source: string;
  providers: ProvidersConfig;
  phases: PhaseSpec[];
  targets: TargetSpec[];
  /**
   * Worker threads to spread the load over when `run` has no --workers: a number, or auto (one
   * per core). Default 1. Scenarios that measure memory run on the main thread regardless.
   */
  workers?: number | 'auto';
}
