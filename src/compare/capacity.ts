/**
 * Capacity against a baseline's: "capacity fell from 412 to 371 req/s". Each search brackets its
 * knee between a rate that always passed and one that always failed; that bracket is the
 * measurement's resolution, so a change is only called when the brackets do not overlap and the
 * point estimates moved by more than the noise band. A fall beyond --max-regression is a
 * regression (exit 1). A side without a capacity (generator-bound, above --max-rate, ...) cannot
 * be compared and says why.
 */
import type { CapacityResult, RunResult } from '../results/types.js';
import { formatRate } from '../util/units.js';

export type CapacityVerdictText = 'higher' | 'lower' | 'no change' | 'inconclusive';

export interface CapacityComparison {
  scenario: string;
  phase: string;
  baseline: number | null;
  current: number | null;
  baselineInterval?: { lower: number; upper: number };
  currentInterval?: { lower: number; upper: number };
  /** current / baseline - 1. */
  change: number | null;
  verdict: CapacityVerdictText;
  /** A significant fall beyond maxRegression. */
  regression: boolean;
  /** One line for people. */
  text: string;
}

function rate(r: number): string {
  return formatRate(r).replace('/s', ' req/s');
}

/** "412 to 371 req/s": the unit once, as people say it. */
function fromTo(a: number, b: number): string {
  return `${formatRate(a).replace('/s', '')} to ${rate(b)}`;
}

function pct(f: number): string {
  return `${Number((f * 100).toFixed(1))}%`;
}

/** Compares one scenario's capacity on both sides. */
export function compareCapacity(
  scenario: string,
  base: CapacityResult,
  cur: CapacityResult,
  opts: { maxRegression: number; noiseBand: number },
): CapacityComparison {
  const head = { scenario, phase: cur.phase };
  const intervals = {
    ...(base.interval ? { baselineInterval: base.interval } : {}),
    ...(cur.interval ? { currentInterval: cur.interval } : {}),
  };
  if (base.capacity === undefined || cur.capacity === undefined) {
    // The side without a capacity says why in its summary (generator-bound, above --max-rate, ...).
    const side = base.capacity === undefined ? `baseline: ${base.summary}` : `current: ${cur.summary}`;
    return {
      ...head,
      baseline: base.capacity ?? null,
      current: cur.capacity ?? null,
      ...intervals,
      change: null,
      verdict: 'inconclusive',
      regression: false,
      text: `capacity cannot be compared (${side})`,
    };
  }
  const b = base.capacity;
  const c = cur.capacity;
  const change = c / b - 1;
  const bi = base.interval ?? { lower: b, upper: b };
  const ci = cur.interval ?? { lower: c, upper: c };
  const separate = ci.upper < bi.lower || ci.lower > bi.upper;
  // Stryker disable next-line EqualityOperator: equivalent; a change of 0 is inside any band, and equal capacities cannot have separate intervals (each lies in its own)
  const direction: CapacityVerdictText = change < 0 ? 'lower' : 'higher';
  const verdict: CapacityVerdictText = Math.abs(change) < opts.noiseBand ? 'no change' : separate ? direction : 'inconclusive';
  const regression = verdict === 'lower' && -change > opts.maxRegression;
  const moved =
    verdict === 'lower'
      ? `capacity fell from ${fromTo(b, c)} (${pct(change)})`
      : verdict === 'higher'
        ? `capacity rose from ${fromTo(b, c)} (+${pct(change)})`
        : verdict === 'no change'
          ? `capacity unchanged: ${rate(b)} then ${rate(c)} (${change >= 0 ? '+' : ''}${pct(change)}, inside the ±${pct(opts.noiseBand)} band)`
          : `capacity ${rate(b)} then ${rate(c)} (${change >= 0 ? '+' : ''}${pct(change)}), but the knee intervals overlap (${rate(bi.lower)}-${rate(bi.upper)} vs ${rate(ci.lower)}-${rate(ci.upper)}): inconclusive`;
  const text = regression ? `${moved}: a regression beyond ${pct(opts.maxRegression)}` : moved;
  return { ...head, baseline: b, current: c, ...intervals, change, verdict, regression, text };
}

/** Every scenario with a capacity on both sides (matched by name, then phase). */
export function compareCapacities(baseline: RunResult, current: RunResult, opts: { maxRegression: number; noiseBand: number }): CapacityComparison[] {
  const byName = (r: RunResult): Map<string, CapacityResult> => {
    const m = new Map<string, CapacityResult>();
    for (const s of r.scenarios) if (s.capacity !== undefined && !m.has(s.name)) m.set(s.name, s.capacity);
    return m;
  };
  const bs = byName(baseline);
  const out: CapacityComparison[] = [];
  for (const [name, c] of byName(current)) {
    const b = bs.get(name);
    if (b === undefined || b.phase !== c.phase) continue;
    out.push(compareCapacity(name, b, c, opts));
  }
  return out;
}

/** Lines for the comparison table and report. */
export function capacityLines(comparisons: readonly CapacityComparison[]): string[] {
  return comparisons.map((c) => `${c.scenario} › ${c.phase}: ${c.text}`);
}
