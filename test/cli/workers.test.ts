/**
 * `run --workers`: the main thread runs src/ (in-process), the worker threads run the built
 * dist/runner/worker-main.js (Node 20 cannot load .ts in a Worker; `npm test` builds first).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';
import { shareOps, splitPhase } from '../../src/runner/split.js';
import type { RunResult } from '../../src/results/types.js';

const CRASH_PLUGIN = path.resolve('test/fixtures/plugins/crash-in-worker-2.mjs');

/** A closed phase, an open one and a sequential one: every executor kind split over threads. */
const SCENARIO = `name: threads
description: every executor over worker threads
phases:
  - name: users
    op: agent.execute
    params: { sessions: 40 }
    executor: { type: vus, vus: 10, iterationsPerVu: 30 }
    warmup: 20
  - name: open
    op: memory.store
    params: { sessions: 8 }
    executor: { type: rate, rate: 200, duration: 1s, maxInFlight: 16 }
  - name: one-at-a-time
    op: llm.call
    executor: { type: iterations, iterations: 50 }
targets:
  - metric: error rate
    expr: "users errorRate < 1% / < 0.1%"
`;

function setup(text = SCENARIO): string {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 's.yaml'), text);
  return cwd;
}

function read(cwd: string, file = 'r.json'): RunResult {
  return JSON.parse(readFileSync(path.join(cwd, file), 'utf8')) as RunResult;
}

describe('run --workers', () => {
  it('splits every phase over the threads and merges their figures: counts add up to the whole, histograms too', async () => {
    const cwd = setup();
    const r = await runInProcess(['run', 's.yaml', '--workers', '2', '--seed', '3', '--out', 'r.json', '--no-save'], { cwd });
    expect(r.stderr).not.toMatch(/error:|crashed/i);
    expect(r.code).toBe(0);
    const s = read(cwd).scenarios[0]!;
    expect(s.phases.map((p) => [p.name, p.count, p.errors])).toEqual([
      ['users', 300, 0],
      ['open', 200, 0],
      ['one-at-a-time', 50, 0],
    ]);
    for (const p of s.phases) expect(p.latency.count).toBe(p.count);
    expect(s.phases[0]!.steps?.['llm']?.count).toBeGreaterThan(0);
    expect(s.execution?.workers).toBe(2);
    // Each worker ran exactly its share, and started each phase from the common t0.
    const parts = s.execution?.parts ?? [];
    expect(parts.map((p) => p.worker)).toEqual([1, 2]);
    const spec = { kind: 'vus', vus: 10, iterationsPerVu: 30 } as const;
    expect(parts.map((p) => p.counts['users'])).toEqual([0, 1].map((w) => shareOps(splitPhase(spec, [{ index: w, count: 2 }]))));
    expect(parts.map((p) => p.counts['open'])).toEqual([100, 100]);
    // A sequential phase stays sequential: one thread runs it all.
    expect(parts.map((p) => p.counts['one-at-a-time']).sort()).toEqual([0, 50]);
    const starts = parts.map((p) => p.starts['users']!);
    expect(Math.abs(starts[0]! - starts[1]!)).toBeLessThan(250);
    expect(s.targets[0]).toMatchObject({ status: 'green' });
  });

  it('--workers 1 is the single-thread run: no worker block, the same counts', async () => {
    const cwd = setup();
    const r = await runInProcess(['run', 's.yaml', '--workers', '1', '--seed', '3', '--out', 'r.json', '--no-save'], { cwd });
    expect(r.code).toBe(0);
    const s = read(cwd).scenarios[0]!;
    expect(s.execution).toBeUndefined();
    expect(s.phases.map((p) => p.count)).toEqual([300, 200, 50]);
  });

  it('a memory-measuring scenario stays on the main thread and says so', async () => {
    const cwd = tempDir();
    const r = await runInProcess(['run', 'memory', '--workers', '2', '--out', 'r.json', '--no-save', '--no-gate'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('memory: runs on the main thread: it measures memory (heapDelta targets), and heaps of separate threads do not add up');
    expect(read(cwd).scenarios[0]!.execution).toEqual({ workers: 1, mainThreadReason: expect.stringContaining('heapDelta') });
  });

  it('a crashing worker stops the others, keeps their figures, and exits 3', async () => {
    const cwd = setup(`name: crash
phases:
  - name: calls
    op: llm.call
    executor: { type: vus, vus: 4, duration: 20s }
providers:
  llm: { module: ${JSON.stringify(CRASH_PLUGIN)} }
`);
    const t0 = Date.now();
    const r = await runInProcess(['run', 's.yaml', '--workers', '2', '--out', 'r.json', '--no-save'], { cwd });
    expect(r.code).toBe(3);
    // Stopped well before its 20 s.
    expect(Date.now() - t0).toBeLessThan(15_000);
    const s = read(cwd).scenarios[0]!;
    expect(s.failure).toMatch(/^worker 2: crashed: boom in worker 2/);
    const one = s.execution?.parts?.find((p) => p.worker === 1);
    expect(one?.counts['calls']).toBeGreaterThan(0);
    expect(s.phases[0]!.count).toBeGreaterThanOrEqual(one!.counts['calls']!);
  });

  it.each([
    ['0', '--workers "0": expected auto (one per core) or a whole number from 1 to 1024'],
    ['two', '--workers "two": expected auto (one per core) or a whole number from 1 to 1024'],
  ])('--workers %s is bad input: exit 2, one line', async (value, message) => {
    const r = await runInProcess(['run', 'stress', '--workers', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cluster-bench: error: ${message}\n`);
  });
});
