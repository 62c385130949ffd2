/**
 * The JSON result: plain data, the source of truth for every renderer, the gate and
 * comparisons. Bump RESULT_SCHEMA_VERSION on any incompatible change.
 */

export const RESULT_SCHEMA_VERSION = 1;

export type Status = 'green' | 'yellow' | 'red';

export interface LatencySummary {
  unit: 'ns';
  /** Values in the histogram (batch-timed operations count once each). */
  count: number;
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  /** HdrHistogram V2 compressed base64 ("HISTFAAA..."), 64-bit buckets, ns values. */
  histogram: string;
}

export type ExecutorSpec =
  | { kind: 'iterations'; iterations: number; concurrency: number }
  | { kind: 'vus'; vus: number; iterationsPerVu?: number; durationMs?: number }
  | { kind: 'rate'; rate: number; durationMs: number; maxInFlight: number };

export interface ScheduleStats {
  /** Operations that started later than 1 ms after their scheduled start. */
  late: number;
  /** Scheduled operations never started because maxInFlight was reached. */
  dropped: number;
  maxLateNs: number;
}

export interface PhaseResult {
  name: string;
  op: string;
  description: string;
  executor: ExecutorSpec;
  warmup: number;
  timeoutMs: number;
  /** Every finished operation, ok or failed. */
  count: number;
  /** Failed operations (timeouts included). */
  errors: number;
  errorsByKind: Record<string, number>;
  errorRate: number;
  durationMs: number;
  /** Finished operations per second of phase wall time. */
  throughput: number;
  /**
   * Latency of successful operations. For the open-model `rate` executor it is measured
   * from each operation's *scheduled* start, so stalls of the system show (no coordinated omission).
   */
  latency: LatencySummary;
  /** `rate` executor only: time from the actual start of each operation to its end. */
  serviceTime?: LatencySummary;
  /** Latency values clamped into the histogram's range (should be 0). */
  clamped?: number;
  /** The run was interrupted during this phase: figures cover what finished. */
  interrupted?: boolean;
  /** Operations timed in batches (sub-microsecond): each recorded value is a batch mean. */
  batchTimed: boolean;
  batchSize?: number;
  schedule?: ScheduleStats;
  /** V8 heap used after a forced GC at the end of the phase, bytes. */
  heapAfterGc?: number;
  /** Free-form figures some operations report (tool calls per execution, sessions, ...). */
  extra?: Record<string, number>;
}

export interface TargetResult {
  /** Row name, as in the seed's target-metrics matrix. */
  metric: string;
  /** The expression as written in the scenario, e.g. "sequential p99 < 50ms / < 30ms". */
  source: string;
  phase: string;
  stat: string;
  /** Measured value in the stat's base unit (ns, /s, bytes, fraction), null if unavailable. */
  measured: number | null;
  unit: 'ns' | 'per_s' | 'bytes' | 'fraction' | 'count';
  comparator: '<' | '<=' | '>' | '>=';
  current: number;
  target: number;
  status: Status;
}

export interface MemorySnapshot {
  label: string;
  heapUsed: number;
  rss: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  /** Path of the scenario file it came from, or "builtin:NAME". */
  source: string;
  startedAt: string;
  durationMs: number;
  /** Providers as configured, and whether the LLM behind them is simulated. */
  providers: { llm: { simulated: boolean; transport: string; config: Record<string, unknown> }; memory: Record<string, unknown>; agent: Record<string, unknown> };
  phases: PhaseResult[];
  targets: TargetResult[];
  /** Heap after forced GC at the scenario's milestones (baseline, providers ready, each phase). */
  memory: MemorySnapshot[];
  /** Set when the scenario could not finish (a phase crashed); the other scenarios still run. */
  failure?: string;
}

export interface Environment {
  node: string;
  v8: string;
  os: string;
  arch: string;
  cpu: string;
  cores: number;
  memoryBytes: number;
  hostname?: string;
  gitCommit?: string;
  ci: boolean;
}

export interface GateResult {
  strict: boolean;
  enabled: boolean;
  passed: boolean;
  counts: Record<Status, number>;
}

export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  /** The command line that produced it, for the "reproduce" line of reports. */
  command: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  environment: Environment;
  scenarios: ScenarioResult[];
  gate: GateResult;
}
