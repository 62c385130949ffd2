/**
 * The capacity search as a user reads it: each step's verdict and the words of its reason, the
 * rates the search offers in order, the capacity, its interval, the binding SLO and the knee,
 * and the one-line summary. Steps come from deterministic phase results (no load, no clock):
 * `figures()` writes what the rate executor would report, `scripted()` plays a server whose
 * verdict at each rate (and each visit of it) the test decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapacitySettings, CapacityStep, IntervalSample, LatencySummary, PhaseResult } from '../../src/results/types.js';
import {
  DEFAULT_CAPACITY_SETTINGS,
  bracket,
  crossing,
  judgeStep,
  keepUpSlo,
  searchCapacity,
  summarizeCapacity,
  type MeasureStep,
  type SearchOutcome,
  type SloJudge,
} from '../../src/runner/capacity.js';
import { evaluateStepSlos, parseSlo } from '../../src/targets/slo.js';

const MS = 1e6;

function summary(p50Ns: number, p99Ns: number, count: number): LatencySummary {
  return { unit: 'ns', count, min: p50Ns / 2, mean: p50Ns, stddev: 0, p50: p50Ns, p90: p99Ns, p95: p99Ns, p99: p99Ns, p999: p99Ns, max: p99Ns, histogram: 'HISTFAAA' };
}

interface Figures {
  rate: number;
  /** The measured window, ms (default 2000). */
  windowMs?: number;
  /** The phase's own duration, drain included (default: the window). */
  phaseMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** From the actual start (default: p99Ms). */
  serviceP99Ms?: number;
  /** Completions per second in each of five intervals of the window (default: the rate). */
  completed?: number;
  /** Explicit intervals instead: [start ms, end ms, completions]. */
  intervals?: Array<[number, number, number]>;
  count?: number;
  errorRate?: number;
  late?: number;
  dropped?: number;
  maxLateMs?: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  noSchedule?: boolean;
  noHealth?: boolean;
  noServiceTime?: boolean;
  interrupted?: boolean;
}

/** What runPhase reports for a step with these figures. */
function figures(f: Figures): PhaseResult {
  const windowMs = f.windowMs ?? 2000;
  const count = f.count ?? Math.round((f.rate * windowMs) / 1000);
  const completed = f.completed ?? f.rate;
  const spans: Array<[number, number, number]> =
    f.intervals ?? [0, 1, 2, 3, 4].map((k) => [(k * windowMs) / 5, ((k + 1) * windowMs) / 5, Math.round((completed * windowMs) / 5000)]);
  const intervals: IntervalSample[] = spans.map(([from, to, n]) => ({ tMs: to, durationMs: to - from, count: n, errors: 0, throughput: (n * 1000) / (to - from), p50: 0, p99: 0 }));
  const errors = Math.round(count * (f.errorRate ?? 0));
  const p99 = f.p99Ms ?? 10;
  const p50 = f.p50Ms ?? p99 / 2;
  return {
    name: 'step',
    op: 'llm.call',
    description: '',
    executor: { kind: 'rate', rate: f.rate, durationMs: windowMs, maxInFlight: 10_000 },
    warmup: 0,
    timeoutMs: 30_000,
    count,
    errors,
    errorsByKind: errors > 0 ? { LLM_OVERLOADED: errors } : {},
    errorRate: count > 0 ? errors / count : 0,
    durationMs: f.phaseMs ?? windowMs,
    throughput: completed,
    latency: summary(p50 * MS, p99 * MS, count - errors),
    ...(f.noServiceTime ? {} : { serviceTime: summary(p50 * MS, (f.serviceP99Ms ?? p99) * MS, count - errors) }),
    batchTimed: false,
    ...(f.noSchedule ? {} : { schedule: { late: f.late ?? 0, dropped: f.dropped ?? 0, maxLateNs: (f.maxLateMs ?? 0) * MS } }),
    intervals,
    ...(f.noHealth ? {} : { health: { eventLoopP99Ns: (f.loopP99Ms ?? 1) * MS, eventLoopMaxNs: (f.loopMaxMs ?? 2) * MS, warnings: [] } }),
    ...(f.interrupted ? { interrupted: true } : {}),
  };
}

const P99 = parseSlo('p99 < 50ms', 'load');
const ERRORS = parseSlo('errorRate < 1%', 'load');
const judge: SloJudge = (p) => evaluateStepSlos([P99, ERRORS], p);
const PRECISION = DEFAULT_CAPACITY_SETTINGS.precision;
const KEEP_UP = keepUpSlo(PRECISION).source;
const HEAD = { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: DEFAULT_CAPACITY_SETTINGS };

function judged(f: Figures, j: SloJudge = judge, precision = PRECISION): CapacityStep {
  return judgeStep(figures(f), f.rate, 'ramp', 1, j, precision);
}

function keepUpOf(step: CapacityStep): number | null | undefined {
  return step.slos.find((s) => s.stat === 'keepUp')?.measured;
}

type Outcome = 'pass' | 'fail' | 'invalid';

/**
 * A server whose outcome at each rate the test decides: `at(rate, visit)` (visit 1 is the first
 * time that rate is offered, retries included). A pass is 10 ms at p99, a fail 90 ms, an invalid
 * step an event loop saturated at 80 ms.
 */
function scripted(at: (rate: number, visit: number) => Outcome, precision = PRECISION): MeasureStep {
  const visits = new Map<number, number>();
  return async (rate, stage, index) => {
    const visit = (visits.get(rate) ?? 0) + 1;
    visits.set(rate, visit);
    const o = at(rate, visit);
    const f: Figures = o === 'pass' ? { rate, p99Ms: 10 } : o === 'fail' ? { rate, p99Ms: 90 } : { rate, p99Ms: 10, loopP99Ms: 80, loopMaxMs: 90 };
    return judgeStep(figures(f), rate, stage, index, judge, precision);
  };
}

/** A knee at `capacity`: every rate up to it passes, every rate above fails. */
const knee = (capacity: number) => (rate: number): Outcome => (rate <= capacity ? 'pass' : 'fail');

function offered(out: SearchOutcome): string[] {
  return out.steps.map((s) => `${s.stage} ${s.rate} ${s.verdict}`);
}

const SETTINGS: CapacitySettings = { ...DEFAULT_CAPACITY_SETTINGS, startRate: 50 };

