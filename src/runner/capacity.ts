/**
 * The capacity search: the highest offered rate at which a phase still meets its SLOs. A driver
 * of phases, not an executor: every step is the phase under the open-model rate executor (latency
 * from the scheduled start, late and dropped starts counted), run through one function,
 * `measure(rate)`. In-process today; worker threads or shards plug in behind the same function.
 *
 * The search (pure given `measure`, so it is tested against synthetic servers):
 *  1. Ramp: from the start rate, double until a step fails (or --max-rate passes). When the very
 *     first step fails, halve instead until one passes.
 *  2. Bisect between the highest rate that passed every time and the lowest that failed every
 *     time, until they are within `precision` of each other.
 *  3. Confirm: measure both ends again (`repeat` times in all). A rate that passed once and failed
 *     once is no longer an end, so the bracket widens and bisection resumes. The answer is then
 *     an interval the knee lies in, and a point estimate where the pass fraction crosses 1/2.
 * Besides the SLOs, every step must keep up: complete 1 - precision of the offered rate.
 *
 * A step is invalid, neither pass nor fail, when the load generator was the limit (judgeStep):
 * the figures then measure the tool. An invalid step is run again (a shared machine has
 * hiccups). Invalid three times during the ramp, and the search ends "generator-bound at R/s";
 * inside an established bracket it only stops the narrowing, and says so. It never reports a
 * knee the generator made.
 */
import type {
  CapacityResult,
  CapacitySettings,
  CapacityStep,
  CapacityVerdict,
  LatencySummary,
  PhaseResult,
  StepSlo,
  StepStage,
} from '../results/types.js';
import { LOOP_SATURATED_NS } from './phase.js';

export const DEFAULT_CAPACITY_SETTINGS: CapacitySettings = {
  startRate: 50,
  maxRate: 1_000_000,
  minRate: 1,
  stepDurationMs: 3_000,
  warmupMs: 1_000,
  precision: 0.05,
  repeat: 2,
  maxSteps: 30,
};

/** Runs of one rate before an invalid outcome ends the search: a shared machine has hiccups. */
export const INVALID_ATTEMPTS = 3;

/** Rates inside the bracket the search steps around before it settles for a wider interval. */
const MAX_UNMEASURABLE = 2;

/** The tool's own delays explain a failure only when they are at least this large (and this fraction of the figure). */
export const TOOL_DELAY_MATERIAL_NS = 5e6;
export const TOOL_DELAY_MATERIAL_FRACTION = 0.1;

/** Rates are kept to 3 significant digits: finer than any step can tell apart, and readable. */
export function roundRate(rate: number): number {
  return Number(rate.toPrecision(3));
}

/** Judges a step's figures against the SLOs (injected: the runner does not know target syntax). */
export type SloJudge = (phase: PhaseResult) => StepSlo[];

/** The stat of the implicit SLO every step is held to: the fraction of the offered rate completed. */
export const KEEP_UP_STAT = 'keepUp';

/**
 * The implicit SLO: the system completes (ok or failed) at least 1 - precision of the offered
 * rate during the window. Above capacity the backlog grows without bound, and a latency SLO with
 * much headroom would only see it in a step long enough for the queue to eat the headroom; the
 * completion rate shows it at once (it drops to the capacity). Within precision it is the same
 * answer, so that is the tolerance.
 */
export function keepUpSlo(precision: number): CapacityResult['slos'][number] {
  const fraction = Number((1 - precision).toFixed(4));
  return { source: `keeps up (completes >= ${Number((fraction * 100).toFixed(2))}% of the offered rate)`, stat: KEEP_UP_STAT, comparator: '>=', current: fraction, target: fraction, unit: 'fraction' };
}

/**
 * Completions per second in the steady part of the window: intervals from a quarter of the way
 * in, and at least two median latencies (before that the first requests have not finished),
 * to its end (after it, only the drain). The step phase cuts its window into intervals for
 * this (capacity-steps.ts). Undefined when too little of the window is left to tell: a latency
 * that long needs a longer step.
 */
