/**
 * The one merge of results: trials (`run --trials`, parts that ran one after another),
 * worker threads and shards (parts that ran at the same time). Every latency distribution is
 * the exact sum of the parts' HDR histograms (decoded as WASM histograms, added, re-encoded:
 * string-equal to one histogram of every value, NOTES-scale-out.md), never an average of
 * percentiles; min and max come from the parts' exact figures, not from bucket bounds.
 *
 * What differs between the two kinds is time: sequential parts add their durations;
 * concurrent parts share the clock, so throughput is all operations over the *union* of their
 * wall-clock windows (two shards that ran the same 10 s did 2x the work in 10 s, not in 20 s).
 */
import { mergeEncoded } from '../metrics/histogram.js';
import { rescale } from '../metrics/value-summary.js';
import { driftVerdict, leakVerdict } from '../metrics/series.js';
import type { IntervalSample, LatencySummary, PhaseResult, ScenarioResult, TimeWindow, TokenFigures, ValueSummary } from './types.js';

/** sequential: trials, one after another. concurrent: worker threads or shards, at the same time. */
export type MergeMode = 'sequential' | 'concurrent';

/** Exact sum of encoded histograms; min and max from the parts' exact values. */
export function mergeLatency(parts: readonly LatencySummary[]): LatencySummary {
  if (parts.length === 0) throw new Error('mergeLatency: nothing to merge');
  const merged = mergeEncoded(parts.map((p) => p.histogram));
  const recorded = parts.filter((p) => p.count > 0);
  if (recorded.length === 0) return merged;
  // Decoding widens min and max to their bucket bounds; the parts kept the exact values.
  return { ...merged, min: Math.min(...recorded.map((p) => p.min)), max: Math.max(...recorded.map((p) => p.max)) };
}

/** Total length of the union of windows, ms (overlaps counted once, gaps not at all). */
export function unionMs(windows: readonly TimeWindow[]): number {
  // Stryker disable next-line EqualityOperator: equivalent; a window of length 0 adds nothing to the union, kept or not
  const sorted = [...windows].filter((w) => w.endMs >= w.startMs).sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let start = sorted[0]?.startMs ?? 0;
  let end = start;
  for (const w of sorted) {
    // A gap: the run of overlapping windows so far is closed.
    // Stryker disable next-line EqualityOperator: equivalent; a window starting where the last ended adds its length whether it extends that run or opens a new one
    if (w.startMs > end) {
      total += end - start;
      start = w.startMs;
    }
    end = Math.max(end, w.endMs);
  }
  return total + end - start;
}

