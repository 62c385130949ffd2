/**
 * A hand-made RunResult covering what the renderers must show: a simulated LLM with and
 * without injected faults, batch-timed phases, errors by kind, late/dropped starts of an
 * open-model phase, memory snapshots, targets of every status (one never measured), a
 * failed scenario and a failing gate. Values are fixed so golden files are exact.
 */
import type { LatencySummary, PhaseResult, RunResult, ScenarioResult } from '../../src/results/types.js';

const MS = 1e6;
const US = 1e3;
const MB = 1024 * 1024;

function latency(count: number, v: { min: number; p50: number; p90: number; p95: number; p99: number; p999: number; max: number }): LatencySummary {
  return { unit: 'ns', count, mean: v.p50 * 1.1, stddev: v.p50 * 0.2, histogram: 'HISTFAAAACl4nJNpmSzMwMDAxQABzFCaEUzOmNZg', ...v };
}

const EMPTY_LATENCY: LatencySummary = {
  unit: 'ns',
  count: 0,
  min: 0,
  mean: 0,
  stddev: 0,
  p50: 0,
  p90: 0,
  p95: 0,
  p99: 0,
  p999: 0,
  max: 0,
  histogram: 'HISTFAAAABx4nJNpmSzMwMDAwQABzFCaEUzOmNZgDwBCGgLQ',
};

function phase(p: Partial<PhaseResult> & Pick<PhaseResult, 'name' | 'op' | 'count' | 'latency'>): PhaseResult {
  return {
    description: '',
    executor: { kind: 'iterations', iterations: p.count, concurrency: 1 },
    warmup: 0,
    timeoutMs: 30_000,
    errors: 0,
    errorsByKind: {},
    errorRate: 0,
    durationMs: 100,
    throughput: 0,
    batchTimed: false,
    ...p,
  };
}

const simulatedNone = {
  simulated: true,
  transport: 'simulated in-process (latency none)',
  config: { model: 'deepseek-chat', latency: { model: 'none' }, errorRate: 0, timeoutRate: 0, stallEvery: 0, stallForMs: 0 },
};

const memoryConfig = { windowSize: 100, idleTtlMs: 300_000, maxSessions: 100_000 };
const agentConfig = { maxIterations: 5, tools: ['calculator', 'search'], storeConversation: true };

const storeRetrieve: ScenarioResult = {
  name: 'store-retrieve',
  description: 'Store 1000 messages round-robin into 100 sessions, then retrieve the last 10 of each 1000 times',
  source: 'builtin:store-retrieve',
  startedAt: '2026-11-25T10:00:00.120Z',
  durationMs: 412.5,
  providers: { llm: simulatedNone, memory: memoryConfig, agent: agentConfig },
  phases: [
    phase({
      name: 'store',
      op: 'memory.store',
      description: 'one message per call into session_{i % 100}',
      count: 1000,
      durationMs: 0.52,
      throughput: 1_923_076.9,
      batchTimed: true,
      batchSize: 64,
      latency: latency(16, { min: 380, p50: 410, p90: 470, p95: 502, p99: 611, p999: 611, max: 611 }),
      heapAfterGc: 6.1 * MB,
    }),
    phase({
      name: 'batch-100',
      op: 'memory.store-batch',
      description: '100 messages per call',
      count: 200,
      durationMs: 9.8,
      throughput: 20_408.2,
      latency: latency(200, { min: 31 * US, p50: 42 * US, p90: 55 * US, p95: 61 * US, p99: 88.5 * US, p999: 140 * US, max: 140 * US }),
      heapAfterGc: 6.4 * MB,
    }),
    phase({
      name: 'retrieve',
      op: 'memory.retrieve',
      description: 'last 10 messages of session_{i % 100}',
      count: 1000,
      durationMs: 0.11,
      throughput: 9_090_909,
      batchTimed: true,
      batchSize: 100,
      latency: latency(10, { min: 88, p50: 95, p90: 104, p95: 104, p99: 121, p999: 121, max: 121 }),
      heapAfterGc: 21.5 * MB,
    }),
  ],
  targets: [
    {
      metric: 'memory store',
      source: 'batch-100 p99 < 1ms / < 0.5ms',
      phase: 'batch-100',
      stat: 'p99',
      measured: 88.5 * US,
      unit: 'ns',
      comparator: '<',
      current: 1 * MS,
      target: 0.5 * MS,
      status: 'green',
    },
    {
      metric: 'memory retrieve',
      source: 'retrieve p99 < 0.5ms / < 0.2ms',
      phase: 'retrieve',
      stat: 'p99',
      measured: 121,
      unit: 'ns',
      comparator: '<',
      current: 0.5 * MS,
      target: 0.2 * MS,
      status: 'green',
    },
    {
      metric: 'memory usage',
      source: 'retrieve heapDelta < 20MB / < 15MB',
      phase: 'retrieve',
      stat: 'heapDelta',
      measured: 16.5 * MB,
      unit: 'bytes',
      comparator: '<',
      current: 20 * MB,
      target: 15 * MB,
      status: 'yellow',
    },
  ],
  memory: [
    { label: 'baseline', heapUsed: 5 * MB, rss: 48 * MB },
    { label: 'providers ready', heapUsed: 5.75 * MB, rss: 49 * MB },
    { label: 'after store', heapUsed: 6.1 * MB, rss: 50 * MB },
    { label: 'after retrieve', heapUsed: 21.5 * MB, rss: 66 * MB },
  ],
};