describe('judgeStep: the reasons a user reads', () => {
  it('a failure the tool explains names how late the starts were (of all that were due, drops included) and the stall', () => {
    // 600 started, 200 dropped: 100 late starts are 12.5% of the 800 that were due.
    const s = judged({ rate: 400, count: 600, dropped: 200, late: 100, maxLateMs: 30, loopMaxMs: 12, p99Ms: 70, serviceP99Ms: 30 });
    expect(s.verdict).toBe('invalid');
    expect(s.reasons).toEqual([
      "load generator was the limit: the failure is within the tool's own delays: 12.5% of starts more than 1 ms late (worst 30 ms), event loop stalled up to 12 ms; without those delays it would have passed",
    ]);
  });

  it('without schedule figures (no starts recorded late), a stall of the event loop alone can explain a failure', () => {
    const s = judged({ rate: 300, p99Ms: 70, serviceP99Ms: 60, loopMaxMs: 30, noSchedule: true });
    expect(s.verdict).toBe('invalid');
    expect(s.reasons).toEqual([
      "load generator was the limit: the failure is within the tool's own delays: 0% of starts more than 1 ms late (worst 0 ms), event loop stalled up to 30 ms; without those delays it would have passed",
    ]);
    expect(s).not.toHaveProperty('schedule');
  });

  it('a phase without generator health figures is judged on its SLOs alone', () => {
    const ok = judged({ rate: 100, p99Ms: 12, noHealth: true });
    expect(ok.verdict).toBe('pass');
    expect(ok.eventLoopP99Ns).toBe(0);
    const slow = judged({ rate: 100, p99Ms: 80, noHealth: true });
    expect(slow.verdict).toBe('fail');
    expect(slow.reasons).toEqual(['p99 < 50ms missed']);
  });

  it('a phase without service times cannot have its failure blamed on the tool, and passes as usual', () => {
    expect(judged({ rate: 100, p99Ms: 12, noServiceTime: true }).verdict).toBe('pass');
    const late = judged({ rate: 300, p99Ms: 60, late: 100, maxLateMs: 40, noServiceTime: true });
    expect(late.verdict).toBe('fail');
    expect(late).not.toHaveProperty('serviceP99');
  });

  it('an event loop delay p99 of exactly 50 ms is not yet saturated', () => {
    expect(judged({ rate: 100, p99Ms: 12, loopP99Ms: 50, loopMaxMs: 50 }).verdict).toBe('pass');
    expect(judged({ rate: 100, p99Ms: 12, loopP99Ms: 50.1, loopMaxMs: 51 }).verdict).toBe('invalid');
  });

  it('names every way the generator was the limit, and the maxInFlight arrivals were dropped at', () => {
    const s = judged({ rate: 100, p99Ms: 12, loopP99Ms: 80, loopMaxMs: 90, dropped: 5 });
    expect(s.reasons).toEqual(['load generator was the limit: event loop saturated (delay p99 80 ms); 5 arrivals dropped at maxInFlight 10000']);
  });

  it('an interrupted step says only that, and is not held to keeping up (its window was cut short)', () => {
    const s = judged({ rate: 100, p99Ms: 12, completed: 10, interrupted: true });
    expect(s.verdict).toBe('invalid');
    expect(s.reasons).toEqual(['interrupted']);
    expect(s.slos.map((x) => x.stat)).toEqual(['p99', 'errorRate']);
  });

  it('a step in which nothing finished is invalid: "no operation finished", not a failure of its SLOs', () => {
    const s = judged({ rate: 100, count: 0, completed: 0 });
    expect(s.verdict).toBe('invalid');
    expect(s.reasons).toEqual(['no operation finished']);
  });

  it('a failure names every SLO it missed and, after them, the arrivals dropped', () => {
    const s = judged({ rate: 900, p99Ms: 900, errorRate: 0.2, dropped: 7 });
    expect(s.verdict).toBe('fail');
    expect(s.reasons).toEqual(['p99 < 50ms missed', 'errorRate < 1% missed', '7 arrivals dropped at maxInFlight']);
  });

  it('the step carries the figures the report shows: window, achieved rate, service p99, goodput, schedule', () => {
    const p = figures({ rate: 200, p99Ms: 20, serviceP99Ms: 15, late: 3, maxLateMs: 2, phaseMs: 2150 });
    p.goodput = { good: 390, fraction: 0.975, rate: 195 };
    const s = judgeStep(p, 200, 'confirm', 7, judge, PRECISION);
    expect(s).toMatchObject({
      index: 7,
      stage: 'confirm',
      rate: 200,
      durationMs: 2000,
      achieved: 200,
      count: 400,
      errors: 0,
      serviceP99: 15 * MS,
      goodput: { good: 390, fraction: 0.975, rate: 195 },
      schedule: { late: 3, dropped: 0, maxLateNs: 2 * MS },
      eventLoopP99Ns: 1 * MS,
      verdict: 'pass',
      reasons: [],
    });
  });

  it('a phase of another executor is judged over its own duration, and its drops name no maxInFlight', () => {
    const p = { ...figures({ rate: 100, p99Ms: 12, dropped: 5 }), executor: { kind: 'iterations' as const, iterations: 200, concurrency: 4 }, durationMs: 2000 };
    const s = judgeStep(p, 100, 'ramp', 1, judge, PRECISION);
    expect(s.durationMs).toBe(2000);
    expect(s.reasons).toEqual(['load generator was the limit: 5 arrivals dropped at maxInFlight']);
  });
});

