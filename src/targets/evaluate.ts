/**
 * Verdicts: a measured value against a target's two thresholds, and the CI gate over them.
 * Pure functions of result data, so a stored JSON result can be re-judged later.
 */
import type { GateResult, PhaseResult, ScenarioResult, Status, TargetResult } from '../results/types.js';
import { LATENCY_STATS, type Comparator, type LatencyStat } from './parse.js';
import type { TargetSpec } from './types.js';

/** The memory snapshot heapDelta is measured from: heap after GC before any provider exists. */
export const BASELINE_SNAPSHOT = 'baseline';

function isLatencyStat(stat: string): stat is LatencyStat {
  return (LATENCY_STATS as readonly string[]).includes(stat);
}

function finiteOrNull(value: number | undefined): number | null {
  // Stryker disable next-line ConditionalExpression: equivalent; Number.isFinite(undefined) is false, the first check only narrows the type
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * The value a target is judged on, in the stat's base unit, or null when the run holds no
 * such figure: unknown phase, a latency stat of a phase without one successful operation
 * (its summary is all zeros, which would wrongly pass any "<" target), or a heapDelta
 * without a heap figure for the phase or a 'baseline' snapshot. A stat this module does not
 * know (a spec not made by parseTarget) also measures nothing, so it fails rather than passes.
 */
export function measure(spec: TargetSpec, scenario: ScenarioResult): number | null {
  if (spec.stat === 'capacity') {
    // Only a search that found a knee has a capacity: "generator-bound" or "passed up to
    // --max-rate" say only that it is higher, and a gate must not pass on what was not measured.
    const c = scenario.capacity;
    if (c === undefined || (spec.phase !== '' && c.phase !== spec.phase)) return null;
    return finiteOrNull(c.capacity);
  }
  const phase: PhaseResult | undefined = scenario.phases.find((p) => p.name === spec.phase);
  if (!phase) return null;
  if (spec.stat === 'heapDelta') {
    const baseline = scenario.memory.find((m) => m.label === BASELINE_SNAPSHOT);
    if (!baseline) return null;
    // A phase without a heap figure: the difference is NaN, not measured.
    return finiteOrNull((phase.heapAfterGc ?? Number.NaN) - baseline.heapUsed);
  }
  return measurePhase(spec.stat, phase);
}

/** A statistic of one phase on its own (every stat but heapDelta and capacity, which need the scenario). */
export function measurePhase(stat: string, phase: PhaseResult): number | null {
  if (isLatencyStat(stat)) {
    return phase.latency.count > 0 ? finiteOrNull(phase.latency[stat]) : null;
  }
  switch (stat) {
    case 'throughput':
      return finiteOrNull(phase.throughput);
    case 'errorRate':
      // No finished operation means no rate at all, not a perfect one.
      return phase.count > 0 ? finiteOrNull(phase.errorRate) : null;
    case 'count':
      return finiteOrNull(phase.count);
    case 'goodput':
      return phase.goodput !== undefined && phase.count > 0 ? finiteOrNull(phase.goodput.fraction) : null;
    case 'goodputRate':
      return phase.goodput !== undefined ? finiteOrNull(phase.goodput.rate) : null;
    default:
      return null;
  }
}

export function meets(comparator: Comparator, value: number, threshold: number): boolean {
  switch (comparator) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

/**
 * green: meets target; yellow: meets current only; red: meets neither, or nothing was
 * measured. A missing figure is red on purpose: a target that silently stops being
 * measured (a renamed phase, a crashed phase) must fail the gate, not pass it.
 */
export function statusOf(spec: Pick<TargetSpec, 'comparator' | 'current' | 'target'>, measured: number | null): Status {
  if (measured === null) return 'red';
  if (meets(spec.comparator, measured, spec.target)) return 'green';
  if (meets(spec.comparator, measured, spec.current)) return 'yellow';
  return 'red';
}

export function evaluateTarget(spec: TargetSpec, scenario: ScenarioResult): TargetResult {
  const measured = measure(spec, scenario);
  return {
    metric: spec.metric,
    source: spec.source,
    phase: spec.phase,
    stat: spec.stat,
    measured,
    unit: spec.unit,
    comparator: spec.comparator,
    current: spec.current,
    target: spec.target,
    status: statusOf(spec, measured),
  };
}

export function evaluateTargets(specs: readonly TargetSpec[], scenario: ScenarioResult): TargetResult[] {
  return specs.map((spec) => evaluateTarget(spec, scenario));
}

export interface GateOptions {
  /** Yellow fails too. */
  strict: boolean;
  /** false: always passes (counts are still reported), for runs that only observe. */
  enabled: boolean;
}

/**
 * Passes unless a target is red (strict: or yellow) or a scenario failed to finish.
 * A failed scenario counts even with no targets: its targets were never measured.
 */
export function evaluateGate(scenarios: readonly ScenarioResult[], opts: GateOptions): GateResult {
  const counts: Record<Status, number> = { green: 0, yellow: 0, red: 0 };
  for (const scenario of scenarios) {
    for (const t of scenario.targets) counts[t.status] += 1;
  }
  const failed = scenarios.some((s) => s.failure !== undefined);
  const missed = counts.red > 0 || (opts.strict && counts.yellow > 0);
  return {
    strict: opts.strict,
    enabled: opts.enabled,
    passed: !opts.enabled || (!failed && !missed),
    counts,
  };
}
