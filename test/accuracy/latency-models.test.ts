/**
 * Accuracy: does cluster-bench recover the latency the simulated transport was told to add?
 *
 * Two error sources are kept apart. Sampling error (2,000 or 4,000 draws of a lognormal do not
 * have exactly the model's quantiles) is fixed by the seed and checked at the sampler level.
 * Measurement error is what the runner adds on top: Node's timers (setTimeout fires on
 * libuv's millisecond clock: usually 0.1-1 ms late, occasionally up to ~1 ms early against a
 * fresh performance.now() because libuv compares with the loop time cached at the start of
 * the iteration), queueing on the one event loop the providers share with the load generator,
 * and the histogram's 3 significant digits (0.1 %). Every tolerance below names its parts; the
 * margins are sized for a shared 2-core machine where another process may hold a core.
 */
import { describe, expect, it } from 'vitest';
import type { LatencyModel } from '../../src/providers/config.js';
import { createLatencySampler } from '../../src/providers/llm/latency.js';
import { createRandom } from '../../src/providers/random.js';
import { TIMER_SLACK_MS, createSimulatedTransport } from '../../src/providers/llm/simulated-transport.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../src/providers/config.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { loadScenario, resolveScenarioRefs } from '../../src/scenarios/load.js';

const LOGNORMAL: LatencyModel = { model: 'lognormal', p50Ms: 5, p99Ms: 20 };

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/**
 * The built-in llm-call scenario, its first phase only, with `--set`-style overrides: the
 * same path `cluster-bench run llm-call --set ...` takes from text to a Scenario.
 */
function llmCall(set: string[]) {
  const [file] = resolveScenarioRefs(['llm-call']);
  const s = loadScenario(file as string, { set });
  return { ...s, phases: s.phases.slice(0, 1) };
}

/**
 * Whether the caller of setTimeout lives in a file whose name contains `file`. Reads raw call
 * sites: a formatted stack goes through the test runner's source maps and costs so much per
 * call (~100 us) that it would itself delay the timers being measured.
 */
function calledFrom(file: string): boolean {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_e, sites) => sites;
  Error.stackTraceLimit = 4;
  try {
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    return sites.some((s) => s.getFileName()?.includes(file) === true);
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/**
 * Runs the scenario and also returns the latencies the simulated transport planned (the
 * setTimeout delays it asked for), so the recovered figures can be held against the very
 * samples they should recover, with the sampling error taken out. Only the transport's
 * timers are collected (found by their call stack), whatever else the runner schedules.
 */
async function runWithPlannedDelays(scenario: ReturnType<typeof llmCall>, seed: number) {
  const planned: number[] = [];
  const original = globalThis.setTimeout;
  const spy = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    // The transport sets its timer TIMER_SLACK_MS short of the answer and waits out the rest
    // turn by turn; the planned latency is the timer's delay plus that slack (delays below
    // the slack start at 0 and read as the slack: 2 % of this model's draws, far from p50/p99).
    if (typeof ms === 'number' && calledFrom('simulated-transport')) planned.push(ms + TIMER_SLACK_MS);
    return original(fn, ms, ...rest);
  }) as typeof setTimeout;
  globalThis.setTimeout = spy;
  try {
    const result = await runScenario(scenario, { seed });
    return { result, planned };
  } finally {
    globalThis.setTimeout = original;
  }
}

/**
 * Another process taking a core can only ever add latency, never remove it. So a run that
 * lands inside the bounds is a valid measurement, and one that lands above them may be the
 * machine: up to five runs with the same seed (the same samples each time) tell a busy
 * machine, which clears on a later run, from a broken measurement, which misses every time.
 */
async function untilInBounds<T>(run: () => Promise<T>, inBounds: (r: T) => boolean, attempts = 5): Promise<T> {
  let last: T | undefined;
  for (let k = 0; k < attempts; k++) {
    last = await run();
    if (inBounds(last)) return last;
  }
  return last as T;
}

describe('latency sampler: seeded and true to its model', () => {
  it('draws the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const sample = createLatencySampler(LOGNORMAL, createRandom(seed));
      return Array.from({ length: 1_000 }, () => sample());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });

  it('has the lognormal quantiles it was given (100,000 draws)', () => {
    const sample = createLatencySampler(LOGNORMAL, createRandom(7));
    const xs = Array.from({ length: 100_000 }, () => sample()).sort((a, b) => a - b);
    // Standard errors at n = 100,000: p50 0.016 ms (0.3 %), p99 0.14 ms (0.7 %). The bounds
    // are ~6 standard errors wide, so only a wrong model (mu or sigma) can miss them.
    expect(quantile(xs, 0.5)).toBeGreaterThan(4.9);
    expect(quantile(xs, 0.5)).toBeLessThan(5.1);
    expect(quantile(xs, 0.99)).toBeGreaterThan(19.2);
    expect(quantile(xs, 0.99)).toBeLessThan(20.8);
  });
});