describe('judgeStep: failures the tool\'s delays do and do not explain', () => {
  it('all of a step\'s failures must be explained: a late p99 with a real error rate is a failure', () => {
    const s = judged({ rate: 300, p99Ms: 60, serviceP99Ms: 20, late: 100, maxLateMs: 30, errorRate: 0.2 });
    expect(s.verdict).toBe('fail');
    expect(s.reasons).toEqual(['p99 < 50ms missed', 'errorRate < 1% missed']);
  });

  it('a p99 missed by a hair stays a failure: the tool must explain at least 5 ms and 10% of it', () => {
    // 52 ms, and 48 ms without the tool: 4 ms less, under both 5 ms and 10% (5.2 ms).
    expect(judged({ rate: 300, p99Ms: 52, serviceP99Ms: 50, late: 100, maxLateMs: 30, loopMaxMs: 2 }).verdict).toBe('fail');
    // 55 ms: 10% is 5.5 ms. Exactly that much is the tool's; 5.4 ms is not enough.
    expect(judged({ rate: 300, p99Ms: 55, serviceP99Ms: 49.5, late: 100, maxLateMs: 30, loopMaxMs: 0 }).verdict).toBe('invalid');
    expect(judged({ rate: 300, p99Ms: 55, serviceP99Ms: 49.6, late: 100, maxLateMs: 30, loopMaxMs: 0 }).verdict).toBe('fail');
  });

  it('a step in which no request succeeded (no latency figure) cannot be blamed on the tool', () => {
    const p99Only: SloJudge = (p) => evaluateStepSlos([P99], p);
    const s = judged({ rate: 300, errorRate: 1, late: 100, maxLateMs: 30, loopMaxMs: 20 }, p99Only);
    expect(s.slos[0]).toMatchObject({ stat: 'p99', measured: null, status: 'red' });
    expect(s.verdict).toBe('fail');
  });

  it('a generator 10 ms behind cannot excuse 15% of completions missing', () => {
    const s = judged({ rate: 300, p99Ms: 20, completed: 255, late: 50, maxLateMs: 10 });
    expect(s.verdict).toBe('fail');
    expect(s.reasons).toEqual([`${KEEP_UP} missed`]);
  });

  it('the tool\'s delays excuse a keep-up shortfall only from 5 ms on (every machine has a few ms of jitter)', () => {
    // 1000/s, 1137 of 1200 completed in the counted 1.2 s: 94.75%, short by less than 4 ms of the window.
    const intervals = [0, 1, 2, 3, 4].map((k): [number, number, number] => [k * 400, (k + 1) * 400, 379]);
    const four = judged({ rate: 1000, intervals, late: 10, maxLateMs: 4, loopMaxMs: 0 });
    expect(keepUpOf(four)).toBeCloseTo(0.9475, 6);
    expect(four.verdict).toBe('fail');
    expect(judged({ rate: 1000, intervals, late: 10, maxLateMs: 5, loopMaxMs: 0 }).verdict).toBe('invalid');
  });
});

describe('judgeStep: the keep-up figure', () => {
  it('counts the steady part of the window: from a quarter in (an interval starting 1 ms early included) to 4% past its end', () => {
    const s = judged({
      rate: 100,
      p99Ms: 4,
      intervals: [
        [0, 499, 10],
        [499, 999, 50],
        [999, 1499, 45],
        [1499, 1999, 45],
        [1999, 2080, 8],
        [2080, 2400, 3],
      ],
    });
    expect(keepUpOf(s)).toBeCloseTo((50 + 45 + 45 + 8) / 1.581 / 100, 9);
  });

  it('needs at least 30% of the window left after the first answers can have come back', () => {
    // A 700 ms median: counted from 1.4 s, 600 ms of a 2 s window, exactly 30%.
    const enough = judged({ rate: 100, p50Ms: 700, p99Ms: 900, intervals: [[1400, 2000, 60]] }, (p) => evaluateStepSlos([parseSlo('p99 < 2s', 'load')], p));
    expect(keepUpOf(enough)).toBeCloseTo(1, 9);
    const tooLate = judged({ rate: 100, p50Ms: 701, p99Ms: 900, intervals: [[1402, 2000, 60]] }, (p) => evaluateStepSlos([parseSlo('p99 < 2s', 'load')], p));
    expect(keepUpOf(tooLate)).toBeUndefined();
  });

  it('allows one completion of slack: a low rate over a short window counts in ones', () => {
    const lenient: SloJudge = (p) => evaluateStepSlos([parseSlo('p99 < 2s', 'load')], p);
    // 10/s counted over 1.5 s: 15 due. 14 is within one completion; 13 is not.
    expect(judged({ rate: 10, intervals: [[500, 2000, 14]] }, lenient).verdict).toBe('pass');
    const short = judged({ rate: 10, intervals: [[500, 2000, 13]] }, lenient);
    expect(short.verdict).toBe('fail');
    expect(keepUpOf(short)).toBeCloseTo(13 / 15, 9);
  });

  it('a step exactly at the keep-up threshold (slack included) passes', () => {
    const lenient: SloJudge = (p) => evaluateStepSlos([parseSlo('p99 < 2s', 'load')], p);
    // Precision 25%: 75% must complete. 4/s counted over 1 s: 2 completions + 1 of slack = 75%.
    const s = judged({ rate: 4, p50Ms: 500, p99Ms: 900, intervals: [[1000, 1500, 1], [1500, 2000, 1]] }, lenient, 0.25);
    expect(keepUpOf(s)).toBe(0.5);
    expect(s.verdict).toBe('pass');
  });

  it('the implicit SLO reads "keeps up", more is better, as a fraction', () => {
    expect(keepUpSlo(0.05)).toEqual({ source: 'keeps up (completes >= 95% of the offered rate)', stat: 'keepUp', comparator: '>=', current: 0.95, target: 0.95, unit: 'fraction' });
  });
});

