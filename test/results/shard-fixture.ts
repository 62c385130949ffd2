/** Synthetic shard files: real HDR histograms of given values, in the shape `run --shard` writes. */
import { HISTOGRAM_SETTINGS, LatencyRecorder } from '../../src/metrics/histogram.js';
import { assembleResult } from '../../src/results/assemble.js';
import type { RunResult } from '../../src/results/types.js';
import { parseTarget } from '../../src/targets/parse.js';
import { ENV, scenario } from '../compare/synthetic.js';

export const P99_TARGET = 'calls p99 < 100ms / < 50ms';

export interface ShardSpec {
  index: number;
  total: number;
  /** Latencies, ns. */
  values: number[];
  runId?: string;
  hash?: string;
  version?: string;
  seed?: number;
  startMs?: number;
  durationMs?: number;
}

export function shardResult(spec: ShardSpec): RunResult {
  const r = new LatencyRecorder();
  for (const v of spec.values) r.record(v);
  const latency = r.summarize();
  r.destroy();
  const startMs = spec.startMs ?? 1_800_000_000_000;
  const durationMs = spec.durationMs ?? 1_000;
  const count = spec.values.length;
  const s = scenario('api', [
    {
      name: 'calls',
      op: 'llm.call',
      description: '',
      executor: { kind: 'iterations', iterations: 1000, concurrency: 10 },
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
      window: { startMs, endMs: startMs + durationMs },
    },
  ]);
  return assembleResult(
    [s],
    { toolVersion: spec.version ?? '0.1.0', command: 'cluster-bench run api.yaml --shard', seed: spec.seed ?? 7, startedAt: new Date(startMs).toISOString(), finishedAt: new Date(startMs + durationMs).toISOString(), environment: ENV },
    {
      targets: () => [parseTarget(P99_TARGET, 'LLM call response')],
      interrupted: false,
      gate: { strict: false, enabled: true },
      shard: {
        index: spec.index,
        total: spec.total,
        runId: spec.runId ?? 'run-1',
        scenarioHash: spec.hash ?? 'abc123',
        toolVersion: spec.version ?? '0.1.0',
        histogram: { ...HISTOGRAM_SETTINGS },
        window: { startMs, endMs: startMs + durationMs },
        workers: 1,
      },
    },
  );
}

/** n values of `fast` ns, then k of `slow` ns. */
export function values(n: number, fast: number, k = 0, slow = 0): number[] {
  return [...Array.from({ length: n }, (_, i) => fast + i), ...Array.from({ length: k }, () => slow)];
}
