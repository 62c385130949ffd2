/**
 * `cluster-bench calibrate`: measures the floor of this machine (clock, per-operation
 * overhead of each executor against a bare loop, event-loop delay at idle), prints it, and
 * caches it so that runs record it in their environment block without measuring again.
 */
import { defaultCacheDir, machineKey, readCalibrationCache, writeCalibrationCache } from '../metrics/calibration-cache.js';
import type { Calibration } from '../results/types.js';
import { calibrate, toCalibration, type CalibrationReport } from '../runner/calibrate.js';
import { ExitCode } from '../errors.js';
import { formatCount, formatMs, formatNs as ns } from '../util/units.js';
import { TOOL_VERSION } from './version.js';
import type { CliProcess } from './process.js';



/** The issue's goal for the headline figure, and the most a run on these machines may show. */
export const OVERHEAD_GOAL_NS = 150;

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}


/** The human-readable table. */
export function renderCalibration(r: CalibrationReport, machine: { cpu: string; cores: number; node: string }, cacheNote: string): string {
  const lines: string[] = [];
  lines.push(`Calibration — the measurement floor of this machine (${machine.cpu}, ${machine.cores} cores, Node ${machine.node})`, '');
  const cw = Math.max(...r.clocks.map((c) => c.name.length), 'clock'.length);
  lines.push(`  ${pad('clock', cw)}  ${pad('cost/read', 10, true)}  ${pad('resolution', 10, true)}`);
  for (const c of r.clocks) lines.push(`  ${pad(c.name, cw)}  ${pad(ns(c.costNs), 10, true)}  ${pad(ns(c.resolutionNs), 10, true)}`);
  lines.push('');
  const ew = Math.max(...r.executors.map((e) => e.label.length), 'executor (noop op)'.length);
  lines.push(`  ${pad('executor (noop op)', ew)}  ${pad('per op', 8, true)}  ${pad('bare loop', 9, true)}  ${pad('overhead', 8, true)}  ${pad('ratio', 6, true)}`);
  for (const e of r.executors) {
    lines.push(
      `  ${pad(e.label, ew)}  ${pad(ns(e.executorNs), 8, true)}  ${pad(`${ns(e.bareNs)}${e.concurrency > 1 ? ` x${e.concurrency}` : ''}`, 9, true)}  ${pad(ns(e.overheadNs), 8, true)}  ${pad(`${e.ratio.toFixed(2)}x`, 6, true)}`,
    );
  }
  lines.push('');
  const verdict = r.harnessOverheadNs <= OVERHEAD_GOAL_NS ? 'within' : 'above';
  const [lo, hi] = r.harnessOverheadCiNs;
  lines.push(
    `  harness overhead: ${ns(r.harnessOverheadNs)} per timed operation (95% interval ${ns(lo)}-${ns(hi)}; ${verdict} the ${ns(OVERHEAD_GOAL_NS)} goal); ${ns(r.batchOverheadNs)} per batch-timed operation`,
  );
  const el = r.eventLoopDelay;
  lines.push(`  event-loop delay at idle: p50 ${ns(el.p50Ns)}, p99 ${ns(el.p99Ns)}, max ${ns(el.maxNs)} (${el.samples} samples of a ${formatMs(el.resolutionMs)} timer)`);
  lines.push(`  medians of ${r.repetitions} paired windows x ${formatCount(r.opsPerRepetition)} ops; measured in ${formatMs(r.durationMs)}; ${cacheNote}`);
  return `${lines.join('\n')}\n`;
}

export async function calibrateCommand(io: CliProcess, flags: { json: boolean }): Promise<number> {
  const report = await calibrate();
  const key = machineKey(TOOL_VERSION);
  const dir = defaultCacheDir(io.env);
  const saved = writeCalibrationCache(dir, key, toCalibration(report, false));
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ ...report, machine: { cpu: key.cpu, cores: key.cores, arch: key.arch, node: key.node, hostname: key.hostname } }, null, 2)}\n`);
  } else {
    io.stdout.write(renderCalibration(report, key, saved ? `runs on this machine will record these figures (cache: ${dir})` : 'could not write the cache (runs will measure for themselves)'));
  }
  return ExitCode.OK;
}

/**
 * The floor a run records in its environment: from the cache when it is there, else measured
 * now (and cached). `measure: false` (an interrupted run) only looks in the cache. Never
 * throws: a run's result matters more than its footnote.
 */
export async function calibrationForRun(
  env: CliProcess['env'],
  toolVersion: string = TOOL_VERSION,
  opts: { measure?: boolean } = {},
): Promise<Calibration | undefined> {
  if (env['CLUSTER_BENCH_CALIBRATION'] === 'off') return undefined;
  try {
    const key = machineKey(toolVersion);
    const dir = defaultCacheDir(env);
    const cached = readCalibrationCache(dir, key);
    if (cached || opts.measure === false) return cached;
    const fresh = toCalibration(await calibrate(), false);
    writeCalibrationCache(dir, key, fresh);
    return fresh;
  } catch {
    return undefined;
  }
}