describe('searchCapacity: the rates it offers', () => {
  it('numbers the steps in order, reports each to onStep, and adds no note when nothing went wrong', async () => {
    const seen: number[] = [];
    const out = await searchCapacity(scripted(knee(400)), SETTINGS, (s) => seen.push(s.index));
    expect(offered(out)).toEqual([
      'ramp 50 pass',
      'ramp 100 pass',
      'ramp 200 pass',
      'ramp 400 pass',
      'ramp 800 fail',
      'bisect 600 fail',
      'bisect 500 fail',
      'bisect 450 fail',
      'bisect 425 fail',
      'bisect 413 fail',
      'confirm 400 pass',
      'confirm 413 fail',
    ]);
    expect(out.steps.map((s) => s.index)).toEqual(out.steps.map((_, k) => k + 1));
    expect(seen).toEqual(out.steps.map((s) => s.index));
    expect(out.verdict).toBe('found');
    expect(out.notes).toBeUndefined();
    const c = summarizeCapacity(out, HEAD);
    expect(c.notes).toBeUndefined();
    expect(c.summary).toBe('capacity 407/s (knee between 400/s and 413/s); binding: p99 < 50ms broke first, at 413/s; cliff knee');
  });

  it('a bracket exactly --precision wide is narrow enough: both ends are confirmed, no bisection', async () => {
    const out = await searchCapacity(scripted(knee(102)), { ...SETTINGS, startRate: 100, maxRate: 105 });
    expect(offered(out)).toEqual(['ramp 100 pass', 'ramp 105 fail', 'confirm 100 pass', 'confirm 105 fail']);
    expect(summarizeCapacity(out, HEAD).interval).toEqual({ lower: 100, upper: 105 });
  });

  it('halves from a failing first step, down to --min-rate itself, and says when even that failed', async () => {
    const down = await searchCapacity(scripted(knee(30)), { ...SETTINGS, startRate: 200 });
    expect(offered(down).slice(0, 4)).toEqual(['ramp 200 fail', 'ramp 100 fail', 'ramp 50 fail', 'ramp 25 pass']);
    const none = await searchCapacity(scripted(knee(0.5)), { ...SETTINGS, startRate: 8, minRate: 1 });
    expect(none.verdict).toBe('below-min-rate');
    expect(none.steps.map((s) => s.rate)).toEqual([8, 4, 2, 1]);
    expect(summarizeCapacity(none, HEAD).summary).toBe('even 1/s missed the SLOs: no sustainable rate found');
  });

  it('ends at once when the generator cannot drive the very first rate, or stops there', async () => {
    const bound = await searchCapacity(scripted(() => 'invalid'), SETTINGS);
    expect(bound.verdict).toBe('generator-bound');
    expect(bound.generatorBoundAt).toBe(50);
    expect(offered(bound)).toEqual(['ramp 50 invalid', 'retry 50 invalid', 'retry 50 invalid']);
    const c = summarizeCapacity(bound, HEAD);
    expect(c.summary).toBe('generator-bound at 50/s: the load generator, not the system, was the limit; capacity is higher than measured here: offer the load from more threads or machines (--workers, shards)');
    expect(c.lowerBound).toBeUndefined();
    const stopped = await searchCapacity(async () => undefined, SETTINGS);
    expect(stopped.verdict).toBe('interrupted');
    expect(stopped.steps).toEqual([]);
  });

  it('while halving: an interrupted step ends the search, a rate the generator cannot drive ends it generator-bound', async () => {
    let calls = 0;
    const cut = await searchCapacity(async (rate, stage, index) => (++calls > 1 ? undefined : scripted(knee(10))(rate, stage, index)), { ...SETTINGS, startRate: 200 });
    expect(cut.verdict).toBe('interrupted');
    expect(offered(cut)).toEqual(['ramp 200 fail']);
    const bound = await searchCapacity(scripted((r) => (r === 100 ? 'invalid' : 'fail')), { ...SETTINGS, startRate: 200 });
    expect(bound.verdict).toBe('generator-bound');
    expect(bound.generatorBoundAt).toBe(100);
    expect(offered(bound)).toEqual(['ramp 200 fail', 'ramp 100 invalid', 'retry 100 invalid', 'retry 100 invalid']);
  });

  it('an interrupted step is kept and reported, and ends the search', async () => {
    const interrupting: MeasureStep = async (rate, stage, index) =>
      index === 3 ? judgeStep(figures({ rate, p99Ms: 10, interrupted: true }), rate, stage, index, judge, PRECISION) : scripted(knee(400))(rate, stage, index);
    const seen: CapacityStep[] = [];
    const out = await searchCapacity(interrupting, SETTINGS, (s) => seen.push(s));
    expect(out.verdict).toBe('interrupted');
    expect(offered(out)).toEqual(['ramp 50 pass', 'ramp 100 pass', 'ramp 200 invalid']);
    expect(out.steps[2]?.interrupted).toBe(true);
    expect(seen).toEqual(out.steps);
    // Without a listener too.
    expect((await searchCapacity(interrupting, SETTINGS)).steps).toHaveLength(3);
  });

  it('after an interruption nothing more is measured, even by a runner that would go on', async () => {
    // The first step, one of the ramp up, one of the ramp down from a failing start.
    for (const [stopAt, startRate] of [[1, 50], [3, 10], [2, 800]] as const) {
      let calls = 0;
      const once: MeasureStep = async (rate, stage, index) => (++calls === stopAt ? undefined : scripted(knee(40))(rate, stage, index));
      const out = await searchCapacity(once, { ...SETTINGS, startRate });
      expect(out.verdict).toBe('interrupted');
      expect(calls).toBe(stopAt);
      expect(out.steps).toHaveLength(stopAt - 1);
    }
  });

  it('a midpoint that rounds onto the lower end is not offered again as a bisection: both ends are confirmed', async () => {
    // 10.1 and 10.2 are as close as 3 digits allow; (10.1 + 10.2) / 2 is 10.149999999999999, which rounds to 10.1.
    const out = await searchCapacity(scripted(knee(10.15)), { ...SETTINGS, startRate: 10.1, maxRate: 10.2, precision: 0.005 });
    expect(offered(out)).toEqual(['ramp 10.1 pass', 'ramp 10.2 fail', 'confirm 10.1 pass', 'confirm 10.2 fail']);
    expect(out.verdict).toBe('found');
  });

  it('when the failing end passes on a second look, it looks 2 x precision higher', async () => {
    const at = (r: number, visit: number): Outcome => (r <= 790 || (r === 800 && visit > 1) ? 'pass' : 'fail');
    const out = await searchCapacity(scripted(at), SETTINGS);
    expect(offered(out).slice(4)).toEqual([
      'ramp 800 fail',
      'bisect 600 pass',
      'bisect 700 pass',
      'bisect 750 pass',
      'bisect 775 pass',
      'confirm 775 pass',
      'confirm 800 pass',
      'bisect 880 fail',
      'bisect 828 fail',
      'bisect 802 fail',
      'confirm 802 fail',
    ]);
    const c = summarizeCapacity(out, HEAD);
    expect(c.interval).toEqual({ lower: 775, upper: 802 });
    expect(c.capacity).toBe(800);
  });

  it('when the failing end passes on a second look at --max-rate, every rate passed up to it', async () => {
    const at = (r: number, visit: number): Outcome => (r <= 790 || (r === 800 && visit > 1) ? 'pass' : 'fail');
    const out = await searchCapacity(scripted(at), { ...SETTINGS, maxRate: 800 });
    expect(out.verdict).toBe('above-max-rate');
    expect(offered(out).slice(-2)).toEqual(['confirm 775 pass', 'confirm 800 pass']);
    expect(summarizeCapacity(out, { ...HEAD, settings: { ...SETTINGS, maxRate: 800 } }).summary).toBe(
      'every step passed up to --max-rate 800/s: capacity is at least that (raise --max-rate)',
    );
  });

  it('when the rate above a failing end that passed cannot be driven, the search ends generator-bound there', async () => {
    const at = (r: number, visit: number): Outcome => (r === 880 ? 'invalid' : r <= 790 || (r === 800 && visit > 1) ? 'pass' : 'fail');
    const out = await searchCapacity(scripted(at), SETTINGS);
    expect(out.verdict).toBe('generator-bound');
    expect(out.generatorBoundAt).toBe(880);
    expect(offered(out).slice(-3)).toEqual(['bisect 880 invalid', 'retry 880 invalid', 'retry 880 invalid']);
    expect(summarizeCapacity(out, HEAD).summary).toMatch(/^generator-bound at 880\/s: .*; it sustained 775\/s;/);
  });

  it('when the passing end fails on a second look, it halves below the lowest rate measured (not below --min-rate)', async () => {
    const at = (r: number, visit: number): Outcome => (r === 50 ? (visit === 1 ? 'pass' : 'fail') : r <= 30 ? 'pass' : 'fail');
    const settings = { ...SETTINGS, startRate: 100, precision: 0.5 };
    const out = await searchCapacity(scripted(at, 0.5), { ...settings, minRate: 25 });
    expect(offered(out)).toEqual(['ramp 100 fail', 'ramp 50 pass', 'bisect 75 fail', 'confirm 50 fail', 'bisect 25 pass', 'confirm 25 pass', 'confirm 75 fail']);
    expect(out.verdict).toBe('found');
    expect(out.notes).toBeUndefined();
    const c = summarizeCapacity(out, { ...HEAD, settings });
    expect(c.interval).toEqual({ lower: 25, upper: 75 });
    // 50/s passed once and failed once: the pass fraction crosses one half there.
    expect(c.capacity).toBe(50);
    const floor = await searchCapacity(scripted(at, 0.5), { ...settings, minRate: 26 });
    expect(floor.verdict).toBe('below-min-rate');
    expect(offered(floor).at(-1)).toBe('confirm 50 fail');
  });

  it('when the rate halved to cannot be driven, the search ends generator-bound there', async () => {
    const at = (r: number, visit: number): Outcome => (r === 25 ? 'invalid' : r === 50 ? (visit === 1 ? 'pass' : 'fail') : 'fail');
    const out = await searchCapacity(scripted(at, 0.5), { ...SETTINGS, startRate: 100, precision: 0.5 });
    expect(out.verdict).toBe('generator-bound');
    expect(out.generatorBoundAt).toBe(25);
  });
});