export function windowCompletionRate(phase: PhaseResult, windowMs: number): { rate: number; ms: number } | undefined {
  // An empty summary's p50 is 0 (metrics/histogram.ts): with nothing finished, from a quarter in.
  const fromMs = Math.max(windowMs * 0.25, (2 * phase.latency.p50) / 1e6);
  let count = 0;
  let ms = 0;
  // Stryker disable next-line ArrayDeclaration: equivalent; a stray element has no tMs or durationMs, and its NaN start is never counted
  for (const i of phase.intervals ?? []) {
    const duration = i.durationMs ?? 0;
    const start = i.tMs - duration;
    if (start >= fromMs - 1 && i.tMs <= windowMs * 1.04) {
      count += i.count;
      ms += duration;
    }
  }
  return ms >= windowMs * 0.3 ? { rate: (count * 1000) / ms, ms } : undefined;
}

/**
 * The keep-up check of a step. `creditMs`: the tool's own delays (start lateness, stalls) to
 * forgive: a generator that fell that far behind could only have completed that much less.
 */
function keepUpOf(phase: PhaseResult, rate: number, windowMs: number, precision: number, creditMs = 0): StepSlo | undefined {
  const spec = keepUpSlo(precision);
  const completed = windowCompletionRate(phase, windowMs);
  if (completed === undefined) return undefined;
  // One completion of slack: a low rate over a short step counts in ones.
  const slack = 1 / (completed.ms / 1000) / rate + creditMs / completed.ms;
  const fraction = completed.rate / rate;
  return { source: spec.source, stat: spec.stat, measured: fraction, status: fraction + slack >= spec.current ? 'green' : 'red' };
}

function pct(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}

function msText(ns: number): string {
  return `${Number((ns / 1e6).toPrecision(3))} ms`;
}

/**
 * Turns a step's phase result into a judged step. Generator checks come first: figures that
 * measure the tool cannot pass or fail the system. The step is invalid when
 *  - the event loop was saturated (delay p99 over 50 ms): the generator could not offer the
 *    load evenly, and a generator short of CPU queues work inside itself, a backlog that grows
 *    like a server's queue (so not even a failure can be trusted);
 *  - arrivals were dropped at maxInFlight while the SLOs held: the unmeasured ones might not
 *    have (when the SLOs already fail, they could only have made it worse, so the fail stands);
 *  - it failed, but would have passed without the tool's own delays: latency counted from the
 *    actual start (service time, so no start lateness) and less the longest stall of the event
 *    loop; completions credited with the generator's worst lateness and stall. Queueing inside
 *    the system counts either way, so a real knee fails either way and stays a failure; a
 *    hiccup of a shared machine, or a generator that fell behind, does not make a knee.
 * Late starts alone do not void a step: latency counts from the scheduled start, so lateness
 * can only make it worse, and a pass despite it stands (a shared machine is often a little late).
 */
