/**
 * Results with real encoded histograms, for the HTML report (its spectra decode them): an
 * agent phase with step histograms, an open-model phase with service time, a phase that
 * never succeeded, and long phases with a bounded time series. Values come from a seeded
 * generator, so the pages are the same on every run.
 */
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import type { HtmlAssets } from '../../src/report/html-assets.js';
import type { ChartSpec } from '../../src/report/html.js';
import type { IntervalSample, LatencySummary, PhaseResult, RunResult, ScenarioResult, TargetResult } from '../../src/results/types.js';
import { FIXTURE } from './fixture.js';

/** Small fixed assets: the page's structure is tested without the real uPlot in every string. */
export const STUB: HtmlAssets = { uplotJs: 'window.uPlot = function () {}; /* stub */', uplotCss: '.uplot { display: block }', uplotLicense: 'MIT (stub)', uplotVersion: '0.0.0-stub' };

/** The chart specs a page embeds, in page order. */
export function charts(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="cb-data">(.*?)<\/script>/s.exec(html);
  if (!m) throw new Error('no chart data in the page');
  return (JSON.parse(m[1]!) as { charts: ChartSpec[] }).charts;
}

const MS = 1e6;
const MB = 1024 * 1024;

/** Park-Miller: deterministic, no dependency. */
function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

/** A real summary of `count` values from a lognormal-ish distribution around `medianNs`, with a tail. */
export function summary(count: number, medianNs: number, seed: number, tailEvery = 0, tailNs = 0): LatencySummary {
  const next = rng(seed);
  const r = new LatencyRecorder();
  try {
    for (let i = 0; i < count; i++) {
      const u = next();
      const v = tailEvery > 0 && i % tailEvery === tailEvery - 1 ? tailNs * (0.8 + 0.4 * u) : medianNs * Math.exp((u - 0.5) * 1.6);
      r.record(Math.max(1, Math.round(v)));
    }
    return r.summarize();
  } finally {
    r.destroy();
  }
}

function phase(p: Partial<PhaseResult> & Pick<PhaseResult, 'name' | 'op' | 'latency'>): PhaseResult {
  return {
    description: '',
    executor: { kind: 'iterations', iterations: p.latency.count, concurrency: 1 },
    warmup: 0,
    timeoutMs: 30_000,
    count: p.latency.count,
    errors: 0,
    errorsByKind: {},
    errorRate: 0,
    durationMs: 1000,
    throughput: p.latency.count,
    batchTimed: false,
    ...p,
  };
}

function target(t: Partial<TargetResult> & Pick<TargetResult, 'metric' | 'source' | 'phase' | 'stat' | 'measured' | 'current' | 'target' | 'status'>): TargetResult {
  return { unit: 'ns', comparator: '<', ...t };
}

/** `n` intervals of `everyMs`, with a slow heap creep and one p99 spike. */
export function intervals(n: number, everyMs: number, seed: number): IntervalSample[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    tMs: (i + 1) * everyMs,
    durationMs: everyMs,
    count: Math.round((everyMs / 1000) * 50 * (0.95 + 0.1 * next())),
    errors: i % 97 === 0 ? 1 : 0,
    throughput: 50 * (0.95 + 0.1 * next()),
    p50: 8 * MS * (0.9 + 0.2 * next()),
    p99: (i === Math.floor(n / 2) ? 400 : 30) * MS * (0.9 + 0.2 * next()),
    heapUsed: (40 + (i / n) * 3) * MB,
    rss: (120 + (i / n) * 4) * MB,
    eventLoopP99: 2 * MS * (0.8 + 0.4 * next()),
  }));
}

const providers = FIXTURE.scenarios[0]!.providers;

