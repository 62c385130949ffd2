/**
 * Calibration: what the harness itself costs on this machine, so that a reader can tell a
 * 150 ns result from the 100 ns it takes to time anything at all.
 *
 * Each executor drives the no-op operation through its real code path (clock reads,
 * histogram records, counters) and is set against a bare `await op()` loop of the same
 * operation at the same concurrency, in the same process, measured right next to it. The
 * difference per operation is the harness overhead.
 *
 * What makes the figure hold still on a shared machine (three back-to-back runs once gave
 * 143, 145 and 262 ns):
 *  - short windows (2,000 operations, well under a scheduler time slice) in many pairs, so a
 *    preemption spoils one pair instead of shifting a 50,000-operation measurement; the
 *    figure is the median of the paired differences, with its 95 % confidence interval;
 *  - the two sides of a pair run back to back, and which goes first alternates;
 *  - a young-generation collection before every window: a 2,000-operation window allocates
 *    less than the nursery holds, so no window contains a collection. Without it a collection
 *    landed in every other bare-loop window (~35 vs ~80 ns/op) and the median of the
 *    differences jumped between two values (110 and 215 ns) from run to run. Both sides
 *    allocate the same per operation (the promise of the no-op), so leaving the collections
 *    out of both leaves the overhead as it is;
 *  - a warm-up in rounds with idle pauses: V8 installs code it optimised on background
 *    threads only when the main thread returns to the event loop, which a loop of resolved
 *    promises never does, so without the pauses either side could run unoptimised code.
 *
 * Nothing here prints; the CLI renders the report.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LatencyRecorder } from '../metrics/histogram.js';
import { minorGc } from '../metrics/memory.js';
import type { Calibration, ExecutorSpec } from '../results/types.js';
import { newCounters, startExecutor, type ExecContext } from './executors.js';
import type { OpFn, PreparedOp } from './operations.js';
// Every figure is a median of `repetitions` (at least 1) measurements, never of none.
import { median } from '../util/median.js';

/** The `noop` operation, exactly as operations.ts prepares it: an already-resolved promise. */
const NOOP: PreparedOp = { fast: true, run: () => Promise.resolve() };

/** Batch size of the batch-timed figure: what phase.ts picks for a ~100 ns operation. */
export const CALIBRATION_BATCH_SIZE = 256;

export interface ClockFigures {
  name: string;
  /** Cost of one read, ns (median over repetitions). */
  costNs: number;
  /** Smallest non-zero step seen between two consecutive reads, ns (bounded below by the cost of a read). */
  resolutionNs: number;
}

export interface ExecutorFigures {
  /** Key in `Calibration.executors`, e.g. "iterations-c1". */
  name: string;
  /** Words for the table. */
  label: string;
  /** Concurrency of the bare loop it is compared with. */
  concurrency: number;
  /** Median wall time per operation through the executor, ns. */
  executorNs: number;
  /** Median wall time per operation of the bare loop, ns. */
  bareNs: number;
  /** Median of the paired differences executor - bare, ns (>= 0). */
  overheadNs: number;
  /** 95 % confidence interval of that median (order statistics of the pairs), ns. */
  overheadCiNs: [number, number];
  /** executorNs / bareNs. */
  ratio: number;
}

/** How late the event loop ran a 1 ms timer at idle, ns. */
export interface EventLoopFigures {
  /** Samples taken (about one per `resolutionMs` of idle time). */
  samples: number;
  resolutionMs: number;
  minNs: number;
  meanNs: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
}

export interface CalibrationReport {
  /** The headline: the iterations executor, one op at a time, every op timed. */
  harnessOverheadNs: number;
  /** How much the headline varies: the 95 % confidence interval of its median, ns. */
  harnessOverheadCiNs: [number, number];
  /** Per-op overhead when operations are batch-timed (CALIBRATION_BATCH_SIZE per batch). */
  batchOverheadNs: number;
  /** A bare `await op()` loop of the no-op, ns per iteration. */
  bareAwaitNs: number;
  clocks: ClockFigures[];
  executors: ExecutorFigures[];
  eventLoopDelay: EventLoopFigures;
  /** Paired windows per executor. */
  repetitions: number;
  /** Operations per window. */
  opsPerRepetition: number;
  durationMs: number;
  measuredAt: string;
}

export interface CalibrateOptions {
  /** Paired windows (bare loop, executor) per executor. Default 61. */
  repetitions?: number;
  /** Operations per window. Default 2,000 (well under a scheduler time slice). */
  ops?: number;
  /** Idle time over which the event-loop delay is sampled, ms. Default 200. */
  idleMs?: number;
}

interface Pairing {
  name: string;
  label: string;
  concurrency: number;
  spec: (n: number) => ExecutorSpec;
  batchSize: number;
}

