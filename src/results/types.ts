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


/**
 * How a phase's latencies were timed. `per-op`: every value is one operation, clock reads
 * included. `batch`: every value is the mean of `batchSize` back-to-back operations (for
 * sub-microsecond operations, where the clock would be most of the figure): its p50 is a
 * typical operation without the clock, its tail that of batches. Figures timed differently
 * do not compare (see src/runner/timing-mode.ts).
 */
export type TimingMode = 'per-op' | 'batch';
/**
 * Why the phase was timed so: `auto` measured (estimateNs), `pinned` a batch size in the
 * scenario, `off` batch: off, `concurrent` more than one operation at a time (never batched),
 * `slow op` an operation auto never batches (LLM calls, agent runs, ...).
 */
export type TimingBasis = 'auto' | 'pinned' | 'off' | 'concurrent' | 'slow op';
export interface PhaseTiming {
  mode: TimingMode;
  /** Operations per timed batch; 1 for per-op. */
  batchSize: number;
  basis: TimingBasis;
  /** auto: the warm-up's cost per operation, ns (lowest round median of batch-timed chunks). */
  estimateNs?: number;
}

/** One interval of a phase's time series. */
export type PhaseInterval = IntervalSample;
export interface IntervalSample {
  /** End of the interval, ms since the phase started. */
  tMs: number;
  /** Length of the interval (the last one of a phase is usually shorter). */
  durationMs?: number;
  count: number;
  errors: number;
  throughput: number;
  /** Latency of the interval's successful operations, ns. */
  p50: number;
  p99: number;
  /** V8 heap used after a forced GC at the end of the interval (intervals >= 1 s only). */
  heapUsed?: number;
  rss?: number;
  /** Event-loop delay p99 during the interval, ns. */
  eventLoopP99?: number;
}

export interface LeakVerdict {
  verdict: 'no leak' | 'leak suspected' | 'insufficient data';
  samples: number;
  /** Slope of post-GC heap over the last half of the run. */
  slopeBytesPerHour: number;
  r2: number;
  thresholdBytesPerHour: number;
}

export interface DriftVerdict {
  verdict: 'stable' | 'slower' | 'faster' | 'insufficient data';
  samples: number;
  firstThirdP99Ns: number;
  lastThirdP99Ns: number;
  ratio: number;
  threshold: number;
}

/** Is the tool itself keeping up? If not, the figures measure the generator too. */
export interface GeneratorHealth {
  eventLoopP99Ns: number;
  eventLoopMaxNs: number;
  /** Plain-language warnings; empty when the generator kept up. */
  warnings: string[];
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
  /**
   * Streamed LLM calls only (docs/http.md): time to first token, and inter-token latency
   * (the gaps between output events after the first; TTFT excluded), successful calls only.
   */
  ttft?: LatencySummary;
  itl?: LatencySummary;
  /** Latency values clamped into the histogram's range (should be 0). */
  clamped?: number;
  /** The run was interrupted during this phase: figures cover what finished. */
  interrupted?: boolean;
  /** Operations timed in batches (sub-microsecond): each recorded value is a batch mean. */
  batchTimed: boolean;
  batchSize?: number;
  /** How the phase was timed and why (absent in results written before it was recorded). */
  timing?: PhaseTiming;
  schedule?: ScheduleStats;
  /** V8 heap used after a forced GC at the end of the phase, bytes. */
  heapAfterGc?: number;
  /** Time series, one sample per interval (bounded: adjacent samples merge past 1,000). */
  intervals?: IntervalSample[];
  intervalMs?: number;
  leak?: LeakVerdict;
  drift?: DriftVerdict;
  health?: GeneratorHealth;
  /** Agent phases: latency of each step kind (llm, tool, memory) inside the executions. */
  steps?: Record<string, LatencySummary>;
  /** Free-form figures some operations report (tool calls per execution, sessions, ...). */
  extra?: Record<string, number>;
}

/** The figures of one phase in one trial of `run --trials N` (latencies in ns). */
export interface TrialPhase {
  name: string;
  count: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
}

/** One repetition of a scenario under `run --trials N`. */
export interface TrialResult {
  phases: TrialPhase[];
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

/** The `name` each provider gives itself (reference providers and plugins alike). */
export interface ProviderNames {
  llm: string;
  memory: string;
  agent: string;
}

export interface ScenarioResult {
  name: string;
  description: string;
  /** Path of the scenario file it came from, or "builtin:NAME". */
  source: string;
  startedAt: string;
  durationMs: number;
  /**
   * Providers as configured, and whether the LLM behind them is simulated. `names`: each
   * provider's own `name` (absent in results written before it was recorded).
   */
  providers: {
    llm: { simulated: boolean; transport: string; config: Record<string, unknown> };
    memory: Record<string, unknown>;
    agent: Record<string, unknown>;
    names?: ProviderNames;
  };
  phases: PhaseResult[];
  targets: TargetResult[];
  /** Heap after forced GC at the scenario's milestones (baseline, providers ready, each phase). */
  memory: MemorySnapshot[];
  /** Set when the scenario could not finish (a phase crashed); the other scenarios still run. */
  failure?: string;
  /**
   * `run --trials N` (N > 1): each trial's figures, in the order they ran. The scenario's own
   * figures are then those of all trials together: latency from the merged histograms,
   * counts summed, throughput = all operations / all phase time; memory snapshots, heap
   * figures and intervals are the first trial's (a fresh process, as in a single run).
   */
  trials?: TrialResult[];
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
  /** What the harness itself costs on this machine (`cluster-bench calibrate`). */
  calibration?: Calibration;
}

/**
 * The measurement floor of this machine, in ns: what timing one operation costs beyond the
 * operation itself. Figures near it are mostly harness; see `cluster-bench calibrate`.
 */
export interface Calibration {
  /** Per-operation overhead of the iterations executor (one at a time, each op timed) over a bare `await op()` loop. */
  harnessOverheadNs: number;
  /** How much harnessOverheadNs varies: the 95 % confidence interval of its median (absent in older results). */
  harnessOverheadCiNs?: [number, number];
  /** The same for batch-timed operations (sub-microsecond ops in a sequential phase), per op. */
  batchOverheadNs: number;
  /** Overhead per op of each executor over a bare loop of the same concurrency. */
  executors: Record<string, number>;
  /** Cost of one performance.now() (the executors' clock) and its observed resolution. */
  clockCostNs: number;
  clockResolutionNs: number;
  /** Event-loop delay at idle, p99 (perf_hooks.monitorEventLoopDelay). */
  eventLoopDelayP99Ns: number;
  measuredAt: string;
  /** Taken from the per-machine cache rather than measured by this run. */
  cached: boolean;
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
  /** The command line that produced it, as typed. */
  command: string;
  /**
   * The command that reproduces it: the scenarios, the seed (also when it was drawn at
   * random) and every flag that changes what runs (--set, --duration, --trials, --strict,
   * --no-gate); output flags left out, so it never overwrites the original's files. Absent
   * in results written before it was recorded.
   */
  reproduce?: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  /** Written by a checkpoint during the run: the run had not finished (it may still be going, or have crashed). */
  checkpoint?: boolean;
  environment: Environment;
  scenarios: ScenarioResult[];
  gate: GateResult;
}