export function judgeStep(phase: PhaseResult, rate: number, stage: StepStage, index: number, judge: SloJudge, precision: number): CapacityStep {
  const windowMs = phase.executor.kind === 'rate' ? phase.executor.durationMs : phase.durationMs;
  const keepUp = phase.interrupted === true ? undefined : keepUpOf(phase, rate, windowMs, precision);
  const slos = [...judge(phase), ...(keepUp ? [keepUp] : [])];
  const schedule = phase.schedule;
  const loopP99 = phase.health?.eventLoopP99Ns ?? 0;
  const started = phase.count + (schedule?.dropped ?? 0);
  // Nothing started: none late.
  const lateFraction = schedule ? schedule.late / Math.max(1, started) : 0;
  const failed = slos.filter((s) => s.status === 'red');
  const dropped = schedule?.dropped ?? 0;
  const reasons: string[] = [];
  const generator: string[] = [];
  // A saturated loop voids a failure too: a generator short of CPU queues work inside itself,
  // and that backlog grows like a server's queue, inside the service time as well.
  if (loopP99 > LOOP_SATURATED_NS) generator.push(`event loop saturated (delay p99 ${msText(loopP99)})`);
  if (dropped > 0 && failed.length === 0) {
    generator.push(`${dropped} arrivals dropped at maxInFlight${phase.executor.kind === 'rate' ? ` ${phase.executor.maxInFlight}` : ''}`);
  }
  if (failed.length > 0 && phase.serviceTime !== undefined) {
    // Would the step have passed without the tool's own delays? Counted from the actual start
    // (no start lateness), and less the longest stall of the tool's event loop (an answer due
    // during a stall is delivered after it: in-process, the "server" shares our thread). Only
    // delays that matter count (TOOL_DELAY_MATERIAL): every machine has a millisecond of
    // jitter, and a knee failed by a hair must stay a failure, not become "the tool".
    const stallNs = phase.health?.eventLoopMaxNs ?? 0;
    const toolNs = stallNs + (schedule?.maxLateNs ?? 0);
    const material = toolNs >= TOOL_DELAY_MATERIAL_NS;
    const withoutTool = { ...phase, latency: lessStall(phase.serviceTime, stallNs) };
    const keepUpWithout = keepUpOf(phase, rate, windowMs, precision, toolNs / 1e6);
    // Stryker disable next-line ArrayDeclaration: equivalent; keepUpWithout is missing only when keepUp is (the same window), so no keep-up failure is looked up
    const again = [...judge(withoutTool), ...(keepUpWithout ? [keepUpWithout] : [])];
    const explained = failed.every((f) => {
      const a = again.find((x) => x.source === f.source);
      // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent; every source is judged both times, and a figure is null both times or neither: these checks only narrow the types
      if (a === undefined || f.measured === null || a.measured === null) return false;
      if (a.status === 'red') return false;
      if (f.stat === KEEP_UP_STAT) return material;
      return f.measured - a.measured >= Math.max(TOOL_DELAY_MATERIAL_NS, TOOL_DELAY_MATERIAL_FRACTION * f.measured);
    });
    if (explained) {
      generator.push(
        `the failure is within the tool's own delays: ${pct(lateFraction)} of starts more than 1 ms late (worst ${msText(schedule?.maxLateNs ?? 0)}), ` +
          `event loop stalled up to ${msText(stallNs)}; without those delays it would have passed`,
      );
    }
  }
  let verdict: CapacityStep['verdict'];
  if (phase.interrupted === true) {
    verdict = 'invalid';
    reasons.push('interrupted');
  } else if (generator.length > 0) {
    verdict = 'invalid';
    reasons.push(`load generator was the limit: ${generator.join('; ')}`);
  } else if (phase.count === 0) {
    verdict = 'invalid';
    reasons.push('no operation finished');
  } else if (failed.length > 0) {
    verdict = 'fail';
    for (const s of failed) reasons.push(`${s.source} missed`);
    if (dropped > 0) reasons.push(`${dropped} arrivals dropped at maxInFlight`);
  } else {
    verdict = 'pass';
  }
  return {
    index,
    stage,
    rate,
    durationMs: windowMs,
    achieved: phase.throughput,
    count: phase.count,
    errors: phase.errors,
    errorRate: phase.errorRate,
    errorsByKind: phase.errorsByKind,
    latency: phase.latency,
    ...(phase.serviceTime ? { serviceP99: phase.serviceTime.p99 } : {}),
    ...(phase.goodput ? { goodput: phase.goodput } : {}),
    ...(schedule ? { schedule } : {}),
    eventLoopP99Ns: loopP99,
    slos,
    verdict,
    reasons,
    ...(phase.interrupted === true ? { interrupted: true } : {}),
  };
}

/** A latency summary with `stallNs` taken off every figure (never below 0). */
function lessStall(summary: LatencySummary, stallNs: number): LatencySummary {
  const cut = (v: number): number => Math.max(0, v - stallNs);
  return { ...summary, min: cut(summary.min), mean: cut(summary.mean), p50: cut(summary.p50), p90: cut(summary.p90), p95: cut(summary.p95), p99: cut(summary.p99), p999: cut(summary.p999), max: cut(summary.max) };
}