const PAIRINGS: readonly Pairing[] = [
  { name: 'iterations-c1', label: 'iterations, 1 at a time', concurrency: 1, batchSize: 1, spec: (n) => ({ kind: 'iterations', iterations: n, concurrency: 1 }) },
  { name: 'iterations-c10', label: 'iterations, 10 at a time', concurrency: 10, batchSize: 1, spec: (n) => ({ kind: 'iterations', iterations: n, concurrency: 10 }) },
  { name: 'vus-10', label: 'vus, 10 virtual users', concurrency: 10, batchSize: 1, spec: (n) => ({ kind: 'vus', vus: 10, iterationsPerVu: Math.ceil(n / 10) }) },
  // A rate far above what one core can start keeps the scheduler permanently behind: it then
  // starts operations back to back, and the figure is its cost per start (latency from the
  // scheduled start and service time both recorded). Its bare loop is the sequential one.
  { name: 'rate-max', label: 'rate, far above capacity', concurrency: 1, batchSize: 1, spec: (n) => ({ kind: 'rate', rate: n * 1000, durationMs: 1, maxInFlight: n + 1 }) },
  {
    name: 'iterations-c1-batch',
    label: `iterations, batch-timed (${CALIBRATION_BATCH_SIZE}/batch)`,
    concurrency: 1,
    batchSize: CALIBRATION_BATCH_SIZE,
    spec: (n) => ({ kind: 'iterations', iterations: n, concurrency: 1 }),
  },
];

/** `c` async loops sharing one budget of `n` operations, each doing `await run(i)`: ns per op. */
export async function bareLoop(run: OpFn, n: number, c: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      await run(i);
    }
  };
  const t0 = performance.now();
  if (c === 1) await worker();
  else await Promise.all(Array.from({ length: c }, worker));
  return ((performance.now() - t0) * 1e6) / n;
}

