/**
 * The capacity search against synthetic servers: no clock, no providers. A synthetic step is
 * what the rate executor would report for a server of known capacity, so the tests can say
 * exactly where the knee must be found, and what the generator checks must make of a step.
 */
import { describe, expect, it } from 'vitest';
import type { CapacitySettings, CapacityStep, IntervalSample, LatencySummary, PhaseResult, StepSlo } from '../../src/results/types.js';
import {
  DEFAULT_CAPACITY_SETTINGS,
  INVALID_ATTEMPTS,
  bracket,
  judgeStep,
  keepUpSlo,
  roundRate,
  searchCapacity,
  summarizeCapacity,
  type MeasureStep,
  type SloJudge,
} from '../../src/runner/capacity.js';
import { evaluateStepSlos, parseSlo } from '../../src/targets/slo.js';

function summary(p50Ns: number, p99Ns: number, count = 100): LatencySummary {
  return { unit: 'ns', count, min: p50Ns / 2, mean: p50Ns, stddev: 0, p50: p50Ns, p90: p99Ns, p95: p99Ns, p99: p99Ns, p999: p99Ns, max: p99Ns, histogram: 'HISTFAAA' };
}

interface Synthetic {
  rate: number;
  windowMs?: number;
  p50Ms?: number;
  p99Ms: number;
  /** From the actual start (default: the same as p99Ms: no start lateness). */
  serviceP99Ms?: number;
  /** Completions per second during the window (default: the rate). */
  completed?: number;
  errorRate?: number;
  late?: number;
  maxLateMs?: number;
  dropped?: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  interrupted?: boolean;
}

/** What runPhase would return for a step with these figures. */
function phase(s: Synthetic): PhaseResult {
  const windowMs = s.windowMs ?? 2000;
  const count = Math.round((s.rate * windowMs) / 1000);
  const completed = s.completed ?? s.rate;
  const intervals: IntervalSample[] = [0, 1, 2, 3, 4].map((k) => ({
    tMs: (k + 1) * (windowMs / 5),
    durationMs: windowMs / 5,
    count: Math.round((completed * windowMs) / 5000),
    errors: 0,
    throughput: completed,
    p50: 0,
    p99: 0,
  }));
  const errors = Math.round(count * (s.errorRate ?? 0));
  return {
    name: 'step',
    op: 'llm.call',
    description: '',
    executor: { kind: 'rate', rate: s.rate, durationMs: windowMs, maxInFlight: 10_000 },
    warmup: 0,
    timeoutMs: 30_000,
    count,
    errors,
    errorsByKind: errors > 0 ? { LLM_OVERLOADED: errors } : {},
    errorRate: count > 0 ? errors / count : 0,
    durationMs: windowMs,
    throughput: completed,
    latency: summary((s.p50Ms ?? s.p99Ms / 2) * 1e6, s.p99Ms * 1e6, count - errors),
    serviceTime: summary((s.p50Ms ?? s.p99Ms / 2) * 1e6, (s.serviceP99Ms ?? s.p99Ms) * 1e6, count - errors),
    batchTimed: false,
    schedule: { late: s.late ?? 0, dropped: s.dropped ?? 0, maxLateNs: (s.maxLateMs ?? ((s.late ?? 0) > 0 ? 30 : 0)) * 1e6 },
    intervals,
    health: { eventLoopP99Ns: (s.loopP99Ms ?? 1) * 1e6, eventLoopMaxNs: (s.loopMaxMs ?? Math.max(2, s.loopP99Ms ?? 0)) * 1e6, warnings: [] },
    ...(s.interrupted ? { interrupted: true } : {}),
  };
}

const P99 = parseSlo('p99 < 50ms', 'load');
const ERRORS = parseSlo('errorRate < 1%', 'load');
const judge: SloJudge = (p) => evaluateStepSlos([P99, ERRORS], p);
const PRECISION = DEFAULT_CAPACITY_SETTINGS.precision;

/**
 * A server of `capacity` requests/s with a 10 ms service time, seen through 2-second steps:
 * below capacity p99 stays at 10 ms; above, the queue grows by (rate - capacity) per second,
 * so the last requests wait (rate - capacity) x 2 s / capacity, and completions stay at capacity.
 */