describe('searchCapacity: rates the generator cannot drive inside the bracket', () => {
  it('steps around on the lower side when the upper side is the bracket\'s end', async () => {
    // 102/s cannot be driven. Around it: 103 (the upper end) is no candidate, 101 is.
    const at = (r: number): Outcome => (r === 102 ? 'invalid' : r <= 101.5 ? 'pass' : 'fail');
    const out = await searchCapacity(scripted(at, 0.01), { ...SETTINGS, startRate: 100, precision: 0.01 });
    expect(out.steps.filter((s) => s.verdict !== 'invalid').map((s) => `${s.stage} ${s.rate} ${s.verdict}`)).toEqual([
      'ramp 100 pass',
      'ramp 200 fail',
      'bisect 150 fail',
      'bisect 125 fail',
      'bisect 113 fail',
      'bisect 107 fail',
      'bisect 104 fail',
      'bisect 103 fail',
      'bisect 101 pass',
    ]);
    expect(out.verdict).toBe('found');
    expect(out.notes).toEqual([
      "steps at 102/s were invalid 3 times (the load generator's own delays): the interval rests on the valid steps only, and may be wider or less confirmed than asked",
    ]);
    const c = summarizeCapacity(out, HEAD);
    expect(c.interval).toEqual({ lower: 101, upper: 103 });
    expect(c.notes).toEqual(out.notes);
  });

  it('settles for the bracket it has at once, unconfirmed, when nothing inside can be driven', async () => {
    const at = (r: number): Outcome => (r > 400 && r < 800 ? 'invalid' : knee(400)(r));
    const out = await searchCapacity(scripted(at), SETTINGS);
    expect(out.steps.filter((s) => s.verdict !== 'invalid').map((s) => s.rate)).toEqual([50, 100, 200, 400, 800]);
    expect(out.steps.slice(5).map((s) => `${s.stage} ${s.rate}`)).toEqual(['bisect 600', 'retry 600', 'retry 600', 'bisect 700', 'retry 700', 'retry 700']);
  });

  it('lists every rate it could not drive, in order: "a, b and c"', async () => {
    // 600/s (a midpoint), then both ends when confirmed.
    const at = (r: number, visit: number): Outcome => (r === 600 || ((r === 400 || r === 419) && visit > 1) ? 'invalid' : knee(410)(r));
    const out = await searchCapacity(scripted(at), SETTINGS);
    expect(out.verdict).toBe('found');
    expect(out.notes).toEqual([
      "steps at 400/s, 419/s and 600/s were invalid 3 times each (the load generator's own delays): the interval rests on the valid steps only, and may be wider or less confirmed than asked",
    ]);
    expect(bracket(out.steps)).toEqual({ lower: 400, upper: 419 });
  });
});

/** Steps with these outcomes at these rates, in this order. */
function steps(...list: Array<[number, Outcome]>): CapacityStep[] {
  return list.map(([rate, o], k) => judgeStep(figures(o === 'pass' ? { rate, p99Ms: 10 } : o === 'fail' ? { rate, p99Ms: 90 } : { rate, loopP99Ms: 80 }), rate, 'bisect', k + 1, judge, PRECISION));
}

