/**
 * Synthetic results for the comparison tests: real HDR histograms recorded from seeded
 * lognormal samples, so the bootstrap reads exactly what a run would have written.
 */
import { LatencyRecorder } from '../../src/metrics/histogram.js';
import { normalSample, seededRandom } from '../../src/compare/stats.js';
import type { Environment, PhaseResult, RunResult, ScenarioResult, TrialResult } from '../../src/results/types.js';

export const ENV: Environment = {
  node: 'v20.20.2',
  v8: '11.3.244.8-node.38',
  os: 'Linux 6.8.0',
  arch: 'x64',
  cpu: 'AMD EPYC 7B13',
  cores: 2,
  memoryBytes: 8 * 1024 ** 3,
  ci: true,
};

export interface PhaseSpec {
  name?: string;
  /** Median latency, ms. */
  medianMs: number;
  /** Spread of the lognormal (sigma of log values). */
  sigma?: number;
  count?: number;
  /** Operations in flight at once (1: sequential). */
  concurrency?: number;
  seed: number;
}

export function phaseResult(spec: PhaseSpec): PhaseResult {
  const count = spec.count ?? 1000;
  const sigma = spec.sigma ?? 0.05;
  const concurrency = spec.concurrency ?? 1;
  const random = seededRandom(spec.seed);
  const recorder = new LatencyRecorder();
  let total = 0;
  for (let i = 0; i < count; i++) {
    const ns = Math.round(spec.medianMs * 1e6 * Math.exp(sigma * normalSample(random)));
    total += ns;
    recorder.record(ns);
  }
  const latency = recorder.summarize();
  recorder.destroy();
  // Closed loop: duration = operations x mean latency / operations in flight.
  const durationMs = total / 1e6 / concurrency;
  return {
    name: spec.name ?? 'calls',
    op: 'llm.call',
    description: '',
    executor: { kind: 'iterations', iterations: count, concurrency },
    warmup: 0,
    timeoutMs: 30_000,
    count,
    errors: 0,
    errorsByKind: {},
    errorRate: 0,
    durationMs,
    throughput: (count / durationMs) * 1000,
    latency,
    batchTimed: false,
  };
}

export function scenario(name: string, phases: PhaseResult[], trials?: TrialResult[]): ScenarioResult {
  return {
    name,
    description: '',
    source: `builtin:${name}`,
    startedAt: '2026-11-25T10:00:00.000Z',
    durationMs: 1000,
    providers: { llm: { simulated: true, transport: 'simulated in-process', config: {} }, memory: {}, agent: {} },
    phases,
    targets: [],
    memory: [],
    ...(trials !== undefined ? { trials } : {}),
  };
}

export function runResult(scenarios: ScenarioResult[], env: Partial<Environment> = {}): RunResult {
  return {
    schemaVersion: 1,
    tool: { name: 'cluster-bench', version: '0.1.0' },
    command: 'cluster-bench run synthetic',
    seed: 1,
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:00:01.000Z',
    interrupted: false,
    environment: { ...ENV, ...env },
    scenarios,
    gate: { strict: false, enabled: true, passed: true, counts: { green: 0, yellow: 0, red: 0 } },
  };
}

/** One phase "calls" in scenario "s". */
export function single(spec: PhaseSpec, env: Partial<Environment> = {}): RunResult {
  return runResult([scenario('s', [phaseResult(spec)])], env);
}

/** Per-trial figures for phase "calls": p50/p99 in ms, throughput in ops/s. */
export function trialsOf(values: Array<{ p50: number; p99?: number; throughput?: number }>): TrialResult[] {
  return values.map((v) => ({
    phases: [
      {
        name: 'calls',
        count: 1000,
        errors: 0,
        p50: v.p50 * 1e6,
        p90: v.p50 * 1.1e6,
        p99: (v.p99 ?? v.p50 * 1.5) * 1e6,
        throughput: v.throughput ?? 1000 / v.p50,
      },
    ],
  }));
}
