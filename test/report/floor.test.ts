import { describe, expect, it } from 'vitest';
import { floorNote, isSubMicrosecond, phaseFloorNs } from '../../src/report/floor.js';
import type { Calibration, PhaseResult, RunResult } from '../../src/results/types.js';

const CAL: Calibration = {
  harnessOverheadNs: 112,
  batchOverheadNs: 15,
  executors: {},
  clockCostNs: 42,
  clockResolutionNs: 30,
  eventLoopDelayP99Ns: 90_000,
  measuredAt: '2026-11-25T18:00:00.000Z',
  cached: true,
};

function phase(name: string, p50: number, batchTimed: boolean, count = 1_000): PhaseResult {
  return {
    name,
    op: 'memory.retrieve',
    description: '',
    executor: { kind: 'iterations', iterations: count, concurrency: 1 },
    warmup: 0,
    timeoutMs: 30_000,
    count,
    errors: 0,
    errorsByKind: {},
    errorRate: 0,
    durationMs: 1,
    throughput: 1,
    latency: { unit: 'ns', count, min: p50, mean: p50, stddev: 0, p50, p90: p50, p95: p50, p99: p50, p999: p50, max: p50, histogram: '' },
    batchTimed,
  };
}

function run(phases: PhaseResult[], calibration: Calibration | undefined): Pick<RunResult, 'environment' | 'scenarios'> {
  return {
    environment: { node: 'v20', v8: '', os: '', arch: 'x64', cpu: '', cores: 2, memoryBytes: 0, ci: false, ...(calibration ? { calibration } : {}) },
    scenarios: [{ name: 'store-retrieve', description: '', source: '', startedAt: '', durationMs: 1, providers: { llm: { simulated: true, transport: '', config: {} }, memory: {}, agent: {} }, phases, targets: [], memory: [] }],
  };
}

describe('floor', () => {
  it('the floor of a phase is the batch overhead when batch-timed, else the per-op overhead', () => {
    expect(phaseFloorNs({ batchTimed: true }, CAL)).toBe(15);
    expect(phaseFloorNs({ batchTimed: false }, CAL)).toBe(112);
  });

  it.each([
    [999, 1_000, true],
    [1_000, 1_000, false],
    [50, 0, false],
    [0, 10, false],
  ])('p50 %d ns over %d ops is sub-microsecond: %s', (p50, count, expected) => {
    expect(isSubMicrosecond(phase('x', p50, false, count))).toBe(expected);
  });

  it.each([
    ['no calibration', [phase('retrieve', 300, true)], undefined, undefined],
    ['no sub-microsecond result', [phase('call', 5_000_000, false)], CAL, undefined],
  ])('no note: %s', (_label, phases, cal, expected) => {
    expect(floorNote(run(phases, cal))).toBe(expected);
  });

  it('names every sub-microsecond result with the floor that applies to it', () => {
    const note = floorNote(run([phase('store', 372, true), phase('call', 3_600, false), phase('retrieve', 640, false)], CAL));
    expect(note).toBe(
      "floor: this machine's harness overhead is 112ns per timed operation and 15ns per batch-timed one " +
        '(cluster-bench calibrate, measured 2026-11-25, cached); the sub-microsecond results include it: ' +
        'store-retrieve › store p50 372ns (batch-timed, floor 15ns); store-retrieve › retrieve p50 640ns (timed one by one, floor 112ns)',
    );
  });

  it('says when the figures were measured by this run', () => {
    expect(floorNote(run([phase('store', 372, true)], { ...CAL, cached: false }))).toContain('(cluster-bench calibrate, measured 2026-11-25); ');
  });
});