const llmCall: ScenarioResult = {
  name: 'llm-call',
  description: 'One LLM call, sequentially and at a fixed arrival rate',
  source: 'scenarios/llm-call.yaml',
  startedAt: '2026-11-25T10:00:00.600Z',
  durationMs: 5_310,
  providers: {
    llm: {
      simulated: true,
      transport: 'simulated in-process (latency none)',
      config: {
        model: 'deepseek-chat',
        latency: { model: 'lognormal', p50Ms: 2, p99Ms: 12 },
        errorRate: 0.001,
        timeoutRate: 0,
        stallEvery: 5000,
        stallForMs: 50,
      },
    },
    memory: memoryConfig,
    agent: agentConfig,
  },
  phases: [
    phase({
      name: 'sequential',
      op: 'llm.call',
      count: 1000,
      errors: 1,
      errorsByKind: { server_error: 1 },
      errorRate: 0.001,
      durationMs: 2_640,
      throughput: 378.79,
      warmup: 50,
      latency: latency(999, { min: 0.41 * MS, p50: 2.01 * MS, p90: 4.4 * MS, p95: 5.9 * MS, p99: 11.8 * MS, p999: 52.3 * MS, max: 52.3 * MS }),
    }),
    phase({
      name: 'open-load',
      op: 'llm.call',
      description: '500 calls per second for 5 s',
      executor: { kind: 'rate', rate: 500, durationMs: 2_000, maxInFlight: 200 },
      count: 996,
      errors: 3,
      errorsByKind: { timeout: 1, server_error: 2 },
      errorRate: 3 / 996,
      durationMs: 2_004,
      throughput: 497.01,
      latency: latency(993, { min: 0.39 * MS, p50: 2.2 * MS, p90: 5.1 * MS, p95: 7.2 * MS, p99: 31.4 * MS, p999: 58 * MS, max: 60.1 * MS }),
      serviceTime: latency(993, { min: 0.38 * MS, p50: 2.05 * MS, p90: 4.6 * MS, p95: 6.1 * MS, p99: 12.2 * MS, p999: 50.5 * MS, max: 52.3 * MS }),
      schedule: { late: 12, dropped: 4, maxLateNs: 48.2 * MS },
    }),
  ],
  trials: [
    {
      phases: [
        { name: 'sequential', count: 334, throughput: 371.2, p50: 1.98 * MS, p90: 4.3 * MS, p99: 11.1 * MS, errors: 0 },
        { name: 'open-load', count: 332, throughput: 496.5, p50: 2.15 * MS, p90: 5 * MS, p99: 29.8 * MS, errors: 1 },
      ],
    },
    {
      phases: [
        { name: 'sequential', count: 333, throughput: 380.4, p50: 2.02 * MS, p90: 4.45 * MS, p99: 12.3 * MS, errors: 1 },
        { name: 'open-load', count: 332, throughput: 497.9, p50: 2.22 * MS, p90: 5.2 * MS, p99: 33.1 * MS, errors: 2 },
      ],
    },
    {
      phases: [
        { name: 'sequential', count: 333, throughput: 384.9, p50: 2.03 * MS, p90: 4.41 * MS, p99: 11.9 * MS, errors: 0 },
        { name: 'open-load', count: 332, throughput: 496.6, p50: 2.24 * MS, p90: 5.1 * MS, p99: 31.2 * MS, errors: 0 },
      ],
    },
  ],
  targets: [
    {
      metric: 'LLM call response',
      source: 'sequential p99 < 50ms / < 30ms',
      phase: 'sequential',
      stat: 'p99',
      measured: 11.8 * MS,
      unit: 'ns',
      comparator: '<',
      current: 50 * MS,
      target: 30 * MS,
      status: 'green',
    },
    {
      metric: 'LLM call response',
      source: 'open-load p99 < 50ms / < 30ms',
      phase: 'open-load',
      stat: 'p99',
      measured: 31.4 * MS,
      unit: 'ns',
      comparator: '<',
      current: 50 * MS,
      target: 30 * MS,
      status: 'yellow',
    },
    {
      metric: 'LLM error rate',
      source: 'open-load errorRate < 0.1% / < 0.01%',
      phase: 'open-load',
      stat: 'errorRate',
      measured: 3 / 996,
      unit: 'fraction',
      comparator: '<',
      current: 0.001,
      target: 0.0001,
      status: 'red',
    },
  ],
  memory: [],
};

