/**
 * A result against a baseline, phase by phase: is it faster, slower, no different, or can
 * the data not tell? Built for shared CI machines that swing by tens of percent, where a
 * fixed ratio of one run each either cries wolf or gets switched off.
 *
 * Two methods, picked per phase:
 *  - Rank test, when both results hold per-trial figures (`run --trials N`) and enough of
 *    them for a two-sided Mann-Whitney test to reach the significance level at all: each
 *    trial is one observation, so run-to-run noise is measured, not assumed. The change
 *    is the ratio of the trial medians; its interval is the Moses interval of the
 *    Hodges-Lehmann shift of log values. Significant: p < 1 - confidence.
 *  - Bootstrap of the HDR histograms, with one trial (or too few): a percentile bootstrap
 *    of the quantile's ratio, drawn exactly from the order-statistic distribution of each
 *    histogram. Latencies of one run are not independent, and treating them so calls noise
 *    a change (measured: a 60 ms phase's median moves 15% between identical runs). So the
 *    sample size is the effective one: operations in flight together share their fate
 *    (count / in flight, by Little's law), and so do operations close in time, since the
 *    machine's state persists for about `blockMs`, so a phase offers at most one look per
 *    block. And a resample of one run cannot see what differs between processes, so the
 *    noise band stands in for it: the change is significant only when the whole interval
 *    lies beyond the band. A short phase thus comes out inconclusive unless the change is
 *    very large: that is what one run can say.
 * What one run cannot test at all is judged by the band alone (inside it "no change",
 * beyond it "inconclusive") and never fails the gate: throughput, one number per run with
 * no sampling distribution, and tail quantiles (p99), whose heaviness swings between
 * identical runs far beyond any resample of one of them (measured: 2.6x between two
 * identical 5-second runs, 9x for a 60 ms phase). `--trials` makes both testable.
 *
 * Verdicts: significant and at least the band away -> faster or slower; the interval inside
 * the band, or significant but smaller than the band -> no change; anything else ->
 * inconclusive. A regression (exit 1) is a "slower" whose change exceeds maxRegression.
 */
import { openResultHistogram } from '../metrics/histogram.js';
import type { ArrivalInfo, Environment, PhaseResult, RunResult, ScenarioResult, TimingMode, TrialPhase } from '../results/types.js';
import { compareCapacities, type CapacityComparison } from './capacity.js';
import {
  bootstrapQuantileChange,
  hashSeed,
  hodgesLehmann,
  mannWhitney,
  minimumPValue,
  type QuantileSource,
} from './stats.js';
import { median } from '../util/median.js';

export type Verdict = 'faster' | 'slower' | 'no change' | 'inconclusive';
export type CompareStat = 'p50' | 'p99' | 'throughput';
export type CompareMethod = 'rank test' | 'bootstrap' | 'noise band' | 'none';

export const COMPARE_STATS: readonly CompareStat[] = ['p50', 'p99', 'throughput'];

