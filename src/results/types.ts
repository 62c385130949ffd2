/**
 * The JSON result: plain data, the source of truth for every renderer, the gate and
 * comparisons. Bump RESULT_SCHEMA_VERSION on any incompatible change.
 */

export const RESULT_SCHEMA_VERSION = 1;

export type Status = 'green' | 'yellow' | 'red';

/**
 * The figures every recorded distribution carries, whatever its unit: one HDR histogram and
 * the statistics read from it. A latency and a token count differ only in unit (and scale).
 */
export interface DistributionSummary {
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
  /** HdrHistogram V2 compressed base64 ("HISTFAAA..."), 64-bit buckets, integer values. */
  histogram: string;
}

/** A latency distribution; the histogram holds nanoseconds. */
export interface LatencySummary extends DistributionSummary {
  unit: 'ns';
}

export type ExecutorSpec =
  | { kind: 'iterations'; iterations: number; concurrency: number }
  | { kind: 'vus'; vus: number; iterationsPerVu?: number; durationMs?: number }
  | {
      kind: 'rate';
      /** Arrivals per second (0 for a trace: the trace decides). */
      rate: number;
      /** Length of the schedule (a trace: a cap on its replay, 0 = the whole trace). */
      durationMs: number;
      maxInFlight: number;
      /** Absent: constant (evenly spaced) arrivals. See runner/arrivals.ts. */
      arrival?: 'poisson' | 'trace';
      /** poisson: coefficient of variation of the gaps (1 = Poisson; gamma-distributed otherwise). */
      burst?: number;
      /** trace: absolute path of the arrivals file, and how many times faster it is replayed. */
      trace?: string;
      speed?: number;
    };

export interface ScheduleStats {
  /** Operations that started later than 1 ms after their scheduled start. */
  late: number;
  /** Scheduled operations never started because maxInFlight was reached. */
  dropped: number;
  maxLateNs: number;
  /** The arrival schedule the open model followed. */
  arrivals?: ArrivalInfo;
}

export interface ArrivalInfo {
  pattern: 'constant' | 'poisson' | 'trace';
  /** Arrivals the schedule held (offered + dropped + any not reached when interrupted). */
  scheduled: number;
  burst?: number;
  trace?: { path: string; lines: number; arrivals: number; sha256: string; speed: number; spanMs: number };
}

/**
 * A distribution of counts or rates (tokens, tokens/s). The histogram holds the values
 * multiplied by `scale` and rounded (integers); every other figure is already divided back.
 */
export interface ValueSummary extends DistributionSummary {
  unit: 'tokens' | 'tokens/s';
  scale: number;
}

/** Token counts of a phase's LLM work (docs/metrics.md). */
export interface TokenFigures {
  /**
   * Where the counts come from: `usage`, the server's for every call; `estimate`, a local
   * estimate (4 characters a token) for every call; `mixed`, some of each.
   */
  source: 'usage' | 'estimate' | 'mixed';
  /** Operations counted, and how many of them by estimate. */
  operations: number;
  estimated: number;
  /** Prompt and output tokens per operation (an agent execution: summed over its LLM calls). */
  prompt?: ValueSummary;
  output?: ValueSummary;
  outputTotal: number;
  /** Total output tokens per second of the phase: outputTotal / phase duration. */
  outputPerSecond: number;
  /** Streamed calls: output tokens / (request sent to end of stream), one value per request. */
  outputPerSecondPerRequest?: ValueSummary;
}

/** The workload a phase ran, when it came from a dataset or synthetic distributions. */
export interface WorkloadInfo {
  source: 'dataset' | 'synthetic';
  /** Identity for `compare`: the dataset's SHA-256 and order, or the synthetic distributions. */
  fingerprint: string;
  dataset?: { path: string; lines: number; records: number; bytes: number; sha256: string; order: 'sequential' | 'shuffle' };
  /** The distributions as written (promptTokens, answerTokens, turns, thinkTime, systemTokens). */
  synthetic?: Record<string, string>;
  /** Conversations open at once, how the next one is picked, messages of history per turn. */
  sessions: number;
  popularity: string;
  historyLimit: number;
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
   * Streamed LLM calls only, successful ones (docs/metrics.md defines each): time to first
   * token; time per output token after the first, one value per call; the gap between
   * consecutive output chunks, one value per gap; the gap per token (each chunk gap spread
   * over the tokens it delivered), one value per token.
   */
  ttft?: LatencySummary;
  tpot?: LatencySummary;
  chunkGap?: LatencySummary;
  tokenGap?: LatencySummary;
  /** Results written before 0.2: the gaps between chunks under an ambiguous name (now chunkGap). */
  itl?: LatencySummary;
  /** Token counts of LLM work (llm.call, agent.execute, mixed). */
  tokens?: TokenFigures;
  /** The dataset or synthetic workload the phase ran. */
  workload?: WorkloadInfo;
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
  /**
   * Wall-clock window of the measured run, epoch ms (this machine's clock). Parts of one phase
   * (worker threads, shards) are merged with throughput = all operations / the union of windows.
   */
  window?: TimeWindow;
  /**
   * The keys of `extra` that count events over the whole phase (provider counters such as
   * cacheHits or retries, sessionsExpired): merged results add them up. Every other extra is
   * a per-operation figure or a state reading.
   */
  extraTotals?: string[];
  /** Set when the phase defines goodput (a per-request SLO). */
  goodput?: GoodputResult;
}