/** Runs the phase at `rate` and judges it; undefined when the run was interrupted. */
export type MeasureStep = (rate: number, stage: StepStage, index: number) => Promise<CapacityStep | undefined>;

interface Tally {
  pass: number;
  fail: number;
}

function tallies(steps: readonly CapacityStep[]): Map<number, Tally> {
  const m = new Map<number, Tally>();
  for (const s of steps) {
    if (s.verdict === 'invalid') continue;
    const t = m.get(s.rate) ?? { pass: 0, fail: 0 };
    if (s.verdict === 'pass') t.pass++;
    else t.fail++;
    m.set(s.rate, t);
  }
  return m;
}

/**
 * The bracket: `upper` is the lowest rate that failed every time it ran; `lower` the highest
 * rate below it that passed every time. Rates with mixed outcomes lie between or are ignored.
 */
export function bracket(steps: readonly CapacityStep[]): { lower?: number; upper?: number } {
  const t = tallies(steps);
  const rates = [...t.keys()].sort((a, b) => a - b);
  const upper = rates.find((r) => (t.get(r) as Tally).pass === 0);
  const passedAlways = rates.filter((r) => (t.get(r) as Tally).fail === 0);
  // Stryker disable next-line EqualityOperator: equivalent; upper failed every time, so it is not among these
  const lower = passedAlways.filter((r) => r < (upper ?? Number.POSITIVE_INFINITY)).at(-1);
  return { ...(lower !== undefined ? { lower } : {}), ...(upper !== undefined ? { upper } : {}) };
}

/** Where the pass fraction crosses 1/2 between lower and upper (linear between measured rates). */
export function crossing(steps: readonly CapacityStep[], lower: number, upper: number): number {
  const t = tallies(steps);
  const points = [...t.entries()]
    .filter(([r]) => r >= lower && r <= upper)
    .map(([r, v]) => ({ r, f: v.pass / (v.pass + v.fail) }))
    .sort((a, b) => a.r - b.r);
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as { r: number; f: number };
    const b = points[i + 1] as { r: number; f: number };
    if (a.f >= 0.5 && b.f < 0.5) return a.r + ((a.f - 0.5) / (a.f - b.f)) * (b.r - a.r);
  }
  return (lower + upper) / 2;
}

export interface SearchOutcome {
  steps: CapacityStep[];
  verdict: CapacityVerdict;
  generatorBoundAt?: number;
  /** Things the reader must know about how the answer was reached. */
  notes?: string[];
}