describe('simulated transport: --seed replays the same latencies and answers', () => {
  async function session(seed: number) {
    const delays: number[] = [];
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      if (typeof ms === 'number') delays.push(ms);
      // The answers are what matters here, not the wait: fire at once.
      return original(fn, 0, ...rest);
    }) as typeof setTimeout;
    const t = createSimulatedTransport({ ...DEFAULT_PROVIDERS_CONFIG.llm, latency: LOGNORMAL }, { random: createRandom(seed) });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 50; i++) {
        answers.push(await t.send(JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: `question number ${i} about session expiry` }] })));
      }
      // `created` is wall-clock seconds; everything else in the answer comes from the seed.
      return { delays, answers: answers.map((a) => a.replace(/"created":\d+/, '"created":0')) };
    } finally {
      globalThis.setTimeout = original;
      await t.close();
    }
  }

  it('same seed: identical latencies and answers; another seed: different ones', async () => {
    const a = await session(11);
    const b = await session(11);
    const c = await session(12);
    expect(a.delays).toHaveLength(50);
    expect(b).toEqual(a);
    expect(c.delays).not.toEqual(a.delays);
    expect(c.answers).not.toEqual(a.answers);
  });
});

describe('recovered latency through the real runner', () => {
  it('fixed 5 ms: p50 within 4.9-5.6 ms', async () => {
    // 400 calls, 4 at a time: 100 rounds of ~5.3 ms, under a second.
    const scenario = llmCall(['providers.llm.latency=5ms', 'phases.0.executor.iterations=400', 'phases.0.executor.concurrency=4', 'phases.0.warmup=20']);
    const inBounds = (p50: number) => p50 >= 4_900_000 && p50 <= 5_600_000;
    const { result, planned } = await untilInBounds(
      () => runWithPlannedDelays(scenario, 1),
      (r) => inBounds(r.result.phases[0]?.latency.p50 ?? 0),
    );
    const phase = result.phases[0]!;
    expect(result.failure).toBeUndefined();
    expect(phase.errors).toBe(0);
    expect(phase.latency.count).toBe(400);
    expect(planned.every((ms) => ms === 5)).toBe(true);
    // The measured value is what the call really took, timer included. On these machines
    // p50 is 5.25-5.35 ms: setTimeout(5) wakes on a whole-millisecond poll after its due time.
    // Lower bound 4.9: a median cannot sit much below 5 ms, as early firings (cached loop
    // time) are the exception. Upper bound 5.6: 0.3 ms of slack above the usual overshoot for
    // a busy machine; a latency measured from the wrong instant (e.g. including the warm-up
    // or the think time of the next call) or in the wrong unit lands far outside.
    expect(phase.latency.p50).toBeGreaterThanOrEqual(4_900_000);
    expect(phase.latency.p50).toBeLessThanOrEqual(5_600_000);
    // No call can be recorded as much faster than its timer allows (at most ~1 ms early).
    expect(phase.latency.min).toBeGreaterThan(3_900_000);
  });

  it('lognormal p50 5 ms / p99 20 ms: the p50 and p99 of the 4,000 delays drawn are recovered, 50 in flight', async () => {
    // 4,000 calls, 50 in flight: ~80 rounds of ~6 ms, about 0.65 s. 50 in flight keep the event
    // loop ~10 % busy. How close the recovered figures come to the model itself (p50 < 6 ms with
    // 50 in flight) is a performance claim of a quiet machine: `npm run bench` (accuracy) prints
    // it. Here they are held against the very samples the transport drew, which takes the
    // sampling error out and leaves the timers' and the measurement's.
    const scenario = llmCall(['providers.llm.latency=lognormal(5ms,20ms)', 'phases.0.executor.iterations=4000', 'phases.0.executor.concurrency=50', 'phases.0.warmup=50']);
    const figures = async () => {
      const { result, planned } = await runWithPlannedDelays(scenario, 1);
      // What the transport was asked to wait (the measured phase's calls are the last 4,000).
      const samples = planned.slice(-4_000).sort((a, b) => a - b);
      const phase = result.phases[0]!;
      return { result, phase, plannedP50: quantile(samples, 0.5), plannedP99: quantile(samples, 0.99), p50: phase.latency.p50 / 1e6, p99: phase.latency.p99 / 1e6 };
    };
    const { result, phase, plannedP50, plannedP99, p50, p99 } = await untilInBounds(figures, (f) => f.p50 - f.plannedP50 < 1.2 && f.p99 - f.plannedP99 < 3);
    expect(result.failure).toBeUndefined();
    expect(phase.errors).toBe(0);
    expect(phase.latency.count).toBe(4_000);
    // The draws themselves are the model's (seed 1; sampling error at n = 4,000 is checked
    // above at the sampler level): a wrong model or unit in the transport fails here.
    expect(plannedP50).toBeGreaterThan(4.7);
    expect(plannedP50).toBeLessThan(5.3);

    // Node runs a timer once libuv's loop clock, whole milliseconds cached at the start of a
    // loop iteration, has moved by the delay: a fractional delay waits for the next whole
    // millisecond, while the stale start can make it fire up to ~1 ms early against a fresh
    // performance.now(). Observed here: p50 -0.3 to +0.5 ms, p99 -0.1 to +1.1 ms. Allowed:
    // -0.6 to +1.2 ms (p50) and -1.2 to +3 ms (p99, which moves with single samples); a busy
    // machine only adds, and untilInBounds gives it five tries with the same draws.
    expect(p50 - plannedP50).toBeGreaterThan(-0.6);
    expect(p50 - plannedP50).toBeLessThan(1.2);
    expect(p99 - plannedP99).toBeGreaterThan(-1.2);
    expect(p99 - plannedP99).toBeLessThan(3);
  });
});
