/**
 * `run --trials N`: N runs of one scenario become one ScenarioResult. The per-trial figures
 * are kept (`trials`) for the rank test of `compare`; the main figures pool every operation
 * of every trial: latency percentiles from the merged HDR histograms (not a median of
 * per-trial percentiles, which has no meaning as a distribution), counts summed, and
 * throughput = all operations / all phase time. Memory snapshots, heap figures and intervals
 * are the first trial's: it ran in the freshest process, like a run without --trials.
 */
import { mergeEncoded } from '../metrics/histogram.js';
import type { LatencySummary, PhaseResult, ScenarioResult, TrialResult } from '../results/types.js';

export function trialFigures(scenario: ScenarioResult): TrialResult {
  return {
    phases: scenario.phases.map((p) => ({
      name: p.name,
      count: p.count,
      throughput: p.throughput,
      p50: p.latency.p50,
      p90: p.latency.p90,
      p99: p.latency.p99,
      errors: p.errors,
    })),
  };
}

function sumRecords(records: ReadonlyArray<Record<string, number> | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    if (!r) continue;
    for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/**
 * Extras that count events over the whole phase (provider counters, sessions expired): the
 * trials' totals add up. Every other extra is a per-operation figure or a state reading.
 */
const SUMMED_EXTRAS: ReadonlySet<string> = new Set(['cacheHits', 'cacheMisses', 'cacheJoins', 'retries', 'httpRequests', 'poolWaits', 'sessionsExpired']);

/** Per-operation figures (tool calls per execution, ...): their operation-weighted mean; counters: their sum. */
function mergeExtra(phases: readonly PhaseResult[]): Record<string, number> | undefined {
  const withExtra = phases.filter((p) => p.extra !== undefined);
  if (withExtra.length === 0) return undefined;
  const keys = new Set(withExtra.flatMap((p) => Object.keys(p.extra ?? {})));
  const out: Record<string, number> = {};
  for (const key of keys) {
    let weight = 0;
    let total = 0;
    if (SUMMED_EXTRAS.has(key)) {
      out[key] = withExtra.reduce((a, p) => a + (p.extra?.[key] ?? 0), 0);
      continue;
    }
    for (const p of withExtra) {
      const v = p.extra?.[key];
      if (v === undefined) continue;
      const w = Math.max(1, p.count);
      weight += w;
      total += v * w;
    }
    if (weight > 0) out[key] = total / weight;
  }
  return out;
}

function mergeLatency(summaries: readonly LatencySummary[]): LatencySummary {
  return summaries.length === 1 ? summaries[0]! : mergeEncoded(summaries.map((s) => s.histogram));
}

function mergePhase(phases: readonly PhaseResult[]): PhaseResult {
  const first = phases[0]!;
  const count = phases.reduce((a, p) => a + p.count, 0);
  const errors = phases.reduce((a, p) => a + p.errors, 0);
  const durationMs = phases.reduce((a, p) => a + p.durationMs, 0);
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
  // Every distribution is pooled like the latency, or dropped when some trial lacks it:
  // trial 1's alone under pooled counts would misread as the whole.
  for (const key of ['serviceTime', 'ttft', 'itl'] as const) {
    const parts = phases.map((p) => p[key]).filter((s): s is LatencySummary => s !== undefined);
    if (parts.length === phases.length) merged[key] = mergeLatency(parts);
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
  if (phases.some((p) => p.interrupted === true)) merged.interrupted = true;
  const schedules = phases.map((p) => p.schedule).filter((s) => s !== undefined);
  if (schedules.length > 0) {
    merged.schedule = {
      late: schedules.reduce((a, s) => a + s.late, 0),
      dropped: schedules.reduce((a, s) => a + s.dropped, 0),
      maxLateNs: Math.max(...schedules.map((s) => s.maxLateNs)),
    };
  }
  const extra = mergeExtra(phases);
  if (extra !== undefined) merged.extra = extra;
  // auto keeps a phase's mode across trials unless its cost moved out of the band around the
  // threshold; if it did, the pooled figures mix batch means with single operations: say so.
  const batched = phases.filter((p) => (p.timing?.mode ?? (p.batchTimed ? 'batch' : 'per-op')) === 'batch').length;
  if (batched > 0 && batched < phases.length) {
    const warning = `trials were timed differently (${batched} batch-timed, ${phases.length - batched} per operation): the pooled latency mixes batch means with single operations; pin batch: in the scenario`;
    merged.health = { ...(first.health ?? { eventLoopP99Ns: 0, eventLoopMaxNs: 0, warnings: [] }) };
    merged.health.warnings = [...merged.health.warnings, warning];
  }
  return merged;
}

/**
 * Merges the trials of one scenario, in the order they ran. Targets are left to the caller
 * (they are evaluated on the merged figures). A phase missing from some trials (a crash,
 * an interruption) is merged from the trials that have it.
 */
export function mergeTrials(trials: readonly ScenarioResult[]): ScenarioResult {
  const first = trials[0];
  if (first === undefined) throw new Error('mergeTrials: no trials');
  if (trials.length === 1) return first;
  const names: string[] = [];
  for (const t of trials) for (const p of t.phases) if (!names.includes(p.name)) names.push(p.name);
  const phases = names.map((name) => mergePhase(trials.flatMap((t) => t.phases.filter((p) => p.name === name))));
  const failures = trials.flatMap((t, i) => (t.failure !== undefined ? [`trial ${i + 1}: ${t.failure}`] : []));
  const merged: ScenarioResult = {
    ...first,
    durationMs: trials.reduce((a, t) => a + t.durationMs, 0),
    phases,
    targets: [],
    trials: trials.map(trialFigures),
  };
  if (failures.length > 0) merged.failure = failures.join('; ');
  else delete merged.failure;
  return merged;
}