/** Goodput of a phase: requests that succeeded and met every part of its per-request SLO. */
export interface GoodputResult {
  /** The SLO's parts, ns (absent: not part of it). */
  latencyNs?: number;
  ttftNs?: number;
  /** Good requests. */
  good: number;
  /** good / count (failed requests count, as not good). */
  fraction: number;
  /** Good requests per second of phase time. */
  rate: number;
}

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** How a scenario's load was generated, when more than the main thread was asked for. */
export interface ExecutionInfo {
  /** Worker threads that ran parts of the load (1: the main thread alone). */
  workers: number;
  /** Why it ran on the main thread although more workers were asked for. */
  mainThreadReason?: string;
  /** Parts whose figures are incomplete (e.g. a worker stopped by force: its last checkpoint counts). */
  notes?: string[];
  /**
   * Per worker and phase: operations finished (they add up to the phase counts) and when its
   * measured run started (epoch ms; every worker starts a phase from one t0).
   */
  parts?: Array<{ worker: number; counts: Record<string, number>; starts: Record<string, number>; fromCheckpoint?: true }>;
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

/** How one capacity step came out: within its SLOs, not, or not a measurement of the system at all. */
export type StepVerdict = 'pass' | 'fail' | 'invalid';
export type StepStage = 'ramp' | 'bisect' | 'confirm' | 'retry';

/** One SLO at one step (the target syntax; measured in the stat's base unit). */
export interface StepSlo {
  source: string;
  stat: string;
  measured: number | null;
  status: Status;
}

/** One step of a capacity search: the phase at one offered rate (open model). */
export interface CapacityStep {
  /** 1-based, in the order the steps ran. */
  index: number;
  stage: StepStage;
  /** Offered rate, operations/s. */
  rate: number;
  /** Length of the measured window (after the warm-up), ms. */
  durationMs: number;
  /** Finished operations per second of the step (ok or not; the drain after the window counts as step time). */
  achieved: number;
  count: number;
  errors: number;
  errorRate: number;
  errorsByKind: Record<string, number>;
  /** From the scheduled start, ns (queueing and generator lag included). */
  latency: LatencySummary;
  /** p99 of the time from the actual start, ns: latency minus it is the generator's own lag. */
  serviceP99?: number;
  goodput?: GoodputResult;
  schedule?: ScheduleStats;
  eventLoopP99Ns: number;
  slos: StepSlo[];
  verdict: StepVerdict;
  /** Why it failed or is invalid, in words. */
  reasons: string[];
  interrupted?: boolean;
}

export type CapacityVerdict =
  /** A knee between a rate that always passed and one that always failed. */
  | 'found'
  /** The load generator became the limit before the system did: no knee measured. */
  | 'generator-bound'
  /** Every step passed up to --max-rate. */
  | 'above-max-rate'
  /** Even the lowest rate tried failed. */
  | 'below-min-rate'
  /** The step budget ran out before the bracket was narrow enough and confirmed. */
  | 'unresolved'
  | 'interrupted';

export interface CapacitySettings {
  startRate: number;
  maxRate: number;
  minRate: number;
  stepDurationMs: number;
  warmupMs: number;
  /** The bracket is narrow enough when upper / lower - 1 is at most this. */
  precision: number;
  /** Times each rate at the boundary is measured. */
  repeat: number;
  maxSteps: number;
}

/** The result of `cluster-bench capacity`: the highest offered rate at which the phase meets its SLOs. */
export interface CapacityResult {
  phase: string;
  op: string;
  /** The SLOs every step was held to (source: target syntax, as given; a step passes when it meets `current`). */
  slos: Array<Pick<TargetResult, 'source' | 'stat' | 'comparator' | 'current' | 'target' | 'unit'>>;
  settings: CapacitySettings;
  steps: CapacityStep[];
  verdict: CapacityVerdict;
  /** The estimate of the knee (verdict "found" only): where the pass fraction crosses one half, operations/s. */
  capacity?: number;
  /** The knee lies between the highest rate that passed every time and the lowest that failed every time. */
  interval?: { lower: number; upper: number };
  /**
   * The highest rate that passed every time (also without a knee: capacity is at least this).
   * When no rate passed every time, the highest that passed at least once: a weaker floor.
   */
  lowerBound?: number;
  /** verdict "generator-bound": the rate at which the tool itself became the limit. */
  generatorBoundAt?: number;
  /** The SLO that broke at the lowest rate, and that rate; `others` broke later (or at the same rate). */
  binding?: { source: string; stat: string; rate: number; measured: number | null };
  broken?: Array<{ source: string; stat: string; rate: number }>;
  /**
   * The shape of the knee, from the binding SLO's statistic at the boundary: "cliff" when it at
   * least doubled between the highest passing and the lowest failing rate, else "smooth".
   */
  knee?: { shape: 'cliff' | 'smooth'; stat: string; below: number | null; above: number | null; ratio: number | null };
  /** How the answer was reached, when the reader must know (e.g. precision lost to invalid steps). */
  notes?: string[];
  /** One line for people: "capacity 406/s (400-413), p99 < 50ms binding at 413/s, cliff". */
  summary: string;
}

export interface MemorySnapshot {
  label: string;
  heapUsed: number;
  rss: number;
}

/** A provider built from a user's plugin module (`providers.<kind>.module`). */
export interface PluginProviderInfo {
  kind: 'llm' | 'memory' | 'agent';
  /** The provider's own `name`. */
  name: string;
  /** The module it came from, as resolved by the loader. */
  module: string;
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
    /** The providers that came from plugin modules, by the name each gave itself (absent: none did). */
    plugins?: PluginProviderInfo[];
    names?: ProviderNames;
  };
  phases: PhaseResult[];
  targets: TargetResult[];
  /** Heap after forced GC at the scenario's milestones (baseline, providers ready, each phase). */
  memory: MemorySnapshot[];
  /** Set when the scenario could not finish (a phase crashed); the other scenarios still run. */
  failure?: string;
  /** `cluster-bench capacity`: the search, its steps and the capacity found. */
  capacity?: CapacityResult;
  /**
   * `run --trials N` (N > 1): each trial's figures, in the order they ran. The scenario's own
   * figures are then those of all trials together: latency from the merged histograms,
   * counts summed, throughput = all operations / all phase time; memory snapshots, heap
   * figures and intervals are the first trial's (a fresh process, as in a single run).
   */
  trials?: TrialResult[];
  /** `run --workers`: how the load was spread over threads. */
  execution?: ExecutionInfo;
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
  /** Why the gate failed or was not applied, beyond the target counts (an incomplete merge, a shard). */
  note?: string;
}