const agentScenario: ScenarioResult = {
  name: 'agent',
  description: 'Agent executions with tool calls, then an open-model phase',
  source: 'builtin:agent',
  startedAt: '2026-11-25T10:00:00.000Z',
  durationMs: 4_000,
  providers,
  phases: [
    phase({
      name: 'execute',
      op: 'agent.execute',
      latency: summary(1000, 3 * MS, 1, 100, 40 * MS),
      steps: { llm: summary(3000, 0.9 * MS, 2), tool: summary(2000, 20_000, 3), memory: summary(1000, 4_000, 4) },
    }),
    phase({
      name: 'open',
      op: 'agent.execute',
      executor: { kind: 'rate', rate: 500, durationMs: 2000, maxInFlight: 100 },
      latency: summary(1000, 4 * MS, 5, 50, 120 * MS),
      serviceTime: summary(1000, 3 * MS, 6),
      schedule: { late: 20, dropped: 0, maxLateNs: 110 * MS },
    }),
    phase({ name: 'never', op: 'agent.execute', latency: { ...summary(0, 1, 7) }, count: 5, errors: 5, errorsByKind: { tool_error: 5 }, errorRate: 1 }),
  ],
  targets: [
    target({ metric: 'agent execution', source: 'execute p99 < 100ms / < 50ms', phase: 'execute', stat: 'p99', measured: 38 * MS, current: 100 * MS, target: 50 * MS, status: 'green' }),
    target({ metric: 'agent execution (open)', source: 'open p99 < 100ms / < 100ms', phase: 'open', stat: 'p99', measured: 130 * MS, current: 100 * MS, target: 100 * MS, status: 'red' }),
    target({ metric: 'concurrent throughput', source: 'open throughput > 400/s / > 490/s', phase: 'open', stat: 'throughput', measured: 497, unit: 'per_s', comparator: '>', current: 400, target: 490, status: 'green' }),
  ],
  memory: [
    { label: 'baseline', heapUsed: 10 * MB, rss: 60 * MB },
    { label: 'after open', heapUsed: 14 * MB, rss: 70 * MB },
  ],
};

function soakScenario(n: number): ScenarioResult {
  return {
    name: 'soak',
    description: 'Agent requests at 50/s (open model)',
    source: 'builtin:soak',
    startedAt: '2026-11-25T10:00:05.000Z',
    durationMs: n * 10_000,
    providers,
    phases: [
      phase({
        name: 'soak',
        op: 'agent.execute',
        executor: { kind: 'rate', rate: 50, durationMs: n * 10_000, maxInFlight: 1000 },
        latency: summary(50_000, 8 * MS, 8, 1000, 300 * MS),
        serviceTime: summary(50_000, 7 * MS, 9),
        steps: { llm: summary(150_000, 2 * MS, 10), tool: summary(100_000, 30_000, 11), memory: summary(50_000, 5_000, 12) },
        intervals: intervals(n, 10_000, 13),
        intervalMs: 10_000,
        leak: { verdict: 'no leak', samples: Math.floor(n / 2), slopeBytesPerHour: 120_000, r2: 0.12, thresholdBytesPerHour: 5 * MB },
        drift: { verdict: 'stable', samples: n, firstThirdP99Ns: 30 * MS, lastThirdP99Ns: 31 * MS, ratio: 1.03, threshold: 1.5 },
      }),
    ],
    targets: [target({ metric: 'agent execution during soak', source: 'soak p99 < 100ms / < 50ms', phase: 'soak', stat: 'p99', measured: 32 * MS, current: 100 * MS, target: 50 * MS, status: 'green' })],
    memory: [],
  };
}

/** An agent scenario and a soak of `soakIntervals` intervals (the runner keeps at most 1,000). */
export function htmlFixture(soakIntervals = 360): RunResult {
  return {
    ...FIXTURE,
    command: 'cluster-bench run agent soak --seed 7',
    seed: 7,
    scenarios: [agentScenario, soakScenario(soakIntervals)],
    gate: { strict: false, enabled: true, passed: false, counts: { green: 3, yellow: 0, red: 1 } },
  };
}