/** The search itself: ramp, bisect, confirm. */
export async function searchCapacity(measure: MeasureStep, settings: CapacitySettings, onStep?: (step: CapacityStep) => void): Promise<SearchOutcome> {
  const steps: CapacityStep[] = [];
  const s = settings;
  const notes: string[] = [];
  /** Rates the generator could not drive (invalid every time): never tried again. */
  const unmeasurable = new Set<number>();
  let stop: SearchOutcome | undefined;
  const done = (verdict: CapacityVerdict, extra: Partial<SearchOutcome> = {}): SearchOutcome => ({
    steps,
    verdict,
    ...extra,
    ...(notes.length > 0 ? { notes } : {}),
  });

  /**
   * One measurement of `rate`: the step, 'invalid' when the generator could not drive it
   * INVALID_ATTEMPTS times, or 'stop' (interrupted, or out of steps; `stop` says which).
   */
  const run = async (rate: number, stage: StepStage): Promise<CapacityStep | 'invalid' | 'stop'> => {
    for (let attempt = 0; attempt < INVALID_ATTEMPTS; attempt++) {
      if (steps.length >= s.maxSteps) {
        stop = done('unresolved');
        return 'stop';
      }
      const step = await measure(rate, attempt === 0 ? stage : 'retry', steps.length + 1);
      if (step === undefined || step.interrupted === true) {
        if (step !== undefined) {
          steps.push(step);
          onStep?.(step);
        }
        stop = done('interrupted');
        return 'stop';
      }
      steps.push(step);
      onStep?.(step);
      if (step.verdict !== 'invalid') return step;
    }
    unmeasurable.add(rate);
    return 'invalid';
  };

  // 1. Ramp up by doubling, or down by halving when the first step already fails. A rate the
  //    generator cannot drive here ends the search: nothing above it can be measured either.
  let rate = roundRate(Math.min(s.startRate, s.maxRate));
  let first = await run(rate, 'ramp');
  if (first === 'stop') return stop as SearchOutcome;
  if (first === 'invalid') return done('generator-bound', { generatorBoundAt: rate });
  if (first.verdict === 'pass') {
    for (;;) {
      if (rate >= s.maxRate) return done('above-max-rate');
      rate = roundRate(Math.min(rate * 2, s.maxRate));
      const r = await run(rate, 'ramp');
      if (r === 'stop') return stop as SearchOutcome;
      if (r === 'invalid') return done('generator-bound', { generatorBoundAt: rate });
      if (r.verdict === 'fail') break;
    }
  } else {
    while (first.verdict === 'fail') {
      const lower = roundRate(rate / 2);
      if (lower < s.minRate) return done('below-min-rate');
      rate = lower;
      const r = await run(rate, 'ramp');
      if (r === 'stop') return stop as SearchOutcome;
      if (r === 'invalid') return done('generator-bound', { generatorBoundAt: rate });
      first = r;
    }
  }

  // 2 + 3. Bisect until the bracket is narrow, then confirm both of its ends. Both ends are
  //    valid measurements, so a rate in between that the generator cannot drive only costs
  //    precision: the search stops there and says so, with the bracket it has.
  const precisionLost = (): SearchOutcome => {
    const rates = [...unmeasurable].sort((a, b) => a - b).map(rateText);
    const list = rates.length > 1 ? `${rates.slice(0, -1).join(', ')} and ${rates.at(-1)}` : rates[0];
    notes.push(
      `steps at ${list} were invalid ${INVALID_ATTEMPTS} times${rates.length > 1 ? ' each' : ''} (the load generator's own delays): ` +
        'the interval rests on the valid steps only, and may be wider or less confirmed than asked',
    );
    return done('found');
  };
  for (;;) {
    const { lower, upper } = bracket(steps);
    /** Every rate with a valid step, and how it came out. */
    const t = tallies(steps);
    let next: number;
    let stage: StepStage;
    if (upper === undefined) {
      // The failing end passed on a second look: look a little higher. With no failing end,
      // every rate measured has passed at least once.
      const top = Math.max(...t.keys());
      if (top >= s.maxRate) return done('above-max-rate');
      next = roundRate(Math.min(s.maxRate, top * (1 + 2 * s.precision)));
      stage = 'bisect';
    } else if (lower === undefined) {
      // The passing end failed on a second look, and nothing below it is known to pass: halve
      // below the lowest rate measured (every one of them has failed at least once).
      next = roundRate(Math.min(...t.keys()) / 2);
      if (next < s.minRate) return done('below-min-rate');
      stage = 'bisect';
    } else {
      const seen = (r: number): number => (t.get(r)?.pass ?? 0) + (t.get(r)?.fail ?? 0);
      // A midpoint already measured `repeat` times with mixed outcomes is where the knee is:
      // measuring it again would not narrow the bracket. One the generator could not drive is
      // stepped around: the midpoints on either side of it still narrow the bracket (the upper
      // one first: above the knee a step fails clearly, below it passes only narrowly).
      const mid = roundRate((lower + upper) / 2);
      const around = unmeasurable.has(mid) ? [roundRate((mid + upper) / 2), roundRate((lower + mid) / 2)] : [mid];
      const candidate = around.find((r) => r > lower && r < upper && !unmeasurable.has(r) && seen(r) < s.repeat);
      // With a tolerance: 105 / 100 - 1 is a hair over 0.05 in floating point, which would
      // call a bracket of exactly --precision too wide and bisect it once more.
      // Stryker disable next-line EqualityOperator: equivalent; a ratio of 3-digit rates never lands on precision + 1e-9 to the last bit
      const wide = upper / lower - 1 > s.precision + 1e-9;
      if (wide && candidate !== undefined && unmeasurable.size < MAX_UNMEASURABLE) {
        next = candidate;
        stage = 'bisect';
      } else if (wide && unmeasurable.size > 0) {
        return precisionLost();
      } else if ((t.get(lower) as Tally).pass < s.repeat && !unmeasurable.has(lower)) {
        next = lower;
        stage = 'confirm';
      } else if ((t.get(upper) as Tally).fail < s.repeat && !unmeasurable.has(upper)) {
        next = upper;
        stage = 'confirm';
      } else {
        return unmeasurable.size > 0 ? precisionLost() : done('found');
      }
    }
    // `next` is never a rate the generator could not drive: bisection and confirmation skip
    // those, and a rate above or below every one measured has not been tried (one that ran
    // invalid there ended the search below, the bracket being open).
    const r = await run(next, stage);
    if (r === 'stop') return stop as SearchOutcome;
    if (r === 'invalid') {
      const b = bracket(steps);
      if (b.lower === undefined || b.upper === undefined) return done('generator-bound', { generatorBoundAt: next });
      // Otherwise go on: a rate inside the bracket is stepped around, an end that cannot be
      // confirmed stands on its valid measurement (and the result notes both).
    }
  }
}