describe('the capacity estimate between the ends of the interval', () => {
  it('interpolates where the pass fraction falls through one half', () => {
    // 420/s passed 1 time in 4.
    const s = steps([400, 'pass'], [420, 'pass'], [420, 'fail'], [420, 'fail'], [420, 'fail'], [440, 'fail']);
    expect(crossing(s, 400, 440)).toBeCloseTo(400 + (0.5 / 0.75) * 20, 9);
    // 420/s passed 3 times in 4: the fraction falls through one half above it.
    const t = steps([400, 'pass'], [420, 'pass'], [420, 'pass'], [420, 'pass'], [420, 'fail'], [440, 'fail']);
    expect(crossing(t, 400, 440)).toBeCloseTo(420 + (0.25 / 0.75) * 20, 9);
    // Exactly one half at 420 and at 430: it is below one half only from 430 on.
    const u = steps([400, 'pass'], [420, 'pass'], [420, 'fail'], [430, 'pass'], [430, 'fail'], [440, 'fail']);
    expect(crossing(u, 400, 440)).toBe(430);
  });

  it('looks only between the ends asked for, and falls through from above one half', () => {
    const s = steps([100, 'pass'], [200, 'pass'], [200, 'fail'], [200, 'fail'], [200, 'fail'], [400, 'pass'], [440, 'fail']);
    expect(crossing(s, 400, 440)).toBe(420);
    const rising = steps([100, 'pass'], [100, 'fail'], [100, 'fail'], [100, 'fail'], [150, 'fail'], [200, 'pass'], [300, 'fail']);
    expect(crossing(rising, 100, 300)).toBe(250);
    // Above the upper end asked for is not looked at either.
    expect(crossing(steps([400, 'pass'], [440, 'pass'], [500, 'fail']), 400, 440)).toBe(420);
  });

  it('is the midpoint when nothing measured crosses', () => {
    expect(crossing([], 400, 440)).toBe(420);
    expect(crossing(steps([420, 'pass']), 400, 440)).toBe(420);
    expect(crossing(steps([420, 'invalid']), 400, 440)).toBe(420);
  });

  it('an outcome below the interval never pulls the capacity out of it (property)', () => {
    const outcome = fc.constantFrom<Outcome>('pass', 'fail', 'invalid');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), outcome), { maxLength: 30 }), (list) => {
        const s = steps(...list.map(([r, o]): [number, Outcome] => [r * 50, o]));
        const { lower, upper } = bracket(s);
        if (lower === undefined || upper === undefined) return;
        expect(lower).toBeLessThan(upper);
        const c = crossing(s, lower, upper);
        expect(c).toBeGreaterThanOrEqual(lower);
        expect(c).toBeLessThanOrEqual(upper);
      }),
    );
  });
});

describe('bracket', () => {
  it('is bounded by the lowest rate that always failed: a pass above it is not the lower end', () => {
    expect(bracket(steps([100, 'pass'], [200, 'fail'], [300, 'pass']))).toStrictEqual({ lower: 100, upper: 200 });
    expect(bracket(steps([100, 'pass'], [200, 'pass']))).toStrictEqual({ lower: 200 });
    expect(bracket(steps([100, 'fail'], [200, 'fail']))).toStrictEqual({ upper: 100 });
    expect(bracket(steps([100, 'invalid']))).toStrictEqual({});
  });
});

/** A judged step with these SLO outcomes (custom judge: the figures are the test's). */
function withSlos(rate: number, slos: Array<[string, number | null, boolean]>): CapacityStep {
  const j: SloJudge = () => slos.map(([source, measured, ok]) => ({ source, stat: source === KEEP_UP ? 'keepUp' : (source.split(' ')[0] as string), measured, status: ok ? 'green' : 'red' }));
  // No intervals: the implicit keep-up check is left out, the test's own list is all there is.
  return judgeStep(figures({ rate, intervals: [] }), rate, 'bisect', 1, j, PRECISION);
}

function found(list: CapacityStep[]): SearchOutcome {
  return { steps: list.map((s, k) => ({ ...s, index: k + 1 })), verdict: 'found' };
}

