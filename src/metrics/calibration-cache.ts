/**
 * A per-machine cache of the calibration figures, so that every run can record its floor
 * without paying a second for it. Keyed by what changes the figures: the machine (host, CPU
 * model, cores, architecture), the Node version and the tool's version. A cache is a
 * convenience: every failure to read or write it is ignored (a read-only home, a full disk,
 * a half-written file from another process), and a write goes through a temporary file and
 * a rename so that a concurrent reader never sees half a file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Calibration } from '../results/types.js';
import { writeAtomic } from '../util/atomic-write.js';

/** Older entries are measured again: kernels, governors and neighbours change. */
export const CALIBRATION_MAX_AGE_MS = 7 * 24 * 3600_000;
const CACHE_FORMAT = 1;

export interface MachineKey {
  hostname: string;
  cpu: string;
  cores: number;
  arch: string;
  node: string;
  tool: string;
}

export function machineKey(toolVersion: string): MachineKey {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    arch: process.arch,
    node: process.version,
    tool: toolVersion,
  };
}

/**
 * $CLUSTER_BENCH_CACHE_DIR, else $XDG_CACHE_HOME/cluster-bench, else ~/.cache/cluster-bench,
 * else (no home directory) the system's temporary directory.
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const explicit = env['CLUSTER_BENCH_CACHE_DIR'];
  if (explicit) return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'cluster-bench');
  let home = '';
  try {
    home = os.homedir();
  } catch {
    // no home directory (some containers): fall through
  }
  return home ? path.join(home, '.cache', 'cluster-bench') : path.join(os.tmpdir(), 'cluster-bench');
}

export function cacheFile(dir: string, key: MachineKey): string {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  return path.join(dir, `calibration-${hash}.json`);
}

const NUMBER_FIELDS = ['harnessOverheadNs', 'batchOverheadNs', 'clockCostNs', 'clockResolutionNs', 'eventLoopDelayP99Ns'] as const;

function isCalibration(v: unknown): v is Omit<Calibration, 'cached'> {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (!NUMBER_FIELDS.every((f) => typeof c[f] === 'number' && Number.isFinite(c[f]) && (c[f] as number) >= 0)) return false;
  if (typeof c['measuredAt'] !== 'string' || Number.isNaN(Date.parse(c['measuredAt']))) return false;
  const ex = c['executors'];
  if (typeof ex !== 'object' || ex === null || Array.isArray(ex)) return false;
  return Object.values(ex).every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** The cached figures for this key, if present, well-formed and young enough; never throws. */
export function readCalibrationCache(dir: string, key: MachineKey, nowMs = Date.now(), maxAgeMs = CALIBRATION_MAX_AGE_MS): Calibration | undefined {
  try {
    const data = JSON.parse(readFileSync(cacheFile(dir, key), 'utf8')) as { format?: unknown; key?: unknown; calibration?: unknown };
    if (data.format !== CACHE_FORMAT || JSON.stringify(data.key) !== JSON.stringify(key)) return undefined;
    const c = data.calibration;
    if (!isCalibration(c)) return undefined;
    const age = nowMs - Date.parse(c.measuredAt);
    if (age < 0 || age > maxAgeMs) return undefined;
    const ci = (c as { harnessOverheadCiNs?: unknown }).harnessOverheadCiNs;
    const validCi = Array.isArray(ci) && ci.length === 2 && ci.every((x) => typeof x === 'number' && Number.isFinite(x));
    return {
      harnessOverheadNs: c.harnessOverheadNs,
      ...(validCi ? { harnessOverheadCiNs: [ci[0] as number, ci[1] as number] as [number, number] } : {}),
      batchOverheadNs: c.batchOverheadNs,
      executors: { ...c.executors },
      clockCostNs: c.clockCostNs,
      clockResolutionNs: c.clockResolutionNs,
      eventLoopDelayP99Ns: c.eventLoopDelayP99Ns,
      measuredAt: c.measuredAt,
      cached: true,
    };
  } catch {
    return undefined;
  }
}

/** Writes atomically (temporary file + rename); returns false instead of throwing on any failure. */
export function writeCalibrationCache(dir: string, key: MachineKey, calibration: Calibration): boolean {
  const { cached: _cached, ...figures } = calibration;
  try {
    writeAtomic(cacheFile(dir, key), `${JSON.stringify({ format: CACHE_FORMAT, key, calibration: figures }, null, 2)}\n`);
    return true;
  } catch {
    // A cache that cannot be written only costs a re-measurement next time.
    return false;
  }
}