function server(capacity: number, extra: (rate: number) => Partial<Synthetic> = () => ({})): MeasureStep {
  return async (rate, stage, index) => {
    const over = Math.max(0, rate - capacity);
    const waitMs = (over * 2 * 1000) / capacity;
    const s: Synthetic = { rate, p99Ms: 10 + waitMs, completed: Math.min(rate, capacity), ...extra(rate) };
    return judgeStep(phase(s), rate, stage, index, judge, PRECISION);
  };
}

const SETTINGS: CapacitySettings = { ...DEFAULT_CAPACITY_SETTINGS, startRate: 50 };

describe('judgeStep: pass, fail or invalid', () => {
  it('passes a step within its SLOs, and fails one that misses one (the SLO named in the reasons)', () => {
    const ok = judgeStep(phase({ rate: 100, p99Ms: 12 }), 100, 'ramp', 1, judge, PRECISION);
    expect(ok.verdict).toBe('pass');
    expect(ok.slos.map((x) => x.status)).toEqual(['green', 'green', 'green']);
    const slow = judgeStep(phase({ rate: 500, p99Ms: 80 }), 500, 'ramp', 2, judge, PRECISION);
    expect(slow.verdict).toBe('fail');
    expect(slow.reasons).toEqual(['p99 < 50ms missed']);
    const refusing = judgeStep(phase({ rate: 500, p99Ms: 12, errorRate: 0.2 }), 500, 'ramp', 3, judge, PRECISION);
    expect(refusing.verdict).toBe('fail');
    expect(refusing.reasons).toEqual(['errorRate < 1% missed']);
  });

  it('fails a step that does not keep up, even when its latency still looks fine', () => {
    const s = judgeStep(phase({ rate: 500, p99Ms: 40, completed: 420 }), 500, 'bisect', 1, judge, PRECISION);
    expect(s.verdict).toBe('fail');
    const keep = s.slos.find((x) => x.stat === 'keepUp')!;
    expect(keep.measured).toBeCloseTo(0.84, 2);
    expect(keep.status).toBe('red');
    expect(keepUpSlo(0.05).source).toBe('keeps up (completes >= 95% of the offered rate)');
  });

  it('judges keeping up only once the first requests can have finished (long latencies)', () => {
    // A 1 s median latency in a 2 s window: nothing completes in the first second, so the
    // completion rate of the window says nothing about keeping up: the check is left out.
    const p = phase({ rate: 100, p50Ms: 1000, p99Ms: 1100 });
    p.intervals = p.intervals!.map((i, k) => (k < 2 ? { ...i, count: 0, throughput: 0 } : k === 2 ? { ...i, count: 20, throughput: 50 } : i));
    const s = judgeStep(p, 100, 'ramp', 1, (x) => evaluateStepSlos([parseSlo('p99 < 2s', 'load')], x), PRECISION);
    expect(s.slos.map((x) => x.stat)).toEqual(['p99']);
    expect(s.verdict).toBe('pass');
    // With a 100 ms median the same window is judged, from its second half on.
    const q = phase({ rate: 100, p50Ms: 100, p99Ms: 150, completed: 80 });
    expect(judgeStep(q, 100, 'ramp', 1, (x) => evaluateStepSlos([parseSlo('p99 < 2s', 'load')], x), PRECISION).slos[1]).toMatchObject({ stat: 'keepUp', status: 'red' });
  });

  it('calls a saturated event loop invalid, pass or fail', () => {
    const s = judgeStep(phase({ rate: 100, p99Ms: 12, loopP99Ms: 80, loopMaxMs: 90 }), 100, 'ramp', 1, judge, PRECISION);
    expect(s.verdict).toBe('invalid');
    expect(s.reasons[0]).toMatch(/^load generator was the limit: event loop saturated \(delay p99 80 ms\)/);
  });

  it('dropped arrivals void a pass, but not a fail (they could only have made it worse)', () => {
    expect(judgeStep(phase({ rate: 100, p99Ms: 12, dropped: 5 }), 100, 'ramp', 1, judge, PRECISION).verdict).toBe('invalid');
    const f = judgeStep(phase({ rate: 900, p99Ms: 900, dropped: 5 }), 900, 'ramp', 1, judge, PRECISION);
    expect(f.verdict).toBe('fail');
    expect(f.reasons).toContain('5 arrivals dropped at maxInFlight');
  });

  it('a failure the tool\'s own lateness or stall explains is invalid; a real queue is a failure', () => {
    // Late starts: 60 ms from the scheduled start, 20 ms from the actual one.
    const late = judgeStep(phase({ rate: 300, p99Ms: 60, serviceP99Ms: 20, late: 100 }), 300, 'ramp', 1, judge, PRECISION);
    expect(late.verdict).toBe('invalid');
    expect(late.reasons[0]).toMatch(/within the tool's own delays/);
    // A 30 ms stall of our own event loop delayed answers by up to that: 70 - 30 < 50.
    const stall = judgeStep(phase({ rate: 300, p99Ms: 70, loopMaxMs: 30 }), 300, 'ramp', 1, judge, PRECISION);
    expect(stall.verdict).toBe('invalid');
    // The server's own queue shows from the actual start too, and beyond any stall: a failure.
    const queue = judgeStep(phase({ rate: 300, p99Ms: 150, serviceP99Ms: 148, late: 100, loopMaxMs: 20 }), 300, 'ramp', 1, judge, PRECISION);
    expect(queue.verdict).toBe('fail');
  });

  it('a generator that fell behind its schedule cannot fail the keep-up check; a server that did can', () => {
    // Starts up to 200 ms late: 1.2 s of the window at 300/s completes up to 60 fewer. 255/s is within that.
    const behind = judgeStep(phase({ rate: 300, p99Ms: 20, completed: 255, late: 200, maxLateMs: 200 }), 300, 'ramp', 1, judge, PRECISION);
    expect(behind.verdict).toBe('invalid');
    // On schedule, the same shortfall is the system's.
    const slow = judgeStep(phase({ rate: 300, p99Ms: 20, completed: 255 }), 300, 'ramp', 1, judge, PRECISION);
    expect(slow.verdict).toBe('fail');
  });

  it('an interrupted step is invalid and says so', () => {
    const s = judgeStep(phase({ rate: 100, p99Ms: 12, interrupted: true }), 100, 'ramp', 1, judge, PRECISION);
    expect(s.verdict).toBe('invalid');
    expect(s.interrupted).toBe(true);
  });
});

describe('searchCapacity', () => {
  it('finds a 400/s knee: doubling, then bisection, then both ends confirmed', async () => {
    const out = await searchCapacity(server(400), SETTINGS);
    expect(out.verdict).toBe('found');
    const stages = out.steps.map((s) => `${s.stage} ${s.rate} ${s.verdict}`);
    expect(stages.slice(0, 5)).toEqual(['ramp 50 pass', 'ramp 100 pass', 'ramp 200 pass', 'ramp 400 pass', 'ramp 800 fail']);
    const { lower, upper } = bracket(out.steps);
    expect(lower).toBeLessThanOrEqual(400);
    expect(upper).toBeGreaterThan(400);
    expect(upper! / lower! - 1).toBeLessThanOrEqual(SETTINGS.precision);
    // Each end measured `repeat` times, with the same outcome.
    expect(out.steps.filter((s) => s.rate === lower).length).toBe(SETTINGS.repeat);
    expect(out.steps.filter((s) => s.rate === upper).length).toBe(SETTINGS.repeat);
    expect(out.steps.length).toBeLessThan(16);

    const c = summarizeCapacity(out, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    expect(c.capacity).toBeGreaterThan(lower!);
    expect(c.capacity).toBeLessThan(upper!);
    expect(Math.abs(c.capacity! / 400 - 1)).toBeLessThan(0.05);
    expect(c.interval).toEqual({ lower, upper });
    expect(c.summary).toMatch(/^capacity \d+\/s \(knee between 400\/s and \d+\/s\)/);
  });

  it('names the binding constraint (the SLO that broke at the lowest rate) and the knee\'s shape', async () => {
    const out = await searchCapacity(server(400), SETTINGS);
    const c = summarizeCapacity(out, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    // Both the p99 and the keep-up check break above 400/s; the queue fails keep-up first here
    // (5% of completions missing happens before 40 ms of queueing in 2 s).
    expect(c.binding?.rate).toBe(c.interval?.upper);
    expect(c.broken?.map((b) => b.source)).toContain('p99 < 50ms');
    expect(c.knee?.shape).toBeDefined();

    // A fixed 10 ms below the knee and far beyond right above it: a cliff.
    const cliff = await searchCapacity(async (rate, stage, index) => judgeStep(phase({ rate, p99Ms: rate <= 400 ? 10 : 400 }), rate, stage, index, judge, PRECISION), SETTINGS);
    const k = summarizeCapacity(cliff, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    expect(k.binding?.source).toBe('p99 < 50ms');
    expect(k.knee?.shape).toBe('cliff');
    expect(k.knee?.ratio).toBeCloseTo(40, 5);

    // p99 climbing steadily with the rate: smooth.
    const slope = await searchCapacity(async (rate, stage, index) => judgeStep(phase({ rate, p99Ms: rate / 8 }), rate, stage, index, judge, PRECISION), SETTINGS);
    const sm = summarizeCapacity(slope, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    expect(sm.knee?.shape).toBe('smooth');
    expect(sm.capacity).toBeGreaterThan(380);
    expect(sm.capacity).toBeLessThan(420);
  });

  it('ends "generator-bound" at the rate the tool could not drive, never with a knee', async () => {
    // A server without limit; the generator saturates from 3,000/s on.
    const measure = server(Number.POSITIVE_INFINITY, (rate) => (rate >= 3000 ? { loopP99Ms: 120, p99Ms: 200 } : {}));
    const out = await searchCapacity(measure, SETTINGS);
    expect(out.verdict).toBe('generator-bound');
    expect(out.generatorBoundAt).toBe(3200);
    expect(out.steps.filter((s) => s.rate === 3200)).toHaveLength(INVALID_ATTEMPTS);
    expect(out.steps.every((s) => s.verdict !== 'fail')).toBe(true);
    const c = summarizeCapacity(out, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    expect(c.capacity).toBeUndefined();
    expect(c.lowerBound).toBe(1600);
    expect(c.summary).toMatch(/^generator-bound at 3,200\/s: the load generator, not the system, was the limit; it sustained 1,600\/s/);
    expect(c.summary).toContain('--workers');
  });

  it('retries an invalid step and goes on when the retry is valid', async () => {
    let hiccup = true;
    const measure = server(400, (rate) => {
      if (rate === 200 && hiccup) {
        hiccup = false;
        return { loopP99Ms: 90 };
      }
      return {};
    });
    const out = await searchCapacity(measure, SETTINGS);
    expect(out.verdict).toBe('found');
    expect(out.steps.slice(2, 4).map((s) => `${s.stage} ${s.rate} ${s.verdict}`)).toEqual(['ramp 200 invalid', 'retry 200 pass']);
  });

  it('steps around rates inside the bracket it cannot drive, and says what precision that cost', async () => {
    // 600/s cannot be driven: the search tries 700/s (fails: narrows the top), then goes on.
    const one = await searchCapacity(server(400, (rate) => (rate === 600 ? { loopP99Ms: 90 } : {})), SETTINGS);
    expect(one.verdict).toBe('found');
    expect(one.steps.filter((s) => s.rate === 600).map((s) => s.verdict)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(one.steps.find((s) => s.rate === 700)?.verdict).toBe('fail');
    const b = bracket(one.steps);
    expect(b.upper! / b.lower! - 1).toBeLessThanOrEqual(SETTINGS.precision);
    // Nothing between 400/s and 800/s can be driven: after two tries it settles for that interval.
    const none = await searchCapacity(server(400, (rate) => (rate > 400 && rate < 800 ? { loopP99Ms: 90 } : {})), SETTINGS);
    expect(none.verdict).toBe('found');
    expect(bracket(none.steps)).toEqual({ lower: 400, upper: 800 });
    expect(none.notes).toEqual([
      'steps at 600/s and 700/s were invalid 3 times each (the load generator\'s own delays): the interval rests on the valid steps only, and may be wider or less confirmed than asked',
    ]);
  });

  it('an end it cannot confirm stands on its valid step; the other end is still confirmed', async () => {
    let stuck: number | undefined;
    const measure: MeasureStep = async (rate, stage, index) => {
      if (stage === 'confirm' && stuck === undefined) stuck = rate;
      return server(400, (r) => (r === stuck ? { loopP99Ms: 90 } : {}))(rate, stage, index);
    };
    const out = await searchCapacity(measure, SETTINGS);
    expect(out.verdict).toBe('found');
    const { lower, upper } = bracket(out.steps);
    expect(lower).toBe(stuck);
    expect(out.steps.filter((s) => s.rate === upper && s.verdict === 'fail')).toHaveLength(SETTINGS.repeat);
    expect(out.notes?.[0]).toMatch(new RegExp(`^steps at ${stuck}/s were invalid 3 times`));
  });

  it('goes down when the first step already fails, up to --max-rate when nothing fails', async () => {
    const down = await searchCapacity(server(40), { ...SETTINGS, startRate: 200 });
    expect(down.steps.slice(0, 4).map((s) => `${s.rate} ${s.verdict}`)).toEqual(['200 fail', '100 fail', '50 fail', '25 pass']);
    expect(down.verdict).toBe('found');
    const top = await searchCapacity(server(1e9), { ...SETTINGS, maxRate: 300 });
    expect(top.verdict).toBe('above-max-rate');
    expect(top.steps.map((s) => s.rate)).toEqual([50, 100, 200, 300]);
    const none = await searchCapacity(server(0.5), { ...SETTINGS, startRate: 4, minRate: 1 });
    expect(none.verdict).toBe('below-min-rate');
  });

  it('widens the bracket when an end changes its mind on a second look', async () => {
    // The lower end passes when first measured and fails when confirmed: no longer an end.
    let flaky: number | undefined;
    const measure: MeasureStep = async (rate, stage, index) => {
      if (stage === 'confirm' && flaky === undefined) flaky = rate;
      const fails = rate > 420 || rate === flaky;
      return judgeStep(phase({ rate, p99Ms: fails ? 90 : 10 }), rate, stage, index, judge, PRECISION);
    };
    const out = await searchCapacity(measure, SETTINGS);
    expect(out.verdict).toBe('found');
    expect(flaky).toBeDefined();
    const { lower, upper } = bracket(out.steps);
    expect(lower).toBeLessThan(flaky!);
    expect(upper).toBeGreaterThan(420);
    const c = summarizeCapacity(out, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    // The flaky rate passed once and failed once: the estimate crosses one half there.
    expect(c.capacity).toBeCloseTo(flaky!, 6);
  });

  it('stops at --max-steps ("unresolved") and on interruption, keeping the steps so far', async () => {
    const few = await searchCapacity(server(400), { ...SETTINGS, maxSteps: 6 });
    expect(few.verdict).toBe('unresolved');
    expect(few.steps).toHaveLength(6);
    let calls = 0;
    const stopping: MeasureStep = async (rate, stage, index) => (++calls > 3 ? undefined : server(400)(rate, stage, index));
    const cut = await searchCapacity(stopping, SETTINGS);
    expect(cut.verdict).toBe('interrupted');
    expect(cut.steps).toHaveLength(3);
    const c = summarizeCapacity(cut, { phase: 'load', op: 'llm.call', slos: [P99, ERRORS, keepUpSlo(PRECISION)], settings: SETTINGS });
    expect(c.summary).toBe('interrupted after 3 steps; it sustained 200/s');
  });

  it('keeps rates to 3 significant digits', () => {
    expect(roundRate(412.5)).toBe(413);
    expect(roundRate(1234.5)).toBe(1230);
    expect(roundRate(3.14159)).toBe(3.14);
  });
});

/** The steps' SLO outcome lists carry every SLO, for the report's binding-constraint line. */
function sources(step: CapacityStep): string[] {
  return step.slos.map((s: StepSlo) => s.source);
}

it('every judged step lists the SLOs it was held to, the implicit keep-up check last', () => {
  const s = judgeStep(phase({ rate: 100, p99Ms: 12 }), 100, 'ramp', 1, judge, PRECISION);
  expect(sources(s)).toEqual(['p99 < 50ms', 'errorRate < 1%', 'keeps up (completes >= 95% of the offered rate)']);
});