/** The same operations through a real executor, as a phase drives them: ns per finished op. */
export async function executorLoop(op: PreparedOp, spec: ExecutorSpec, batchSize: number): Promise<number> {
  const latency = new LatencyRecorder();
  const serviceTime = spec.kind === 'rate' ? new LatencyRecorder() : undefined;
  // One object shape for every executor (a key left out would make another shape).
  const ctx: ExecContext = {
    op,
    timeoutMs: 60_000,
    latency,
    serviceTime,
    counters: newCounters(),
    batchSize,
    stopped: () => false,
  };
  try {
    const t0 = performance.now();
    await startExecutor(spec, ctx).done;
    const elapsed = performance.now() - t0;
    if (ctx.counters.done === 0 || ctx.counters.errors > 0) throw new Error(`calibration: the no-op failed under ${spec.kind} (${ctx.counters.errors} errors)`);
    return (elapsed * 1e6) / ctx.counters.done;
  } finally {
    latency.destroy();
    serviceTime?.destroy();
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

function clockCost(read: () => unknown, n: number): number {
  let sink: unknown;
  const t0 = performance.now();
  for (let k = 0; k < n; k++) sink = read();
  const ns = ((performance.now() - t0) * 1e6) / n;
  // Keeps the reads observable; the branch is never taken.
  if (sink === Symbol.iterator) throw new Error('unreachable');
  return ns;
}

function clockResolution(step: () => number, tries: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let k = 0; k < tries; k++) {
    const d = step();
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : 0;
}

function nowStep(): number {
  const a = performance.now();
  let b = performance.now();
  while (b === a) b = performance.now();
  return (b - a) * 1e6;
}

function hrtimeStep(): number {
  const a = process.hrtime.bigint();
  let b = process.hrtime.bigint();
  while (b === a) b = process.hrtime.bigint();
  return Number(b - a);
}

function measureClocks(repetitions: number): ClockFigures[] {
  const n = 100_000;
  const nowCosts: number[] = [];
  const hrCosts: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    nowCosts.push(clockCost(() => performance.now(), n));
    hrCosts.push(clockCost(() => process.hrtime.bigint(), n));
  }
  return [
    { name: 'performance.now()', costNs: round1(median(nowCosts)), resolutionNs: Math.round(clockResolution(nowStep, 2_000)) },
    { name: 'process.hrtime.bigint()', costNs: round1(median(hrCosts)), resolutionNs: Math.round(clockResolution(hrtimeStep, 2_000)) },
  ];
}

/**
 * Node's monitor records the whole interval between its timer's callbacks (`resolutionMs`
 * plus the lateness); the figures here are the lateness alone, which is what a user means
 * by event-loop delay (~0.05-0.1 ms on an idle machine).
 */
async function measureEventLoop(idleMs: number): Promise<EventLoopFigures> {
  const resolutionMs = 1;
  const tick = resolutionMs * 1e6;
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  await new Promise<void>((r) => setTimeout(r, idleMs));
  h.disable();
  const samples = h.count;
  const late = (ns: number): number => (samples > 0 ? Math.max(0, Math.round(ns - tick)) : 0);
  const figures: EventLoopFigures = {
    samples,
    resolutionMs,
    minNs: late(h.min),
    meanNs: late(h.mean),
    p50Ns: late(h.percentile(50)),
    p99Ns: late(h.percentile(99)),
    maxNs: late(h.max),
  };
  h.reset();
  return figures;
}

/**
 * 95 % confidence interval of the median of `values` from order statistics (the binomial
 * interval; no assumption about the distribution): [lowest, highest] for fewer than 6 values.
 */
export function medianCi(values: readonly number[]): [number, number] {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return [0, 0];
  const k = Math.max(0, Math.floor(n / 2 - 0.98 * Math.sqrt(n)));
  return [s[k] as number, s[n - 1 - k] as number];
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Warm-up rounds per executor, each ending with an idle pause (see the top of this file). */
const WARMUP_ROUNDS = 6;
const WARMUP_PAUSE_MS = 5;
/** Pairs between two turns of the event loop while measuring (compiled code gets installed). */
const PAIRS_PER_TURN = 8;

/** Measures the floor of this machine. Takes about a second with the defaults. */
export async function calibrate(options: CalibrateOptions = {}): Promise<CalibrationReport> {
  const repetitions = Math.max(1, options.repetitions ?? 61);
  const n = Math.max(100, options.ops ?? 2_000);
  const idleMs = options.idleMs ?? 200;
  const started = performance.now();
  const measuredAt = new Date().toISOString();

  const clocks = measureClocks(7);

  // Every code path optimised, and its optimised code installed, before anything counts.
  for (let r = 0; r < WARMUP_ROUNDS; r++) {
    for (const p of PAIRINGS) {
      minorGc();
      await bareLoop(NOOP.run, n, p.concurrency);
      minorGc();
      await executorLoop(NOOP, p.spec(n), p.batchSize);
    }
    await pause(WARMUP_PAUSE_MS);
  }

  const samples = PAIRINGS.map(() => ({ exec: [] as number[], bare: [] as number[], diff: [] as number[] }));
  // Pairs of all executors interleave, so a slow spell of the machine is shared among them.
  for (let r = 0; r < repetitions; r++) {
    for (const [k, p] of PAIRINGS.entries()) {
      let bare: number;
      let exec: number;
      const runBare = (): Promise<number> => {
        minorGc();
        return bareLoop(NOOP.run, n, p.concurrency);
      };
      const runExec = (): Promise<number> => {
        minorGc();
        return executorLoop(NOOP, p.spec(n), p.batchSize);
      };
      if ((r + k) % 2 === 0) {
        bare = await runBare();
        exec = await runExec();
      } else {
        exec = await runExec();
        bare = await runBare();
      }
      const s = samples[k] as { exec: number[]; bare: number[]; diff: number[] };
      s.exec.push(exec);
      s.bare.push(bare);
      s.diff.push(exec - bare);
    }
    if (r % PAIRS_PER_TURN === PAIRS_PER_TURN - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  const executors: ExecutorFigures[] = PAIRINGS.map((p, k) => {
    const s = samples[k] as { exec: number[]; bare: number[]; diff: number[] };
    const executorNs = median(s.exec);
    const bareNs = median(s.bare);
    const [lo, hi] = medianCi(s.diff);
    return {
      name: p.name,
      label: p.label,
      concurrency: p.concurrency,
      executorNs: Math.round(executorNs),
      bareNs: Math.round(bareNs),
      overheadNs: Math.max(0, Math.round(median(s.diff))),
      overheadCiNs: [Math.max(0, Math.round(lo)), Math.max(0, Math.round(hi))],
      ratio: bareNs > 0 ? Math.round((executorNs / bareNs) * 100) / 100 : 0,
    };
  });
  const byName = (name: string): ExecutorFigures => executors.find((e) => e.name === name) as ExecutorFigures;

  const eventLoopDelay = await measureEventLoop(idleMs);
  const headline = byName('iterations-c1');

  return {
    harnessOverheadNs: headline.overheadNs,
    harnessOverheadCiNs: headline.overheadCiNs,
    batchOverheadNs: byName('iterations-c1-batch').overheadNs,
    bareAwaitNs: headline.bareNs,
    clocks,
    executors,
    eventLoopDelay,
    repetitions,
    opsPerRepetition: n,
    durationMs: Math.round(performance.now() - started),
    measuredAt,
  };
}

/** The figures a run keeps in its environment block. */
export function toCalibration(report: CalibrationReport, cached: boolean): Calibration {
  const now = report.clocks.find((c) => c.name === 'performance.now()');
  return {
    harnessOverheadNs: report.harnessOverheadNs,
    harnessOverheadCiNs: report.harnessOverheadCiNs,
    batchOverheadNs: report.batchOverheadNs,
    executors: Object.fromEntries(report.executors.map((e) => [e.name, e.overheadNs])),
    clockCostNs: Math.round(now?.costNs ?? 0),
    clockResolutionNs: Math.round(now?.resolutionNs ?? 0),
    eventLoopDelayP99Ns: report.eventLoopDelay.p99Ns,
    measuredAt: report.measuredAt,
    cached,
  };
}