describe('summarizeCapacity: binding constraint and knee', () => {
  const p99 = (ms: number | null): [string, number | null, boolean] => ['p99 < 50ms', ms === null ? null : ms * MS, ms !== null && ms < 50];
  const err = (r: number): [string, number | null, boolean] => ['errorRate < 1%', r, r < 0.01];

  it('the binding SLO is the one that broke at the lowest valid rate, whatever order the steps ran in', () => {
    const s = [withSlos(400, [p99(10), err(0)]), withSlos(420, [p99(60), err(0)]), withSlos(800, [p99(900), err(0.5)])];
    // A step the generator could not drive, with a red p99 at 200/s, says nothing of the system.
    const invalid = judgeStep(figures({ rate: 200, p99Ms: 90, loopP99Ms: 80 }), 200, 'ramp', 1, judge, PRECISION);
    const c = summarizeCapacity(found([invalid, ...s]), HEAD);
    expect(c.binding).toEqual({ source: 'p99 < 50ms', stat: 'p99', rate: 420, measured: 60 * MS });
    expect(c.broken).toEqual([
      { source: 'p99 < 50ms', stat: 'p99', rate: 420 },
      { source: 'errorRate < 1%', stat: 'errorRate', rate: 800 },
    ]);
  });

  it('lists the broken SLOs by the rate they broke at, lowest first', () => {
    const keep = (f: number): [string, number | null, boolean] => [KEEP_UP, f, f >= 0.95];
    const s = [withSlos(400, [p99(10), err(0), keep(1)]), withSlos(800, [p99(900), err(0.5), keep(0.4)]), withSlos(600, [p99(10), err(0.5), keep(0.6)]), withSlos(420, [p99(10), err(0), keep(0.9)])];
    const c = summarizeCapacity(found(s), HEAD);
    expect(c.broken?.map((b) => `${b.stat} ${b.rate}`)).toEqual(['keepUp 420', 'errorRate 600', 'p99 800']);
    expect(c.binding?.source).toBe(KEEP_UP);
  });

  it('the binding figure is the one of a step where it broke, at the rate it first broke', () => {
    // 410/s passed once (0% errors) and failed once (5%); p99 holds throughout.
    const s = [withSlos(400, [p99(20), err(0)]), withSlos(410, [p99(20), err(0)]), withSlos(800, [p99(20), err(0.3)]), withSlos(410, [p99(20), err(0.05)]), withSlos(420, [p99(90), err(0)])];
    const c = summarizeCapacity(found(s), HEAD);
    expect(c.binding).toEqual({ source: 'errorRate < 1%', stat: 'errorRate', rate: 410, measured: 0.05 });
  });

  it('the binding figure comes from a step where the binding SLO itself broke, not another one', () => {
    // At 410/s errors broke in one step and p99 in another; p99 broke first overall (at 800/s, listed first).
    const s = [withSlos(400, [p99(20), err(0)]), withSlos(800, [p99(900), err(0)]), withSlos(410, [p99(20), err(0.05)]), withSlos(410, [p99(70), err(0)]), withSlos(420, [p99(90), err(0)])];
    const c = summarizeCapacity(found(s), HEAD);
    expect(c.binding).toEqual({ source: 'p99 < 50ms', stat: 'p99', rate: 410, measured: 70 * MS });
  });

  it('the knee\'s figures are the means of the binding SLO at each end; doubled is a cliff', () => {
    const s = [withSlos(400, [p99(10), err(0)]), withSlos(400, [p99(12), err(0)]), withSlos(420, [p99(60), err(0)]), withSlos(420, [p99(70), err(0)])];
    const c = summarizeCapacity(found(s), HEAD);
    expect(c.knee).toEqual({ shape: 'cliff', stat: 'p99', below: 11 * MS, above: 65 * MS, ratio: 65 / 11 });
  });

  it('for an SLO where more is better (keeping up), the knee compares the figure below with the one above', () => {
    const keep = (f: number): [string, number | null, boolean] => [KEEP_UP, f, f >= 0.95];
    const s = [withSlos(400, [p99(10), keep(1)]), withSlos(420, [p99(10), keep(0.5)])];
    const c = summarizeCapacity(found(s), HEAD);
    expect(c.knee).toEqual({ shape: 'cliff', stat: 'keepUp', below: 1, above: 0.5, ratio: 2 });
    const gentle = summarizeCapacity(found([withSlos(400, [p99(10), keep(1)]), withSlos(420, [p99(10), keep(0.8)])]), HEAD);
    expect(gentle.knee).toMatchObject({ shape: 'smooth', ratio: 1.25 });
  });

  it('"<=" is less-is-better too, and an SLO the head does not list counts as less-is-better', () => {
    const le = (ms: number): [string, number | null, boolean] => ['p99 <= 50ms', ms * MS, ms <= 50];
    const s = found([withSlos(400, [le(40)]), withSlos(420, [le(60)])]);
    expect(summarizeCapacity(s, { ...HEAD, slos: [parseSlo('p99 <= 50ms', 'load')] }).knee).toMatchObject({ shape: 'smooth', ratio: 1.5 });
    expect(summarizeCapacity(s, { ...HEAD, slos: [] }).knee).toMatchObject({ shape: 'smooth', ratio: 1.5 });
  });

  it('from no errors to some is a cliff with no finite ratio; none at either end is flat', () => {
    const rising = summarizeCapacity(found([withSlos(400, [p99(10), err(0)]), withSlos(420, [p99(10), err(0.2)])]), HEAD);
    expect(rising.knee).toEqual({ shape: 'cliff', stat: 'errorRate', below: 0, above: 0.2, ratio: null });
    // Errors broke at a rate between the ends (410/s, once); at both ends there were none.
    const flat = summarizeCapacity(
      found([withSlos(400, [p99(10), err(0)]), withSlos(410, [p99(10), err(0)]), withSlos(410, [p99(10), err(0.05)]), withSlos(420, [p99(90), err(0)])]),
      HEAD,
    );
    expect(flat.knee).toEqual({ shape: 'smooth', stat: 'errorRate', below: 0, above: 0, ratio: 1 });
  });

  it('a figure missing at one end (no successful request, no keep-up window) makes the knee a cliff of unknown ratio', () => {
    const noneOk = summarizeCapacity(found([withSlos(400, [p99(10), err(0)]), withSlos(420, [p99(null), err(1)])]), HEAD);
    expect(noneOk.knee).toEqual({ shape: 'cliff', stat: 'p99', below: 10 * MS, above: null, ratio: null });
    expect(noneOk.binding?.measured).toBeNull();
    const keep: [string, number | null, boolean] = [KEEP_UP, 0.5, false];
    const noWindow = summarizeCapacity(found([withSlos(400, [p99(10)]), withSlos(420, [p99(10), keep])]), HEAD);
    expect(noWindow.knee).toEqual({ shape: 'cliff', stat: 'keepUp', below: null, above: 0.5, ratio: null });
  });
});