function statValue(step: CapacityStep, source: string): number | null {
  return step.slos.find((x) => x.source === source)?.measured ?? null;
}

function mean(values: number[]): number | null {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

function rateText(r: number): string {
  // Stryker disable next-line EqualityOperator: equivalent; 100 reads "100" either way
  return `${r >= 100 ? Math.round(r).toLocaleString('en-US') : Number(r.toPrecision(3))}/s`;
}

/**
 * What the steps say: the capacity and its interval, the binding SLO (the one that broke at the
 * lowest rate), the knee's shape, and one line for people.
 */
export function summarizeCapacity(outcome: SearchOutcome, head: Pick<CapacityResult, 'phase' | 'op' | 'slos' | 'settings'>): CapacityResult {
  const lessIsBetter = (source: string): boolean => {
    const c = head.slos.find((s) => s.source === source)?.comparator;
    return c === undefined || c === '<' || c === '<=';
  };
  const { steps, verdict } = outcome;
  const valid = steps.filter((s) => s.verdict !== 'invalid');
  const { lower, upper } = bracket(steps);

  const brokenAt = new Map<string, { stat: string; rate: number }>();
  for (const s of valid) {
    for (const slo of s.slos) {
      if (slo.status !== 'red') continue;
      const known = brokenAt.get(slo.source);
      // Stryker disable next-line EqualityOperator: equivalent; an equal rate writes the same stat and rate
      if (known === undefined || s.rate < known.rate) brokenAt.set(slo.source, { stat: slo.stat, rate: s.rate });
    }
  }
  const broken = [...brokenAt.entries()].map(([source, v]) => ({ source, stat: v.stat, rate: v.rate })).sort((a, b) => a.rate - b.rate);
  const first = broken[0];
  // The step where the binding SLO first broke: valid, at that rate, and red for it (the rate may have passed once too).
  const bindingStep = first && valid.find((s) => s.rate === first.rate && s.slos.some((x) => x.source === first.source && x.status === 'red'));
  // Stryker disable next-line OptionalChaining: equivalent; `first` came from such a step, so both finds succeed
  const binding = first ? { ...first, measured: bindingStep?.slos.find((x) => x.source === first.source)?.measured ?? null } : undefined;

  /** The knee's shape, from the binding SLO's figures at the two ends of the interval. */
  const kneeOf = (b: { source: string; stat: string }, lower: number, upper: number): NonNullable<CapacityResult['knee']> => {
    const below = mean(valid.filter((s) => s.rate === lower).map((s) => statValue(s, b.source)).filter((v): v is number => v !== null));
    const above = mean(valid.filter((s) => s.rate === upper).map((s) => statValue(s, b.source)).filter((v): v is number => v !== null));
    let ratio: number | null = null;
    if (below !== null && above !== null) {
      const [worse, better] = lessIsBetter(b.source) ? [above, below] : [below, above];
      ratio = better > 0 ? worse / better : worse > 0 ? Number.POSITIVE_INFINITY : 1;
    }
    // A doubling across one bracket (a few percent of rate) is a wall; less is a slope.
    const shape = ratio === null || ratio >= 2 ? 'cliff' : 'smooth';
    return { shape, stat: b.stat, below, above, ratio: Number.isFinite(ratio) ? ratio : null };
  };

  const out: CapacityResult = {
    ...head,
    steps,
    verdict,
    // Stryker disable next-line StringLiteral: equivalent; summaryLine below writes the summary before anything reads it
    summary: '',
  };
  const lowerBound = lower ?? (valid.some((s) => s.verdict === 'pass') ? Math.max(...valid.filter((s) => s.verdict === 'pass').map((s) => s.rate)) : undefined);
  // Stryker disable next-line ConditionalExpression: equivalent; a key holding undefined reads as none everywhere (JSON drops it, the renderers test !== undefined)
  if (lowerBound !== undefined) out.lowerBound = lowerBound;
  if ((verdict === 'found' || verdict === 'unresolved') && lower !== undefined && upper !== undefined) {
    // Unresolved: where the knee seemed to be, but without the confirmation a capacity needs.
    out.interval = { lower, upper };
    if (verdict === 'found') {
      out.capacity = crossing(steps, lower, upper);
      // The upper end failed every time, so some SLO broke: `first` is the binding one.
      out.knee = kneeOf(first as { source: string; stat: string }, lower, upper);
    }
  }
  // Stryker disable next-line ConditionalExpression: equivalent; as above
  if (outcome.generatorBoundAt !== undefined) out.generatorBoundAt = outcome.generatorBoundAt;
  if (outcome.notes !== undefined) out.notes = [...outcome.notes];
  // Stryker disable next-line ConditionalExpression: equivalent; as above
  if (binding) out.binding = binding;
  if (broken.length > 0) out.broken = broken;
  out.summary = summaryLine(out);
  return out;
}

export function summaryLine(c: CapacityResult): string {
  const at = c.lowerBound !== undefined ? `; it sustained ${rateText(c.lowerBound)}` : '';
  switch (c.verdict) {
    case 'found': {
      // A found capacity has all of these: its upper end failed an SLO, the binding one, which shapes the knee.
      const i = c.interval as { lower: number; upper: number };
      const b = c.binding as NonNullable<CapacityResult['binding']>;
      const k = c.knee as NonNullable<CapacityResult['knee']>;
      return `capacity ${rateText(c.capacity as number)} (knee between ${rateText(i.lower)} and ${rateText(i.upper)}); binding: ${b.source} broke first, at ${rateText(b.rate)}; ${k.shape} knee`;
    }
    case 'generator-bound':
      return `generator-bound at ${rateText(c.generatorBoundAt as number)}: the load generator, not the system, was the limit${at}; capacity is higher than measured here: offer the load from more threads or machines (--workers, shards)`;
    case 'above-max-rate':
      return `every step passed up to --max-rate ${rateText(c.settings.maxRate)}: capacity is at least that (raise --max-rate)`;
    case 'below-min-rate':
      return `even ${rateText(Math.min(...c.steps.map((s) => s.rate)))} missed the SLOs: no sustainable rate found`;
    case 'unresolved':
      return `no answer within ${c.settings.maxSteps} steps${c.interval ? `: the knee seemed to lie between ${rateText(c.interval.lower)} and ${rateText(c.interval.upper)}, unconfirmed` : at}; outcomes near the boundary kept changing: use a longer --step-duration or more --max-steps`;
    case 'interrupted':
      return `interrupted after ${c.steps.length} step${c.steps.length === 1 ? '' : 's'}${at}`;
  }
}