export interface CompareOptions {
  /** A slowdown larger than this fraction (0.1 = 10%) that is also significant fails. */
  maxRegression: number;
  /** Changes smaller than this fraction are never called a change. */
  noiseBand: number;
  /** Of intervals and tests; the significance level is 1 - confidence. */
  confidence: number;
  /** Bootstrap replicates per statistic. */
  replicates: number;
  /**
   * How long the machine's conditions persist (CPU frequency, neighbours on a shared host,
   * GC): a phase offers at most one independent look per block, ms.
   */
  blockMs: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = {
  maxRegression: 0.1,
  noiseBand: 0.05,
  confidence: 0.95,
  replicates: 2000,
  blockMs: 100,
};

export interface StatComparison {
  stat: CompareStat;
  unit: 'ns' | 'per_s';
  /** Latency ns or operations/s; with the rank test, the median of the trials. */
  baseline: number | null;
  current: number | null;
  /** current / baseline - 1. */
  change: number | null;
  /** Confidence interval of `change`. */
  lower: number | null;
  upper: number | null;
  /** Confidence the interval reaches (the rank-based one is discrete). */
  confidence: number | null;
  /** Two-sided p-value of the rank test. */
  pValue: number | null;
  method: CompareMethod;
  /**
   * Whether the data could show a significant change at all. Not tested (one run's
   * throughput or p99): the verdict is only "no change" or "inconclusive".
   */
  tested: boolean;
  /** The noise band this statistic was judged with. */
  band: number;
  verdict: Verdict;
  /** A significant slowdown beyond maxRegression. */
  regression: boolean;
  note?: string;
}

export interface PhaseComparison {
  scenario: string;
  phase: string;
  op: string;
  /** How each side's latencies were timed; latencies of different modes are not compared. */
  timing: { baseline: TimingMode; current: TimingMode };
  trials: { baseline: number; current: number };
  errors: { baseline: number; current: number };
  stats: StatComparison[];
}

export interface ResultSummary {
  command: string;
  startedAt: string;
  seed: number;
  tool: string;
  node: string;
  cpu: string;
  gitCommit?: string;
  interrupted: boolean;
}

export interface Comparison {
  baseline: ResultSummary;
  current: ResultSummary;
  options: CompareOptions;
  /** Environment differences that do not stop a comparison (cores, OS, ...), or forced ones. */
  environmentNotes: string[];
  /** Phases whose two runs offered different workloads (dataset, synthetic distributions, arrivals). */
  workloadNotes?: string[];
  phases: PhaseComparison[];
  /**
   * Phases timed per operation on one side and in batches on the other: their latencies
   * measure different things and are not compared (one line each, for the output).
   */
  timingMismatches: string[];
  /** "scenario › phase" found on one side only. */
  baselineOnly: string[];
  currentOnly: string[];
  regressions: Array<{ scenario: string; phase: string; stat: CompareStat; change: number }>;
  /** Results of `cluster-bench capacity` on both sides: their capacities (compare/capacity.ts). */
  capacity?: CapacityComparison[];
  passed: boolean;
}

/** An opened histogram: its quantile function, and a destructor (WASM memory is manual). */
export interface OpenedHistogram {
  quantile(q: number): number;
  destroy(): void;
}
export type HistogramOpener = (encoded: string) => OpenedHistogram;

export const openHdrHistogram: HistogramOpener = (encoded) => {
  const recorder = openResultHistogram(encoded);
  return {
    quantile: (q) => recorder.valueAtPercentile(Math.min(100, Math.max(0, q * 100))),
    destroy: () => recorder.destroy(),
  };
};

/** "v20.11.1" -> 20. */
export function nodeMajor(version: string): number | undefined {
  const m = /^v?(\d+)/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/**
 * Differences that make two results incomparable: another CPU model or another Node major
 * (a new V8 changes everything it compiles). The caller refuses unless forced.
 */
export function blockingDifferences(baseline: Environment, current: Environment): string[] {
  const out: string[] = [];
  if (baseline.cpu !== current.cpu) out.push(`CPU model differs ("${baseline.cpu}" vs "${current.cpu}")`);
  const nb = nodeMajor(baseline.node);
  const nc = nodeMajor(current.node);
  if (nb !== nc) out.push(`Node.js major version differs (${baseline.node} vs ${current.node})`);
  return out;
}

/** Differences worth a note next to the comparison, but not a refusal. */
export function minorDifferences(baseline: Environment, current: Environment): string[] {
  const out: string[] = [];
  const diff = (what: string, a: string | number, b: string | number): void => {
    if (a !== b) out.push(`${what} differs (${a} vs ${b})`);
  };
  diff('cores', baseline.cores, current.cores);
  diff('OS', `${baseline.os} ${baseline.arch}`, `${current.os} ${current.arch}`);
  if (nodeMajor(baseline.node) === nodeMajor(current.node)) diff('Node.js', baseline.node, current.node);
  return out;
}

/** The file name of a path written on any OS ("C:\\data\\a.jsonl" or "/data/a.jsonl" -> "a.jsonl"). */
function fileName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

/** What a phase offered, in words: its conversations (if any) and its arrivals. */
export function describeOffered(p: PhaseResult): { workload: string; arrivals: string } {
  const w = p.workload;
  const workload =
    w === undefined
      ? 'the same prompt every time'
      : w.dataset !== undefined
        ? `dataset ${fileName(w.dataset.path)} (${w.dataset.records} conversations, sha256 ${shortHash(w.dataset.sha256)}, ${w.dataset.order})`
        : w.source === 'dataset'
          ? `a dataset (${w.fingerprint})`
          : `synthetic ${Object.entries(w.synthetic ?? {})
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`;
  const a = p.schedule?.arrivals;
  const arrivals =
    a === undefined || a.pattern === 'constant'
      ? 'evenly spaced arrivals'
      : a.pattern === 'poisson'
        ? `Poisson arrivals${a.burst !== undefined ? ` (burst ${a.burst})` : ''}`
        : a.trace === undefined
          ? // A result written by hand or by an older tool may lack the trace's details.
            'trace arrivals'
          : `trace ${fileName(a.trace.path)} (${a.trace.arrivals} arrivals, sha256 ${shortHash(a.trace.sha256)}) at ${a.trace.speed}x`;
  return { workload, arrivals };
}

/** The same arrival schedule: pattern (unrecorded is constant), burst (unrecorded is 1), trace content and speed. */
function sameArrivals(x: ArrivalInfo | undefined, y: ArrivalInfo | undefined): boolean {
  return (
    (x?.pattern ?? 'constant') === (y?.pattern ?? 'constant') &&
    (x?.burst ?? 1) === (y?.burst ?? 1) &&
    x?.trace?.sha256 === y?.trace?.sha256 &&
    x?.trace?.speed === y?.trace?.speed
  );
}

/** How the workloads of two runs of a phase differ, or undefined when they are the same. */
export function workloadDifference(b: PhaseResult, c: PhaseResult): string | undefined {
  const diffs: string[] = [];
  if ((b.workload?.fingerprint ?? '') !== (c.workload?.fingerprint ?? '')) diffs.push(`${describeOffered(b).workload} vs ${describeOffered(c).workload}`);
  // Arrivals only count for the open model on both sides (a closed phase has none).
  if (b.schedule !== undefined && c.schedule !== undefined && !sameArrivals(b.schedule.arrivals, c.schedule.arrivals)) {
    diffs.push(`${describeOffered(b).arrivals} vs ${describeOffered(c).arrivals}`);
  }
  return diffs.length > 0 ? diffs.join('; ') : undefined;
}

function summarize(r: RunResult): ResultSummary {
  return {
    command: r.command,
    startedAt: r.startedAt,
    seed: r.seed,
    tool: `${r.tool.name} ${r.tool.version}`,
    node: r.environment.node,
    cpu: r.environment.cpu,
    // Stryker disable next-line ConditionalExpression: equivalent; a gitCommit key holding undefined reads as none everywhere (JSON drops it, the renderers test !== undefined)
    ...(r.environment.gitCommit !== undefined ? { gitCommit: r.environment.gitCommit } : {}),
    interrupted: r.interrupted,
  };
}

/**
 * Effective number of independent latency observations: operations in flight together
 * (L = throughput x mean latency, Little's law) share the same timers, GC pauses and event
 * loop turns, so they count as one; and operations within one block of time share the
 * machine's state, so a phase gives at most durationMs / blockMs looks. At least 1.
 */
export function effectiveSampleSize(phase: PhaseResult, blockMs: number = DEFAULT_COMPARE_OPTIONS.blockMs): number {
  const n = phase.latency.count;
  const inFlight = phase.throughput * (phase.latency.mean / 1e9);
  // Stryker disable next-line EqualityOperator: equivalent; at exactly one in flight n / 1 is n
  const byConcurrency = Number.isFinite(inFlight) && inFlight > 1 ? n / inFlight : n;
  const byTime = blockMs > 0 && Number.isFinite(phase.durationMs) ? phase.durationMs / blockMs : Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(byConcurrency, byTime));
}

function higherIsWorse(stat: CompareStat): boolean {
  return stat !== 'throughput';
}

/** The verdict from the change, its confidence interval (none: one run's throughput) and significance. */
function verdictOf(
  stat: CompareStat,
  change: number,
  interval: { lower: number; upper: number } | null,
  significant: boolean,
  band: number,
): Verdict {
  // Stryker disable next-line EqualityOperator: equivalent; a significant change of exactly 0 would need a histogram that contradicts its own summary
  const worse = higherIsWorse(stat) ? change > 0 : change < 0;
  if (significant && Math.abs(change) >= band) return worse ? 'slower' : 'faster';
  if (interval !== null && interval.lower >= -band && interval.upper <= band) return 'no change';
  if (significant) return 'no change';
  if (interval === null && Math.abs(change) < band) return 'no change';
  return 'inconclusive';
}

function ratioChange(baseline: number, current: number): number | null {
  return baseline > 0 && Number.isFinite(current) ? current / baseline - 1 : null;
}

interface Side {
  phase: PhaseResult;
  trials: TrialPhase[] | undefined;
}

function trialValues(trials: readonly TrialPhase[], stat: CompareStat): number[] {
  // Ratios and logs need positive figures: a trial without a successful operation has none.
  if (stat === 'throughput') return trials.filter((t) => t.throughput > 0).map((t) => t.throughput);
  return trials.filter((t) => t.count - t.errors > 0 && t[stat] > 0).map((t) => t[stat]);
}

function empty(stat: CompareStat, band: number, note: string, baseline: number | null, current: number | null): StatComparison {
  return {
    stat,
    unit: stat === 'throughput' ? 'per_s' : 'ns',
    baseline,
    current,
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent; ratioChange gives null for a null side as well
    change: baseline !== null && current !== null ? ratioChange(baseline, current) : null,
    lower: null,
    upper: null,
    confidence: null,
    pValue: null,
    method: 'none',
    tested: false,
    band,
    verdict: 'inconclusive',
    // Stryker disable next-line BooleanLiteral: a placeholder; compareResults sets regression
    regression: false,
    note,
  };
}

function rankTest(stat: CompareStat, b: number[], c: number[], opts: CompareOptions): StatComparison {
  const mb = median(b);
  const mc = median(c);
  const mw = mannWhitney(b, c);
  const hl = hodgesLehmann(
    b.map((v) => Math.log(v)),
    c.map((v) => Math.log(v)),
    opts.confidence,
  );
  const change = ratioChange(mb, mc) ?? 0;
  const lower = Math.exp(hl.lower) - 1;
  const upper = Math.exp(hl.upper) - 1;
  // Stryker disable next-line EqualityOperator: equivalent; no attainable exact p-value equals 1 - confidence in floating point
  const significant = mw.p < 1 - opts.confidence;
  return {
    stat,
    unit: stat === 'throughput' ? 'per_s' : 'ns',
    baseline: mb,
    current: mc,
    change,
    lower,
    upper,
    confidence: hl.confidence,
    pValue: mw.p,
    method: 'rank test',
    tested: true,
    band: opts.noiseBand,
    verdict: verdictOf(stat, change, { lower, upper }, significant, opts.noiseBand),
    // Stryker disable next-line BooleanLiteral: a placeholder; compareResults sets regression
    regression: false,
  };
}

function compareStat(
  key: string,
  stat: CompareStat,
  base: Side,
  cur: Side,
  opts: CompareOptions,
  open: HistogramOpener,
): StatComparison {
  const alpha = 1 - opts.confidence;
  let note: string | undefined;
  if (base.trials !== undefined && cur.trials !== undefined) {
    const b = trialValues(base.trials, stat);
    const c = trialValues(cur.trials, stat);
    // Stryker disable next-line EqualityOperator: see significant in rankTest; the > 2 mutants are killed by the 2-trial tests
    if (b.length >= 2 && c.length >= 2 && minimumPValue(b.length, c.length) < alpha) {
      return rankTest(stat, b, c, opts);
    }
    note = `${b.length} vs ${c.length} trials are too few for a rank test at ${Math.round(opts.confidence * 100)}%; judged on the pooled histograms`;
  }

  if (stat === 'throughput') {
    const change = ratioChange(base.phase.throughput, cur.phase.throughput);
    if (change === null) return empty(stat, opts.noiseBand, 'no throughput on one side', base.phase.throughput, cur.phase.throughput);
    return {
      stat,
      unit: 'per_s',
      baseline: base.phase.throughput,
      current: cur.phase.throughput,
      change,
      lower: null,
      upper: null,
      confidence: null,
      pValue: null,
      method: 'noise band',
      tested: false,
      band: opts.noiseBand,
      verdict: verdictOf(stat, change, null, false, opts.noiseBand),
      // Stryker disable next-line BooleanLiteral: a placeholder; compareResults sets regression
      regression: false,
      ...(note !== undefined ? { note } : {}),
    };
  }

  const bl = base.phase.latency;
  const cl = cur.phase.latency;
  const statBand = opts.noiseBand;
  if (bl.count === 0 || cl.count === 0) {
    return empty(stat, statBand, 'no successful operation on one side', bl.count > 0 ? bl[stat] : null, cl.count > 0 ? cl[stat] : null);
  }
  const p = stat === 'p50' ? 0.5 : 0.99;
  const hb = open(bl.histogram);
  try {
    const hc = open(cl.histogram);
    try {
      const sb: QuantileSource = { n: effectiveSampleSize(base.phase, opts.blockMs), quantile: (q) => hb.quantile(q) };
      const sc: QuantileSource = { n: effectiveSampleSize(cur.phase, opts.blockMs), quantile: (q) => hc.quantile(q) };
      // Stryker disable next-line StringLiteral: the seed's text only picks the random stream; any fixed text gives an equally valid interval
      const ci = bootstrapQuantileChange(sb, sc, p, { confidence: opts.confidence, replicates: opts.replicates, seed: hashSeed(`${key}/${stat}`) });
      const change = ratioChange(bl[stat], cl[stat]) ?? ci.change;
      // One run's resample knows nothing of run-to-run noise: the band stands in for it.
      // Not for a tail, which swings between runs far beyond the band: not tested.
      const tested = stat === 'p50';
      const significant = tested && (ci.lower > statBand || ci.upper < -statBand);
      return {
        stat,
        unit: 'ns',
        baseline: bl[stat],
        current: cl[stat],
        change,
        lower: ci.lower,
        upper: ci.upper,
        confidence: opts.confidence,
        pValue: null,
        method: 'bootstrap',
        tested,
        band: statBand,
        verdict: verdictOf(stat, change, ci, significant, statBand),
        // Stryker disable next-line BooleanLiteral: a placeholder; compareResults sets regression
        regression: false,
        ...(note !== undefined ? { note } : {}),
      };
    } finally {
      hc.destroy();
    }
  } finally {
    hb.destroy();
  }
}

function trialsOf(scenario: ScenarioResult, phase: string): TrialPhase[] | undefined {
  if (scenario.trials === undefined) return undefined;
  // Fewer than two trials of this phase (a single trial, or a phase most trials did not run) give no per-trial figures.
  const found = scenario.trials.map((t) => t.phases.find((p) => p.name === phase)).filter((p): p is TrialPhase => p !== undefined);
  return found.length >= 2 ? found : undefined;
}

function label(scenario: string, phase: string): string {
  return `${scenario} › ${phase}`;
}

/** The phase's timing mode; results written before it was recorded only say batchTimed. */
export function timingModeOf(phase: PhaseResult): TimingMode {
  return phase.timing?.mode ?? (phase.batchTimed ? 'batch' : 'per-op');
}

function describeTiming(phase: PhaseResult): string {
  return timingModeOf(phase) === 'batch' ? `batch-timed (${phase.timing?.batchSize ?? phase.batchSize ?? '?'} per batch)` : 'timed per operation';
}

/** Why two phases' latencies are not compared, when their timing modes differ. */
export function timingMismatchNote(base: PhaseResult, cur: PhaseResult): string | undefined {
  if (timingModeOf(base) === timingModeOf(cur)) return undefined;
  return (
    `not compared: the baseline was ${describeTiming(base)}, this result ${describeTiming(cur)}; a batch figure is a ` +
    'mean of back-to-back operations without the clock, a per-operation one includes it. Pin `batch:` in the scenario'
  );
}

/**
 * Compares every phase the two results share (scenarios matched by name, then phases by
 * name). Environments are not checked here: see blockingDifferences.
 */
export function compareResults(
  baseline: RunResult,
  current: RunResult,
  options: Partial<CompareOptions> = {},
  open: HistogramOpener = openHdrHistogram,
): Comparison {
  const opts: CompareOptions = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  const phases: PhaseComparison[] = [];
  const workloadNotes: string[] = [];
  const baselineOnly: string[] = [];
  const currentOnly: string[] = [];
  const timingMismatches: string[] = [];
  const firstByName = (r: RunResult): Map<string, ScenarioResult> => {
    const m = new Map<string, ScenarioResult>();
    for (const s of r.scenarios) if (!m.has(s.name)) m.set(s.name, s);
    return m;
  };
  const bs = firstByName(baseline);
  const cs = firstByName(current);
  for (const [name, b] of bs) {
    const c = cs.get(name);
    if (!c) {
      baselineOnly.push(...b.phases.map((p) => label(name, p.name)));
      continue;
    }
    for (const bp of b.phases) {
      const cp = c.phases.find((p) => p.name === bp.name);
      if (!cp) {
        baselineOnly.push(label(name, bp.name));
        continue;
      }
      const base: Side = { phase: bp, trials: trialsOf(b, bp.name) };
      const cur: Side = { phase: cp, trials: trialsOf(c, cp.name) };
      const mismatch = timingMismatchNote(bp, cp);
      if (mismatch !== undefined) timingMismatches.push(`${label(name, bp.name)}: ${mismatch}`);
      const stats = COMPARE_STATS.map((stat) => {
        // A change of timing mode moves a latency by itself (2x for a sub-microsecond store):
        // it must never read as a speed-up or a regression. Throughput counts operations
        // over wall time, whatever the clock did; it is still compared.
        if (mismatch !== undefined && stat !== 'throughput') {
          return { ...empty(stat, opts.noiseBand, mismatch, bp.latency[stat], cp.latency[stat]), regression: false };
        }
        // Stryker disable next-line StringLiteral: the key only seeds the bootstrap (see compareStat)
        const s = compareStat(`${name}/${bp.name}`, stat, base, cur, opts, open);
        // Stryker disable next-line ConditionalExpression: equivalent; null compares false against maxRegression either way
        const slowdown = s.change !== null && (higherIsWorse(stat) ? s.change : -s.change) > opts.maxRegression;
        return { ...s, regression: s.verdict === 'slower' && slowdown };
      });
      const differs = workloadDifference(bp, cp);
      if (differs !== undefined) workloadNotes.push(`${label(name, bp.name)}: different workloads: ${differs}`);
      phases.push({
        scenario: name,
        phase: bp.name,
        op: bp.op,
        timing: { baseline: timingModeOf(bp), current: timingModeOf(cp) },
        trials: { baseline: b.trials?.length ?? 1, current: c.trials?.length ?? 1 },
        errors: { baseline: bp.errors, current: cp.errors },
        stats,
      });
    }
    for (const cp of c.phases) if (!b.phases.some((p) => p.name === cp.name)) currentOnly.push(label(name, cp.name));
  }
  for (const [name, c] of cs) if (!bs.has(name)) currentOnly.push(...c.phases.map((p) => label(name, p.name)));

  const regressions = phases.flatMap((p) =>
    p.stats.filter((s) => s.regression).map((s) => ({ scenario: p.scenario, phase: p.phase, stat: s.stat, change: s.change ?? 0 })),
  );
  const capacity = compareCapacities(baseline, current, opts);
  return {
    baseline: summarize(baseline),
    current: summarize(current),
    options: opts,
    environmentNotes: minorDifferences(baseline.environment, current.environment),
    ...(workloadNotes.length > 0 ? { workloadNotes } : {}),
    phases,
    timingMismatches,
    baselineOnly,
    currentOnly,
    regressions,
    ...(capacity.length > 0 ? { capacity } : {}),
    passed: regressions.length === 0 && !capacity.some((c) => c.regression),
  };
}