describe('summarizeCapacity: what each verdict reports', () => {
  it('every step passing has no binding, no broken list and no knee', async () => {
    const out = await searchCapacity(scripted(() => 'pass'), { ...SETTINGS, maxRate: 300 });
    const c = summarizeCapacity(out, HEAD);
    expect(c.verdict).toBe('above-max-rate');
    expect(c.lowerBound).toBe(300);
    for (const key of ['binding', 'broken', 'knee', 'interval', 'capacity'] as const) expect(c[key]).toBeUndefined();
  });

  it('out of steps during the ramp: no interval, what it sustained', async () => {
    const out = await searchCapacity(scripted(knee(400)), { ...SETTINGS, maxSteps: 3 });
    const c = summarizeCapacity(out, { ...HEAD, settings: { ...SETTINGS, maxSteps: 3 } });
    expect(c.verdict).toBe('unresolved');
    expect(c.interval).toBeUndefined();
    expect(c.summary).toBe('no answer within 3 steps; it sustained 200/s; outcomes near the boundary kept changing: use a longer --step-duration or more --max-steps');
  });

  it('out of steps while halving: no interval (no rate passed), and nothing sustained', async () => {
    const out = await searchCapacity(scripted(knee(10)), { ...SETTINGS, startRate: 200, maxSteps: 2 });
    const c = summarizeCapacity(out, { ...HEAD, settings: { ...SETTINGS, maxSteps: 2 } });
    expect(c.interval).toBeUndefined();
    expect(c.summary).toBe('no answer within 2 steps; outcomes near the boundary kept changing: use a longer --step-duration or more --max-steps');
  });

  it('out of steps with a bracket: where the knee seemed to lie, but no capacity and no knee', async () => {
    const out = await searchCapacity(scripted(knee(400)), { ...SETTINGS, maxSteps: 8 });
    const c = summarizeCapacity(out, { ...HEAD, settings: { ...SETTINGS, maxSteps: 8 } });
    expect(c.interval).toEqual({ lower: 400, upper: 450 });
    expect(c.capacity).toBeUndefined();
    expect(c.knee).toBeUndefined();
    expect(c.summary).toBe(
      'no answer within 8 steps: the knee seemed to lie between 400/s and 450/s, unconfirmed; outcomes near the boundary kept changing: use a longer --step-duration or more --max-steps',
    );
  });

  it('interrupted with a bracket: no interval claimed; after one failing step, "1 step" and nothing sustained', async () => {
    let calls = 0;
    const cut = await searchCapacity(async (r, st, i) => (++calls > 7 ? undefined : scripted(knee(400))(r, st, i)), SETTINGS);
    const c = summarizeCapacity(cut, HEAD);
    expect(c.verdict).toBe('interrupted');
    expect(c.interval).toBeUndefined();
    expect(c.summary).toBe('interrupted after 7 steps; it sustained 400/s');
    calls = 0;
    const one = await searchCapacity(async (r, st, i) => (++calls > 1 ? undefined : scripted(knee(10))(r, st, i)), SETTINGS);
    expect(summarizeCapacity(one, HEAD).summary).toBe('interrupted after 1 step');
  });

  it('without a rate that always passed, what it sustained is the highest rate that passed at all', () => {
    const s = steps([300, 'pass'], [600, 'fail'], [450, 'fail'], [300, 'fail'], [150, 'pass'], [150, 'fail']);
    const c = summarizeCapacity({ steps: s, verdict: 'interrupted' }, HEAD);
    expect(bracket(s)).toEqual({ upper: 450 });
    expect(c.lowerBound).toBe(300);
    // With a rate that always passed, that rate, even when a higher one passed once.
    const t = steps([100, 'pass'], [300, 'pass'], [600, 'fail'], [300, 'fail']);
    expect(summarizeCapacity({ steps: t, verdict: 'interrupted' }, HEAD).lowerBound).toBe(100);
  });

  it('writes rates under 100/s with their significant digits', async () => {
    const out = await searchCapacity(scripted(knee(62)), { ...SETTINGS, startRate: 100, precision: 0.5 });
    expect(summarizeCapacity(out, HEAD).summary).toBe('capacity 62.5/s (knee between 50/s and 75/s); binding: p99 < 50ms broke first, at 75/s; cliff knee');
    const low = await searchCapacity(scripted(knee(20)), { ...SETTINGS, startRate: 12.5, maxRate: 12.5 });
    expect(summarizeCapacity(low, { ...HEAD, settings: { ...SETTINGS, maxRate: 12.5 } }).summary).toBe(
      'every step passed up to --max-rate 12.5/s: capacity is at least that (raise --max-rate)',
    );
  });
});

describe('searchCapacity: properties over many servers', () => {
  it('against a server with a sharp knee, the interval holds the knee, is --precision narrow and confirmed', async () => {
    await fc.assert(
      // From 10/s on: the scripted steps count completions in whole numbers per interval.
      fc.asyncProperty(fc.double({ min: 20, max: 20_000, noNaN: true }), fc.integer({ min: 10, max: 2_000 }), async (capacity, startRate) => {
        const out = await searchCapacity(scripted(knee(capacity)), { ...SETTINGS, startRate });
        const c = summarizeCapacity(out, HEAD);
        expect(c.verdict).toBe('found');
        const { lower, upper } = c.interval!;
        expect(lower).toBeLessThanOrEqual(capacity);
        expect(upper).toBeGreaterThan(capacity);
        expect(upper / lower - 1).toBeLessThanOrEqual(SETTINGS.precision + 1e-9);
        expect(c.capacity).toBeGreaterThanOrEqual(lower);
        expect(c.capacity).toBeLessThanOrEqual(upper);
        expect(out.steps.filter((s) => s.rate === lower && s.verdict === 'pass')).toHaveLength(SETTINGS.repeat);
        expect(out.steps.filter((s) => s.rate === upper && s.verdict === 'fail')).toHaveLength(SETTINGS.repeat);
      }),
      { numRuns: 25 },
    );
  });

  it('whatever a flaky server and generator do: within --max-steps, never past a rate it could not drive, a capacity inside its interval', async () => {
    const outcome = fc.constantFrom<Outcome>('pass', 'fail', 'invalid');
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 20, max: 2_000, noNaN: true }), fc.array(outcome, { minLength: 40, maxLength: 40 }), fc.double({ min: 0, max: 0.4, noNaN: true }), async (capacity, noise, flakiness) => {
        let k = 0;
        // Mostly the knee; now and then (flakiness) the scripted noise instead.
        const at = (rate: number): Outcome => {
          const n = noise[k++ % noise.length] as Outcome;
          return (k * 0.618) % 1 < flakiness ? n : knee(capacity)(rate);
        };
        const out = await searchCapacity(scripted(at), SETTINGS);
        expect(out.steps.length).toBeLessThanOrEqual(SETTINGS.maxSteps);
        // A rate invalid INVALID_ATTEMPTS times in a row is never offered again.
        const given = new Set<number>();
        let run = 0;
        out.steps.forEach((s, i) => {
          expect(given.has(s.rate)).toBe(false);
          run = i > 0 && out.steps[i - 1]!.rate === s.rate && s.stage === 'retry' ? run + 1 : 1;
          if (s.verdict === 'invalid' && run === 3) given.add(s.rate);
        });
        const c = summarizeCapacity(out, HEAD);
        if (c.verdict === 'found') {
          expect(c.capacity).toBeGreaterThanOrEqual(c.interval!.lower);
          expect(c.capacity).toBeLessThanOrEqual(c.interval!.upper);
          // Never above a rate that failed every time it ran.
          const { upper } = bracket(out.steps);
          expect(c.capacity).toBeLessThanOrEqual(upper!);
        }
        if (c.verdict === 'generator-bound') expect(c.capacity).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  });
});
