/**
 * The open model split into parts (worker threads, shards): every part walks the one global
 * arrival schedule and launches its stripe. These tests read each launched operation's due
 * time exactly, with no wall-clock claim: the clock is frozen far past the schedule's end, so
 * every arrival is overdue at once, and the latency the executor records (frozen now minus
 * due) gives the due time back to the nanosecond.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LatencyRecorder } from '../../src/metrics/histogram.js';
import type { ExecutorSpec } from '../../src/results/types.js';
import { arrivalRandom, collectArrivals, constantArrivals, poissonArrivals } from '../../src/runner/arrivals.js';
import { newCounters, startExecutor, type ExecContext } from '../../src/runner/executors.js';
import type { PreparedOp } from '../../src/runner/operations.js';
import { splitPhase, type Part } from '../../src/runner/split.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { loadScenario } from '../../src/scenarios/load.js';
import { tempDir } from '../e2e/helpers.js';

type RateSpec = Extract<ExecutorSpec, { kind: 'rate' }>;

/** Far past any schedule here (ms): every arrival is due before "now". */
const FROZEN_NOW = 1e6;

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Runs one part's executor with the frozen clock; returns, per launched operation, the global
 * index the phase would give it (share.global of the executor's local index) and its due time.
 */
async function launchedBy(spec: RateSpec, seed: number, path: readonly Part[]): Promise<{ launched: Map<number, number>; scheduled: number }> {
  vi.spyOn(performance, 'now').mockReturnValue(FROZEN_NOW);
  const share = splitPhase(spec, path);
  const locals: number[] = [];
  const lateNs: number[] = [];
  // A synchronous operation: the executor records its latency right after run(i) returns,
  // so the i-th index and the i-th latency belong together.
  const op: PreparedOp = { fast: true, run: (i) => void locals.push(i) };
  const latency = { record: (ns: number) => void lateNs.push(ns) } as unknown as LatencyRecorder;
  const ctx: ExecContext = {
    op,
    timeoutMs: 60_000,
    latency,
    counters: newCounters(),
    batchSize: 1,
    stopped: () => false,
    seed,
    startAt: 0,
    ...(share.stripe !== undefined && path.length > 0 ? { stripe: share.stripe } : {}),
  };
  const schedule = await startExecutor(share.executor, ctx).done;
  expect(lateNs).toHaveLength(locals.length);
  const launched = new Map<number, number>();
  locals.forEach((j, n) => {
    const g = share.global(j);
    expect(launched.has(g)).toBe(false);
    launched.set(g, FROZEN_NOW - (lateNs[n] as number) / 1e6);
  });
  return { launched, scheduled: schedule?.arrivals?.scheduled ?? -1 };
}

function parts(count: number): Part[] {
  return Array.from({ length: count }, (_, index) => ({ index, count }));
}

describe('open model with stripes: the union of the parts is the single schedule', () => {
  const seed = 4242;
  const cases: Array<{ name: string; spec: RateSpec; expected: () => number[] }> = [
    { name: 'constant', spec: { kind: 'rate', rate: 20, durationMs: 2_000, maxInFlight: 1_000 }, expected: () => collectArrivals(constantArrivals(20, 2_000)) },
    {
      name: 'seeded Poisson',
      spec: { kind: 'rate', rate: 20, durationMs: 2_000, maxInFlight: 1_000, arrival: 'poisson' },
      expected: () => collectArrivals(poissonArrivals(20, 2_000, arrivalRandom(seed))),
    },
    {
      name: 'seeded gamma (burst 2)',
      spec: { kind: 'rate', rate: 20, durationMs: 2_000, maxInFlight: 1_000, arrival: 'poisson', burst: 2 },
      expected: () => collectArrivals(poissonArrivals(20, 2_000, arrivalRandom(seed), 2)),
    },
  ];

  for (const { name, spec, expected } of cases) {
    it(`${name}: one part launches every arrival at its due time under its global index`, async () => {
      const schedule = expected();
      expect(schedule.length).toBeGreaterThan(20);
      const { launched, scheduled } = await launchedBy(spec, seed, []);
      expect([...launched.keys()]).toEqual(schedule.map((_, g) => g));
      for (const [g, due] of launched) expect(due).toBeCloseTo(schedule[g] as number, 5);
      expect(scheduled).toBe(schedule.length);
    });

    const splits: Array<{ label: string; runs: Part[][]; owns: (g: number) => boolean }> = [
      { label: '2 parts', runs: parts(2).map((p) => [p]), owns: () => true },
      { label: '3 parts', runs: parts(3).map((p) => [p]), owns: () => true },
      // Shard 1 of 2 split over 3 threads: together, exactly shard 1's stripe of the schedule.
      { label: 'shard 1 of 2 over 3 threads', runs: parts(3).map((w) => [{ index: 1, count: 2 }, w]), owns: (g) => g % 2 === 1 },
    ];
    for (const { label, runs, owns } of splits) {
      it(`${name}, ${label}: disjoint stripes whose union is the schedule, due times and counts exact`, async () => {
        const schedule = expected();
        const union = new Map<number, number>();
        let scheduledSum = 0;
        for (const run of runs) {
          const { launched, scheduled } = await launchedBy(spec, seed, run);
          expect(launched.size).toBeGreaterThan(0);
          expect(scheduled).toBe(launched.size);
          scheduledSum += scheduled;
          for (const [g, due] of launched) {
            expect(union.has(g)).toBe(false);
            union.set(g, due);
          }
        }
        const want = schedule.map((_, g) => g).filter(owns);
        expect([...union.keys()].sort((a, b) => a - b)).toEqual(want);
        for (const [g, due] of union) expect(due).toBeCloseTo(schedule[g] as number, 5);
        expect(scheduledSum).toBe(want.length);
      });
    }
  }

  it('an interrupted part counts the rest of its own stripe as scheduled, not the whole schedule\'s', async () => {
    const spec: RateSpec = { kind: 'rate', rate: 20, durationMs: 2_000, maxInFlight: 1_000 };
    vi.spyOn(performance, 'now').mockReturnValue(FROZEN_NOW);
    const share = splitPhase(spec, [{ index: 1, count: 3 }]);
    let launches = 0;
    const ctx: ExecContext = {
      op: { fast: true, run: () => void launches++ },
      timeoutMs: 60_000,
      latency: { record: () => undefined } as unknown as LatencyRecorder,
      counters: newCounters(),
      batchSize: 1,
      // Stops after five launches: the loop checks before each arrival.
      stopped: () => launches >= 5,
      seed,
      startAt: 0,
      ...(share.stripe ? { stripe: share.stripe } : {}),
    };
    const schedule = await startExecutor(share.executor, ctx).done;
    expect(launches).toBe(5);
    // 40 arrivals; part 1 of 3 owns 1, 4, ..., 37: 13 of them.
    expect(schedule?.arrivals?.scheduled).toBe(13);
  });
});

describe('a split Poisson phase run as parts (runScenario with a part path)', () => {
  it('every part draws the one global schedule from the run\'s seed, not its own part seed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'poisson.yaml');
    // A fast in-process operation and room in flight: every arrival is launched, none
    // dropped, so the counts below depend on the schedule only, not on the machine's speed.
    writeFileSync(
      file,
      [
        'name: poisson-parts',
        'phases:',
        '  - name: arrivals',
        '    op: memory.store',
        '    params: { sessions: 8 }',
        '    executor: { type: rate, rate: 1000, duration: 150ms, arrival: poisson, maxInFlight: 10000 }',
        '',
      ].join('\n'),
    );
    const scenario = loadScenario(file);
    for (const seed of [7, 8, 9]) {
      const whole = await runScenario(scenario, { seed });
      const total = whole.phases[0]?.schedule?.arrivals?.scheduled ?? -1;
      expect(whole.phases[0]?.count).toBe(total);
      const [a, b, c] = await Promise.all(parts(3).map((p) => runScenario(scenario, { seed, parts: [p] })));
      const split = [a, b, c].map((r) => r?.phases[0]);
      // The union of the stripes is the whole schedule: the same number of arrivals, each launched once.
      expect(split.reduce((n, p) => n + (p?.schedule?.arrivals?.scheduled ?? 0), 0)).toBe(total);
      expect(split.reduce((n, p) => n + (p?.count ?? 0), 0)).toBe(total);
    }
  });
});