function sumRecords(records: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/**
 * Extras that count events over the whole phase add up over parts. Which they are comes with
 * the result (PhaseResult.extraTotals, from the operation and its providers); results saved
 * before that field existed fall back on the counters the reference providers had then.
 */
const LEGACY_COUNTER_EXTRAS: ReadonlySet<string> = new Set([
  'cacheHits',
  'cacheMisses',
  'cacheJoins',
  'retries',
  'httpRequests',
  'poolWaits',
  'sessionsExpired',
  // Workloads (src/workload/ops.ts): conversations started, waits and stalls counted.
  'conversations',
  'sessionsOverCap',
  'thinkWaits',
  'datasetStalls',
]);

/**
 * Extras that read the state of a part's providers at the end (sessions held, messages
 * stored). Concurrent parts each hold their own providers, so the whole holds the sum;
 * trials each start afresh, so their state is one trial's: a mean.
 */
const STATE_EXTRAS: ReadonlySet<string> = new Set(['sessions', 'messagesStored', 'sessionsLeft', 'sessionsInMemory']);

/** Per-operation figures (tool calls per execution, ...): their operation-weighted mean; counters: their sum. */
function mergeExtra(phases: readonly PhaseResult[], mode: MergeMode): Record<string, number> | undefined {
  const withExtra = phases.flatMap((p) => (p.extra !== undefined ? [{ count: p.count, extra: p.extra, totals: p.extraTotals }] : []));
  if (withExtra.length === 0) return undefined;
  const keys = new Set(withExtra.flatMap((p) => Object.keys(p.extra)));
  const totals = new Set(withExtra.flatMap((p) => p.totals ?? Object.keys(p.extra).filter((k) => LEGACY_COUNTER_EXTRAS.has(k))));
  const out: Record<string, number> = {};
  for (const key of keys) {
    if (totals.has(key) || (mode === 'concurrent' && STATE_EXTRAS.has(key))) {
      out[key] = withExtra.reduce((a, p) => a + (p.extra[key] ?? 0), 0);
      continue;
    }
    // Every key comes from some part, so the weight is at least 1.
    let weight = 0;
    let total = 0;
    for (const p of withExtra) {
      const v = p.extra[key];
      if (v === undefined) continue;
      const w = Math.max(1, p.count);
      weight += w;
      total += v * w;
    }
    out[key] = total / weight;
  }
  return out;
}

/**
 * Time series of parts that ran together (their intervals count from one common t0): counts
 * and throughput add up; p50 and p99 of an interval are the highest part's (a bound:
 * intervals keep no histogram; the phase's own percentiles are exact); heap readings of
 * separate threads or machines do not add up and are left out.
 *
 * Each part closes its intervals when its own ticker notices the boundary, so the parts'
 * intervals neither start nor end together, and one part can have an interval more. Merged
 * by index, interval 2 of one part would be added to interval 3 of another. So the intervals
 * are merged on a time grid, the boundaries of the part with the most of them: each other
 * part's interval is spread over the grid intervals it overlaps, in proportion to the
 * overlap, and the counts are rounded so that their running sums (and the totals) stay exact.
 * Intervals from results without durations fall back to merging by index.
 */
function mergeConcurrentSeries(series: ReadonlyArray<readonly IntervalSample[]>): IntervalSample[] {
  const timed = series.every((s) => s.every((x) => x.durationMs !== undefined));
  return timed ? mergeOnGrid(series) : mergeByIndex(series);
}

function mergeOnGrid(series: ReadonlyArray<readonly IntervalSample[]>): IntervalSample[] {
  // Called with at least one series; on a tie the first part's boundaries.
  const grid = series.reduce((a, s) => (s.length > a.length ? s : a));
  const n = grid.length;
  const starts = grid.map((x) => x.tMs - (x.durationMs as number));
  const mids = grid.map((x, k) => ((starts[k] as number) + x.tMs) / 2);
  const count = new Float64Array(n);
  const errors = new Float64Array(n);
  const p50 = new Float64Array(n);
  const p99 = new Float64Array(n);
  const loop: Array<number | undefined> = [];
  for (const s of series) {
    for (const x of s) {
      const from = x.tMs - (x.durationMs as number);
      // Overlap with each grid interval; an interval in a gap of the grid (or beyond its
      // ends) goes whole to the nearest grid interval, so no operation is lost.
      const overlaps = grid.map((g, j) => Math.max(0, Math.min(x.tMs, g.tMs) - Math.max(from, starts[j] as number)));
      const sum = overlaps.reduce((acc, o) => acc + o, 0);
      const shares = sum > 0 ? overlaps.map((o) => o / sum) : allTo(n, nearestMid(mids, (from + x.tMs) / 2));
      shares.forEach((f, j) => {
        if (f === 0) return;
        count[j] = (count[j] as number) + x.count * f;
        errors[j] = (errors[j] as number) + x.errors * f;
        p50[j] = Math.max(p50[j] as number, x.p50);
        p99[j] = Math.max(p99[j] as number, x.p99);
        if (x.eventLoopP99 !== undefined) loop[j] = Math.max(loop[j] ?? 0, x.eventLoopP99);
      });
    }
  }
  const counts = roundKeepingSums(count);
  const errorCounts = roundKeepingSums(errors);
  return grid.map((g, j) => {
    const durationMs = g.durationMs as number;
    const c = counts[j] as number;
    const l = loop[j];
    return {
      tMs: g.tMs,
      durationMs,
      count: c,
      errors: errorCounts[j] as number,
      throughput: durationMs > 0 ? (c * 1000) / durationMs : 0,
      p50: p50[j] as number,
      p99: p99[j] as number,
      ...(l !== undefined ? { eventLoopP99: l } : {}),
    };
  });
}

/** The grid interval whose middle is nearest to `mid` (the earlier one on a tie). */
function nearestMid(mids: readonly number[], mid: number): number {
  return mids.reduce((best, m, k) => (Math.abs(m - mid) < Math.abs((mids[best] as number) - mid) ? k : best), 0);
}

/** Shares of n grid intervals: all to interval k. */
function allTo(n: number, k: number): number[] {
  return Array.from({ length: n }, (_, j) => (j === k ? 1 : 0));
}

/** Whole numbers whose running sums are the rounded running sums of `values`. */
function roundKeepingSums(values: Float64Array): number[] {
  let sum = 0;
  let before = 0;
  return Array.from(values, (v) => {
    sum += v;
    const upTo = Math.round(sum);
    const out = upTo - before;
    before = upTo;
    return out;
  });
}

/** Results written before intervals had durations: interval i of every part together. */
function mergeByIndex(series: ReadonlyArray<readonly IntervalSample[]>): IntervalSample[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  const out: IntervalSample[] = [];
  for (let i = 0; i < length; i++) {
    const at = series.map((s) => s[i]).filter((x): x is IntervalSample => x !== undefined);
    const loop = at.map((x) => x.eventLoopP99).filter((x): x is number => x !== undefined);
    out.push({
      tMs: Math.max(...at.map((x) => x.tMs)),
      count: at.reduce((a, x) => a + x.count, 0),
      errors: at.reduce((a, x) => a + x.errors, 0),
      throughput: at.reduce((a, x) => a + x.throughput, 0),
      p50: Math.max(...at.map((x) => x.p50)),
      p99: Math.max(...at.map((x) => x.p99)),
      ...(loop.length > 0 ? { eventLoopP99: Math.max(...loop) } : {}),
    });
  }
  return out;
}

/** A warning's kind: its text without its figures. */
export function warningKind(text: string): string {
  // Stryker disable next-line StringLiteral: equivalent; every figure becomes one placeholder, empty or not, and no warning differs from another only by having a figure
  return text.replace(/[\d.,]+/g, '#');
}

/** One warning of each kind, the one of the part whose event loop fared worst (parts repeat each other). */
function worstOfEachKind(health: ReadonlyArray<{ eventLoopP99Ns: number; warnings: string[] }>): string[] {
  const seen = new Map<string, string>();
  for (const h of [...health].sort((a, b) => b.eventLoopP99Ns - a.eventLoopP99Ns)) {
    for (const w of h.warnings) if (!seen.has(warningKind(w))) seen.set(warningKind(w), w);
  }
  return [...seen.values()];
}

function mergeWindows(windows: readonly TimeWindow[]): TimeWindow | undefined {
  if (windows.length === 0) return undefined;
  return { startMs: Math.min(...windows.map((w) => w.startMs)), endMs: Math.max(...windows.map((w) => w.endMs)) };
}

/** One phase from its parts (all of the same phase). */
export function mergePhases(phases: readonly PhaseResult[], mode: MergeMode): PhaseResult {
  const first = phases[0];
  if (first === undefined) throw new Error('mergePhases: nothing to merge');
  if (phases.length === 1) return first;
  const count = phases.reduce((a, p) => a + p.count, 0);
  const errors = phases.reduce((a, p) => a + p.errors, 0);
  const windows = phases.map((p) => p.window).filter((w): w is TimeWindow => w !== undefined);
  let durationMs: number;
  if (mode === 'sequential') durationMs = phases.reduce((a, p) => a + p.durationMs, 0);
  // Parts without windows (older results) are taken to have run side by side from one start.
  else durationMs = windows.length === phases.length ? unionMs(windows) : Math.max(...phases.map((p) => p.durationMs));
  const merged: PhaseResult = {
    ...first,
    count,
    errors,
    errorsByKind: sumRecords(phases.map((p) => p.errorsByKind)),
    errorRate: count > 0 ? errors / count : 0,
    durationMs,
    throughput: durationMs > 0 ? (count / durationMs) * 1000 : 0,
    latency: mergeLatency(phases.map((p) => p.latency)),
    batchTimed: phases.some((p) => p.batchTimed),
  };
  // Every distribution is pooled like the latency, or dropped when some part lacks it: one
  // part's alone under pooled counts would misread as the whole. A part that completed no
  // operation (idle: its share of the capacity was 0) has nothing to lack and is left out.
  const measured = phases.filter((p) => p.latency.count > 0);
  for (const key of ['serviceTime', 'ttft', 'tpot', 'chunkGap', 'tokenGap', 'itl'] as const) {
    const parts = measured.map((p) => p[key]).filter((s): s is LatencySummary => s !== undefined);
    if (parts.length > 0 && parts.length === measured.length) merged[key] = mergeLatency(parts);
    else delete merged[key];
  }
  if (first.steps !== undefined) {
    const steps: Record<string, LatencySummary> = {};
    for (const kind of Object.keys(first.steps)) {
      const parts = phases.map((p) => p.steps?.[kind]).filter((s): s is LatencySummary => s !== undefined);
      if (parts.length === phases.length) steps[kind] = mergeLatency(parts);
    }
    merged.steps = steps;
  }
  const clamped = phases.reduce((a, p) => a + (p.clamped ?? 0), 0);
  if (clamped > 0) merged.clamped = clamped;
  else delete merged.clamped;
  if (phases.some((p) => p.interrupted === true)) merged.interrupted = true;
  const schedules = phases.map((p) => p.schedule).filter((s) => s !== undefined);
  if (schedules.length > 0) {
    merged.schedule = {
      late: schedules.reduce((a, s) => a + s.late, 0),
      dropped: schedules.reduce((a, s) => a + s.dropped, 0),
      maxLateNs: Math.max(...schedules.map((s) => s.maxLateNs)),
      // The pattern and trace are the scenario's, the same in every part; the count is summed.
      ...(schedules[0]!.arrivals ? { arrivals: { ...schedules[0]!.arrivals, scheduled: schedules.reduce((a, s) => a + (s.arrivals?.scheduled ?? 0), 0) } } : {}),
    };
  }
  // Goodput pools like the counts: good requests summed, over all operations and phase time.
  const goods = phases.flatMap((p) => (p.goodput !== undefined ? [p.goodput] : []));
  if (goods.length === phases.length) {
    const good = goods.reduce((a, g) => a + g.good, 0);
    merged.goodput = { ...goods[0], good, fraction: count > 0 ? good / count : 0, rate: durationMs > 0 ? (good * 1000) / durationMs : 0 };
  } else delete merged.goodput;
  const tokens = mergeTokens(measured, durationMs);
  if (tokens !== undefined) merged.tokens = tokens;
  else delete merged.tokens;
  const extra = mergeExtra(phases, mode);
  if (extra !== undefined) merged.extra = extra;
  if (mode === 'sequential') {
    // auto keeps a phase's mode across trials unless its cost moved out of the band around the
    // threshold; if it did, the pooled figures mix batch means with single operations: say so.
    const batched = phases.filter((p) => (p.timing?.mode ?? (p.batchTimed && 'batch')) === 'batch').length;
    if (batched > 0 && batched < phases.length) {
      const warning = `trials were timed differently (${batched} batch-timed, ${phases.length - batched} per operation): the pooled latency mixes batch means with single operations; pin batch: in the scenario`;
      merged.health = { ...(first.health ?? { eventLoopP99Ns: 0, eventLoopMaxNs: 0, warnings: [] }) };
      merged.health.warnings = [...merged.health.warnings, warning];
    }
  }
  const extraTotals = [...new Set(phases.flatMap((p) => p.extraTotals ?? []))];
  if (extraTotals.length > 0) merged.extraTotals = extraTotals;
  // Concurrent parts: the span of their windows; trials: the first one's start to the last one's end.
  const window = mergeWindows(windows);
  if (window !== undefined) merged.window = window;
  else delete merged.window;
  if (mode === 'concurrent') {
    // Heaps of separate isolates or machines do not add up: memory phases never run in parts.
    delete merged.heapAfterGc;
    const series = phases.map((p) => p.intervals).filter((s): s is IntervalSample[] => s !== undefined && s.length > 0);
    if (series.length > 0) {
      const intervals = mergeConcurrentSeries(series);
      merged.intervals = intervals;
      merged.leak = leakVerdict(intervals);
      merged.drift = driftVerdict(intervals);
    }
    const health = phases.map((p) => p.health).filter((h) => h !== undefined);
    if (health.length > 0) {
      merged.health = {
        eventLoopP99Ns: Math.max(...health.map((h) => h.eventLoopP99Ns)),
        eventLoopMaxNs: Math.max(...health.map((h) => h.eventLoopMaxNs)),
        warnings: worstOfEachKind(health),
      };
    }
  }
  // Otherwise (trials): memory readings, heap figures and intervals are the first part's, the
  // one that ran in the freshest process.
  return merged;
}

export interface MergeScenarioOptions {
  mode: MergeMode;
  /** How a part is named in failures: "trial 2", "worker 1", "shard 3". */
  label: (index: number) => string;
}

/**
 * One scenario from its parts, in order. Targets are left to the caller: they are judged on
 * the merged figures (results/assemble.ts). A phase missing from some parts (a crash, an
 * interruption) is merged from the parts that have it.
 */
export function mergeScenarioParts(parts: readonly ScenarioResult[], options: MergeScenarioOptions): ScenarioResult {
  const first = parts[0];
  if (first === undefined) throw new Error('mergeScenarioParts: nothing to merge');
  const names: string[] = [];
  for (const t of parts) for (const p of t.phases) if (!names.includes(p.name)) names.push(p.name);
  const phases = names.map((name) => mergePhases(parts.flatMap((t) => t.phases.filter((p) => p.name === name)), options.mode));
  const failures = parts.flatMap((t, i) => (t.failure !== undefined ? [`${options.label(i)}: ${t.failure}`] : []));
  const merged: ScenarioResult = {
    ...first,
    durationMs: options.mode === 'sequential' ? parts.reduce((a, t) => a + t.durationMs, 0) : Math.max(...parts.map((t) => t.durationMs)),
    phases,
    targets: [],
  };
  if (options.mode === 'concurrent') merged.memory = [];
  if (failures.length > 0) merged.failure = failures.join('; ');
  else delete merged.failure;
  return merged;
}

/** Token figures pooled like the latency; dropped when some part lacks them. */
function mergeTokens(phases: readonly PhaseResult[], durationMs: number): TokenFigures | undefined {
  const all = phases.map((p) => p.tokens);
  if (all.length === 0 || all.some((t) => t === undefined)) return undefined;
  // One part measured (the others idle) pools to its own figures, its rate over the whole phase's time.
  const ts = all as TokenFigures[];
  const operations = ts.reduce((a, t) => a + t.operations, 0);
  const estimated = ts.reduce((a, t) => a + t.estimated, 0);
  const outputTotal = ts.reduce((a, t) => a + t.outputTotal, 0);
  const pooled = (key: 'prompt' | 'output' | 'outputPerSecondPerRequest'): ValueSummary | undefined => {
    const parts = ts.map((t) => t[key]).filter((v): v is ValueSummary => v !== undefined);
    if (parts.length !== ts.length) return undefined;
    const first = parts[0] as ValueSummary;
    return rescale(mergeEncoded(parts.map((p) => p.histogram)), first.unit, first.scale);
  };
  const prompt = pooled('prompt');
  const output = pooled('output');
  const rate = pooled('outputPerSecondPerRequest');
  return {
    source: estimated === 0 ? 'usage' : estimated === operations ? 'estimate' : 'mixed',
    operations,
    estimated,
    ...(prompt ? { prompt } : {}),
    ...(output ? { output } : {}),
    outputTotal,
    outputPerSecond: durationMs > 0 ? outputTotal / (durationMs / 1000) : 0,
    ...(rate ? { outputPerSecondPerRequest: rate } : {}),
  };
}