/** The histogram settings every encoded histogram of a result was recorded with (they must match to merge). */
export interface HistogramSettings {
  lowestNs: number;
  highestNs: number;
  significantDigits: number;
  bucketBits: number;
}

/** A parsed target kept in a shard file, so that `merge` can judge the merged figures. */
export type TargetSpecData = Omit<TargetResult, 'measured' | 'status'>;

/**
 * `run --shard i/N`: this result is one part of a run spread over machines. It holds no
 * verdicts (a part's p99 or throughput says nothing about the whole); `merge` joins the parts.
 */
export interface ShardInfo {
  /** 0-based. */
  index: number;
  total: number;
  runId: string;
  /** sha256 of the resolved scenarios (after --set and --duration): parts of one run share it. */
  scenarioHash: string;
  toolVersion: string;
  histogram: HistogramSettings;
  /** The requested synchronized start (ISO), when --start-at was given. */
  startAt?: string;
  /** Wall-clock window of the shard's measured load (epoch ms, this machine's clock). */
  window?: TimeWindow;
  /** The targets of each scenario, judged only on the merged result. */
  targets: Record<string, TargetSpecData[]>;
  /** Worker threads the shard used. */
  workers: number;
  hostname?: string;
}

/** `cluster-bench merge`: what the result was merged from. */
export interface MergeInfo {
  runId: string;
  total: number;
  /** Indexes merged, ascending. */
  shards: number[];
  /** Indexes missing (only with --allow-partial): the result is incomplete and fails the gate. */
  missing: number[];
  incomplete: boolean;
  /** Latest minus earliest start of the shards' first measured phase, ms (clocks of different machines). */
  startSkewMs: number;
  /** Per shard: the file, its host and when it started. */
  parts: Array<{ index: number; file: string; hostname?: string; cores: number; startMs?: number }>;
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
  /** Set on one part of a sharded run (`run --shard`): merge the parts before judging. */
  shard?: ShardInfo;
  /** Set on a result `cluster-bench merge` made from shard files. */
  merged?: MergeInfo;
}
