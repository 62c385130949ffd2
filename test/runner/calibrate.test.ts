import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { calibrationForRun } from '../../src/cli/calibrate.js';
import {
  CALIBRATION_MAX_AGE_MS,
  cacheFile,
  defaultCacheDir,
  machineKey,
  readCalibrationCache,
  writeCalibrationCache,
} from '../../src/metrics/calibration-cache.js';
import type { Calibration } from '../../src/results/types.js';
import { bareLoop, calibrate, toCalibration } from '../../src/runner/calibrate.js';
import { cli } from '../e2e/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { median } from '../../src/util/median.js';

const SAMPLE: Calibration = {
  harnessOverheadNs: 112,
  batchOverheadNs: 15,
  executors: { 'iterations-c1': 112, 'iterations-c10': 118, 'vus-10': 120, 'rate-max': 228, 'iterations-c1-batch': 15 },
  clockCostNs: 42,
  clockResolutionNs: 30,
  eventLoopDelayP99Ns: 90_000,
  measuredAt: new Date().toISOString(),
  cached: false,
};

/** Median wait of a 1 ms timer in this process right now, ns (about 1 ms or more: load only adds). */
async function oneTimerNs(): Promise<number> {
  const waits: number[] = [];
  for (let k = 0; k < 9; k++) {
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, 1));
    waits.push(Number(process.hrtime.bigint() - t0));
  }
  return median(waits);
}

describe('calibrate', () => {
  it('measures every executor against a bare loop, the clocks and the idle event loop', async () => {
    const r = await calibrate({ repetitions: 3, ops: 5_000, idleMs: 30 });
    expect(r.executors.map((e) => e.name)).toEqual(['iterations-c1', 'iterations-c10', 'vus-10', 'rate-max', 'iterations-c1-batch']);
    for (const e of r.executors) {
      expect(e.executorNs, e.name).toBeGreaterThan(0);
      expect(e.bareNs, e.name).toBeGreaterThan(0);
      expect(e.overheadNs, e.name).toBeGreaterThanOrEqual(0);
    }
    expect(r.harnessOverheadNs).toBe(r.executors[0]!.overheadNs);
    expect(r.batchOverheadNs).toBe(r.executors[4]!.overheadNs);
    // How many ns the harness costs is `npm run bench`'s business (overhead). What a test can
    // hold on a shared machine is the order of magnitude, against something measured right
    // here: an executor or a clock read that waited on a timer per operation would cost at
    // least one 1 ms timer's wait, which is what this process takes for one now.
    const timerNs = await oneTimerNs();
    for (const e of r.executors) expect(e.executorNs, e.name).toBeLessThan(timerNs / 4);
    expect(r.clocks.map((c) => c.name)).toEqual(['performance.now()', 'process.hrtime.bigint()']);
    for (const c of r.clocks) {
      expect(c.costNs).toBeGreaterThan(0);
      expect(c.costNs, c.name).toBeLessThan(timerNs / 4);
      expect(Number.isInteger(c.resolutionNs) && c.resolutionNs > 0).toBe(true);
    }
    expect(r.eventLoopDelay.samples).toBeGreaterThan(0);
    expect(r.eventLoopDelay.p99Ns).toBeGreaterThanOrEqual(r.eventLoopDelay.p50Ns);
    expect(r.repetitions).toBe(3);
    expect(r.opsPerRepetition).toBe(5_000);

    const c = toCalibration(r, false);
    expect(c).toMatchObject({ harnessOverheadNs: r.harnessOverheadNs, batchOverheadNs: r.batchOverheadNs, cached: false, measuredAt: r.measuredAt });
    expect(Object.keys(c.executors)).toHaveLength(5);
    expect(c.clockCostNs).toBe(Math.round(r.clocks[0]!.costNs));
  });

  it('bareLoop runs exactly n operations at the given concurrency', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    const ns = await bareLoop(
      async (i) => {
        seen.push(i);
        most = Math.max(most, ++inFlight);
        await Promise.resolve();
        inFlight--;
      },
      1_000,
      10,
    );
    expect(ns).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(most).toBe(10);
  });
});