const stress: ScenarioResult = {
  name: 'stress',
  description: '1000 virtual users x 100 agent executions each',
  source: 'builtin:stress',
  startedAt: '2026-11-25T10:00:06.000Z',
  durationMs: 53_420,
  providers: { llm: simulatedNone, memory: memoryConfig, agent: agentConfig },
  phases: [
    phase({
      name: 'load',
      op: 'agent.execute',
      description: '',
      executor: { kind: 'vus', vus: 1000, iterationsPerVu: 100 },
      count: 100_000,
      errors: 70,
      errorsByKind: { tool_error: 70 },
      errorRate: 0.0007,
      durationMs: 53_400,
      throughput: 1_872.66,
      latency: latency(99_930, { min: 1.2 * MS, p50: 410 * MS, p90: 560 * MS, p95: 610 * MS, p99: 780 * MS, p999: 1_210 * MS, max: 2_450 * MS }),
      intervals: [
        { tMs: 5_000, count: 8_100, errors: 2, throughput: 1_620, p50: 380 * MS, p99: 690 * MS, heapUsed: 40 * MB, rss: 120 * MB },
        { tMs: 10_000, count: 9_600, errors: 9, throughput: 1_920, p50: 405 * MS, p99: 760 * MS, heapUsed: 52 * MB, rss: 131 * MB },
        { tMs: 15_000, count: 9_450, errors: 7, throughput: 1_890, p50: 410 * MS, p99: 775 * MS, heapUsed: 55 * MB, rss: 133 * MB },
        { tMs: 20_000, count: 9_500, errors: 8, throughput: 1_900, p50: 412 * MS, p99: 790 * MS, heapUsed: 54.5 * MB, rss: 133 * MB },
        { tMs: 25_000, count: 9_400, errors: 6, throughput: 1_880, p50: 415 * MS, p99: 1_020 * MS, heapUsed: 56 * MB, rss: 134 * MB },
        { tMs: 30_000, count: 9_550, errors: 10, throughput: 1_910, p50: 409 * MS, p99: 770 * MS, heapUsed: 55.2 * MB, rss: 134 * MB },
      ],
    }),
  ],
  targets: [
    {
      metric: 'concurrent throughput',
      source: 'load throughput > 1000/s / > 2000/s',
      phase: 'load',
      stat: 'throughput',
      measured: 1_872.66,
      unit: 'per_s',
      comparator: '>',
      current: 1000,
      target: 2000,
      status: 'yellow',
    },
    {
      metric: 'agent execution',
      source: 'load p99 < 100ms / < 50ms',
      phase: 'load',
      stat: 'p99',
      measured: 780 * MS,
      unit: 'ns',
      comparator: '<',
      current: 100 * MS,
      target: 50 * MS,
      status: 'red',
    },
    {
      metric: 'stress error rate',
      source: 'load errorRate < 0.1% / < 0.01%',
      phase: 'load',
      stat: 'errorRate',
      measured: 0.0007,
      unit: 'fraction',
      comparator: '<',
      current: 0.001,
      target: 0.0001,
      status: 'yellow',
    },
    {
      metric: 'stress volume',
      source: 'load count >= 100000 / >= 100000',
      phase: 'load',
      stat: 'count',
      measured: 100_000,
      unit: 'count',
      comparator: '>=',
      current: 100_000,
      target: 100_000,
      status: 'green',
    },
  ],
  memory: [],
};

