/**
 * SLOs of a capacity search: what every step must meet. Written in the target syntax without
 * the phase ("p99 < 50ms", "errorRate < 0.1%", "goodput > 95%"), with an optional second
 * threshold ("p99 < 50ms / < 30ms"); a step passes when it meets the first (the "current"
 * threshold, as the gate does without --strict).
 */
import type { PhaseResult, StepSlo } from '../results/types.js';
import { measurePhase, statusOf } from './evaluate.js';
import { TargetParseError, parseTarget, type TargetStat } from './parse.js';
import type { TargetSpec } from './types.js';
import { InputError } from '../util/input-error.js';

/**
 * Statistics a step can be held to: they describe each request, whatever the offered rate.
 * throughput, goodputRate and count follow the offered rate itself, heapDelta is a property of
 * a whole run, and capacity is the search's answer.
 */
export const STEP_STATS: readonly TargetStat[] = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max', 'errorRate', 'goodput'];

/** Held to when no SLO covers failures: percentiles are of successful requests only. */
export const DEFAULT_ERROR_SLO = 'errorRate < 1%';

export function isStepStat(stat: string): boolean {
  return (STEP_STATS as readonly string[]).includes(stat);
}

/** True for a target on the result of a capacity search (judged by `capacity`, not by `run`). */
export function isCapacityTarget(spec: Pick<TargetSpec, 'stat'>): boolean {
  return spec.stat === 'capacity';
}

const WHY_NOT: Partial<Record<TargetStat, string>> = {
  throughput: 'it follows the offered rate of each step',
  goodputRate: 'it follows the offered rate of each step (use goodput, the fraction)',
  count: 'it follows the offered rate and length of each step',
  heapDelta: 'it is a figure of a whole run, not of a step',
  capacity: 'it is what the search finds (gate on it with a target instead)',
};

/**
 * Parses one --slo expression for phase `phase`. `flag` names where it came from in errors.
 * Throws InputError with one line: the expression, what is wrong, what is allowed.
 */
export function parseSlo(text: string, phase: string, flag = '--slo'): TargetSpec {
  const trimmed = text.trim();
  // "<stat> <cmp> <value>" gets its value as the second threshold too.
  const single = /\/\s*[<>]/.test(trimmed) ? null : /^([^\s<>]+)\s*(<=|>=|<|>)\s*(.+?)$/.exec(trimmed);
  const full = single ? `${single[1]} ${single[2]} ${single[3]} / ${single[2]} ${single[3]}` : trimmed;
  let spec: TargetSpec;
  try {
    spec = parseTarget(`${phase} ${full}`, `SLO ${trimmed}`);
  } catch (e) {
    if (e instanceof TargetParseError) throw new InputError(`${flag} "${text}": ${e.detail} (an SLO is "<stat> <cmp> <value>", e.g. "p99 < 50ms")`);
    throw e;
  }
  if (!isStepStat(spec.stat)) {
    throw new InputError(`${flag} "${text}": ${spec.stat} cannot be a step's SLO: ${WHY_NOT[spec.stat as TargetStat] ?? 'not a per-request figure'} (allowed: ${STEP_STATS.join(', ')})`);
  }
  return { ...spec, source: trimmed };
}

/** Each SLO measured on one step's phase result, with its status (red = missed). */
export function evaluateStepSlos(specs: readonly TargetSpec[], phase: PhaseResult): StepSlo[] {
  return specs.map((spec) => {
    const measured = measurePhase(spec.stat, phase);
    return { source: spec.source, stat: spec.stat, measured, status: statusOf(spec, measured) };
  });
}