describe('cluster-bench calibrate (the binary)', () => {
  it('--json prints the figures and caches them; the table says what it measured', () => {
    // How small harnessOverheadNs is (~115 ns on an idle machine of this project) is a
    // performance claim: `npm run bench` (overhead) measures and holds it, not this test.
    const env = { CLUSTER_BENCH_CACHE_DIR: tempDir() };
    const r = cli(['calibrate', '--json'], { env });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { harnessOverheadNs: number; executors: Array<{ overheadNs: number }>; machine: { node: string } };
    expect(json.executors).toHaveLength(5);
    expect(json.machine.node).toBe(process.version);
    expect(json.harnessOverheadNs).toBe(json.executors[0]!.overheadNs);
    expect(readdirSync(env.CLUSTER_BENCH_CACHE_DIR)).toHaveLength(1);

    const human = cli(['calibrate'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('performance.now()');
    expect(human.stdout).toContain('iterations, 1 at a time');
    expect(human.stdout).toMatch(/harness overhead: [\d.]+(ns|us) per timed operation/);
  });
});

describe('calibration cache', () => {
  const key = machineKey('9.9.9');

  it('keys on machine, Node and tool version', () => {
    expect(key).toMatchObject({ node: process.version, arch: process.arch, tool: '9.9.9', hostname: os.hostname() });
    const dir = tempDir();
    expect(cacheFile(dir, key)).not.toBe(cacheFile(dir, { ...key, tool: '9.9.10' }));
    expect(cacheFile(dir, key)).toBe(cacheFile(dir, machineKey('9.9.9')));
  });

  it('chooses its directory from the environment', () => {
    expect(defaultCacheDir({ CLUSTER_BENCH_CACHE_DIR: '/x/y' })).toBe('/x/y');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/cache' })).toBe(path.join('/cache', 'cluster-bench'));
    // A relative XDG_CACHE_HOME is invalid by the spec: ignored.
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'rel' })).toBe(path.join(os.homedir(), '.cache', 'cluster-bench'));
  });

  it('round-trips figures, marked cached, and leaves no temporary file', () => {
    const dir = path.join(tempDir(), 'nested', 'dir');
    expect(writeCalibrationCache(dir, key, SAMPLE)).toBe(true);
    expect(readCalibrationCache(dir, key)).toEqual({ ...SAMPLE, cached: true });
    expect(readdirSync(dir)).toEqual([path.basename(cacheFile(dir, key))]);
    // What is stored never claims to be cached.
    expect(readFileSync(cacheFile(dir, key), 'utf8')).not.toContain('"cached"');
  });

  it('ignores another key, an old entry, a corrupt or half-written file', () => {
    const dir = tempDir();
    writeCalibrationCache(dir, key, SAMPLE);
    expect(readCalibrationCache(dir, { ...key, node: 'v0.0.0' })).toBeUndefined();
    expect(readCalibrationCache(dir, key, Date.parse(SAMPLE.measuredAt) + CALIBRATION_MAX_AGE_MS + 1)).toBeUndefined();
    expect(readCalibrationCache(dir, key, Date.parse(SAMPLE.measuredAt) - 60_000)).toBeUndefined();
    const file = cacheFile(dir, key);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length / 2));
    expect(readCalibrationCache(dir, key)).toBeUndefined();
    writeFileSync(file, text.replace('"harnessOverheadNs": 112', '"harnessOverheadNs": "fast"'));
    expect(readCalibrationCache(dir, key)).toBeUndefined();
    expect(readCalibrationCache(tempDir(), key)).toBeUndefined();
  });

  it('a write that cannot happen returns false instead of throwing', () => {
    const blocker = path.join(tempDir(), 'a-file');
    writeFileSync(blocker, 'not a directory');
    expect(writeCalibrationCache(path.join(blocker, 'sub'), key, SAMPLE)).toBe(false);
    expect(writeCalibrationCache(blocker, key, SAMPLE)).toBe(false);
    expect(readdirSync(path.dirname(blocker))).toEqual(['a-file']);
  });
});

describe('calibrationForRun', () => {
  it('uses the cache when it has this machine, without measuring', async () => {
    const dir = tempDir();
    const env = { CLUSTER_BENCH_CACHE_DIR: dir };
    writeCalibrationCache(dir, machineKey('1.2.3'), SAMPLE);
    const file = cacheFile(dir, machineKey('1.2.3'));
    const before = readFileSync(file, 'utf8');
    // The cached figures themselves (a fresh measurement would say cached: false and rewrite the file).
    expect(await calibrationForRun(env, '1.2.3')).toEqual({ ...SAMPLE, cached: true });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('measures and caches on a miss, only looks when told not to measure, and can be turned off', async () => {
    const dir = path.join(tempDir(), 'cache');
    const env: Record<string, string> = { CLUSTER_BENCH_CACHE_DIR: dir };
    expect(await calibrationForRun(env, '1.2.4', { measure: false })).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    const fresh = await calibrationForRun(env, '1.2.4');
    expect(fresh?.cached).toBe(false);
    expect(fresh?.harnessOverheadNs).toBeGreaterThanOrEqual(0);
    expect(await calibrationForRun(env, '1.2.4')).toEqual({ ...fresh, cached: true });
    env['CLUSTER_BENCH_CALIBRATION'] = 'off';
    expect(await calibrationForRun(env, '1.2.4')).toBeUndefined();
  });

  it('a cache directory that cannot be created does not fail the run', async () => {
    const blocker = path.join(tempDir(), 'file');
    writeFileSync(blocker, 'x');
    const env = { CLUSTER_BENCH_CACHE_DIR: path.join(blocker, 'sub') };
    mkdirSync(path.dirname(blocker), { recursive: true });
    const c = await calibrationForRun(env, '1.2.5');
    expect(c?.cached).toBe(false);
  });
});