const agent: ScenarioResult = {
  name: 'agent',
  description: 'Multi-turn agent executions with tool calls',
  source: 'scenarios/agent.yaml',
  startedAt: '2026-11-25T10:00:59.500Z',
  durationMs: 120.4,
  providers: { llm: simulatedNone, memory: memoryConfig, agent: agentConfig },
  phases: [
    phase({
      name: 'warm',
      op: 'agent.execute',
      count: 0,
      durationMs: 0.4,
      throughput: 0,
      latency: EMPTY_LATENCY,
    }),
  ],
  targets: [
    {
      metric: 'agent execution',
      source: 'sequential p99 < 100ms / < 50ms',
      phase: 'sequential',
      stat: 'p99',
      measured: null,
      unit: 'ns',
      comparator: '<',
      current: 100 * MS,
      target: 50 * MS,
      status: 'red',
    },
  ],
  memory: [{ label: 'baseline', heapUsed: 5.2 * MB, rss: 51 * MB }],
  failure: 'phase "sequential" crashed: TypeError: tool "calculator" returned undefined',
};

export const FIXTURE: RunResult = {
  schemaVersion: 1,
  tool: { name: 'cluster-bench', version: '0.1.0' },
  command: 'cluster-bench run store-retrieve llm-call stress agent --seed 42',
  seed: 42,
  startedAt: '2026-11-25T10:00:00.000Z',
  finishedAt: '2026-11-25T10:01:00.100Z',
  interrupted: false,
  environment: {
    node: 'v20.20.2',
    v8: '11.3.244.8-node.33',
    os: 'linux 6.8.0',
    arch: 'x64',
    cpu: 'AMD EPYC 7B13',
    cores: 2,
    memoryBytes: 8 * 1024 * MB,
    hostname: 'bench-1',
    gitCommit: '3f2c1ab',
    ci: false,
  },
  scenarios: [storeRetrieve, llmCall, stress, agent],
  gate: { strict: false, enabled: true, passed: false, counts: { green: 4, yellow: 4, red: 3 } },
};

/** A second run, on another commit, for reports of several results. */
export const FIXTURE_B: RunResult = {
  ...FIXTURE,
  command: 'cluster-bench run store-retrieve --seed 43',
  seed: 43,
  startedAt: '2026-11-26T09:30:00.000Z',
  finishedAt: '2026-11-26T09:30:00.500Z',
  environment: { ...FIXTURE.environment, gitCommit: '9e8d7c6', ci: true, hostname: 'runner-7' },
  scenarios: [{ ...storeRetrieve, startedAt: '2026-11-26T09:30:00.050Z' }],
  gate: { strict: false, enabled: true, passed: true, counts: { green: 2, yellow: 1, red: 0 } },
};
