import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';
import type { RunResult } from '../../src/results/types.js';
import { shardResult, values } from '../results/shard-fixture.js';

const TINY = `name: tiny
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 90, concurrency: 3 }
targets:
  - metric: LLM call response
    expr: "calls p99 < 1ns / < 1ns"
`;

function writeShards(dir: string, shards: RunResult[]): string[] {
  mkdirSync(dir, { recursive: true });
  return shards.map((r, i) => {
    const file = path.join(dir, `shard-${i}.json`);
    writeFileSync(file, JSON.stringify(r));
    return file;
  });
}

const oneLine = (stderr: string): void => expect(stderr.trim().split('\n')).toHaveLength(1);

describe('run --shard', () => {
  it('runs this machine\'s stripe, applies no gate, and writes a shard block with the targets for merge', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'tiny.yaml'), TINY);
    const r = await runInProcess(['run', 'tiny.yaml', '--shard', '1/3', '--run-id', 'r7', '-o', 'out/{run}/shard-{shard}.json', '--no-save'], { cwd });
    // The target cannot be met, but a shard holds no verdicts: exit 0.
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(path.join(cwd, 'out/r7/shard-1.json'), 'utf8')) as RunResult;
    expect(result.shard).toMatchObject({ index: 1, total: 3, runId: 'r7', workers: 1, histogram: { significantDigits: 3, bucketBits: 64 } });
    expect(result.shard?.scenarioHash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.shard?.targets['tiny']?.[0]).toMatchObject({ source: 'calls p99 < 1ns / < 1ns' });
    expect(result.scenarios[0]!.targets).toEqual([]);
    expect(result.gate).toMatchObject({ enabled: false, passed: true });
    expect(result.scenarios[0]!.phases[0]!.count).toBe(30);
    expect(r.stdout).toContain('shard 1 of 3 (0-based) of run r7: one part of the load, no verdicts; merge the shards first');
  });

  it.each([
    ['JOB_COMPLETION_INDEX', '2', 2],
    ['AWS_BATCH_JOB_ARRAY_INDEX', '0', 0],
    ['CLOUD_RUN_TASK_INDEX', '1', 1],
    ['CI_NODE_INDEX', '3', 2],
  ])('--shard auto/3 takes its index from %s=%s (shard %i)', async (name, value, index) => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'tiny.yaml'), TINY);
    const r = await runInProcess(['run', 'tiny.yaml', '--shard', 'auto/3', '-o', 's.json', '--no-save'], { cwd, env: { [name]: value } });
    expect(r.code).toBe(0);
    expect((JSON.parse(readFileSync(path.join(cwd, 's.json'), 'utf8')) as RunResult).shard?.index).toBe(index);
  });

  it.each<[string[], Record<string, string>, string]>([
    [['--shard', '3/2'], {}, '--shard "3/2": shard 3 of 2 does not exist (shards count from 0: 0/2 to 1/2)'],
    [['--shard', 'auto/4'], {}, '--shard "auto/4": no shard index in the environment (looked for JOB_COMPLETION_INDEX (Kubernetes Indexed Job), AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job), CLOUD_RUN_TASK_INDEX (Cloud Run job), CI_NODE_INDEX (GitLab parallel)); set one, or pass --shard i/4'],
    [['--shard', 'auto/4'], { JOB_COMPLETION_INDEX: '4' }, '--shard "auto/4": JOB_COMPLETION_INDEX="4" is not a shard of 4 (expected 0 to 3)'],
    [['--shard', 'two/4'], {}, '--shard "two/4": expected i/N (i from 0 to N-1, N from 1 to 10000) or auto/N'],
    [['--start-at', 'tomorrow'], {}, '--start-at "tomorrow": expected an ISO time with a zone (2026-11-29T13:00:00Z) or +DURATION (+30s)'],
    [['--start-at', '2026-11-29T13:00:00'], {}, '--start-at "2026-11-29T13:00:00": expected an ISO time with a zone (2026-11-29T13:00:00Z) or +DURATION (+30s)'],
    [['--run-id', 'a b'], {}, '--run-id "a b": expected 1 to 100 letters, digits, ".", "_" or "-" (it goes into file names)'],
    [['-o', 'x-{shard}.json'], {}, '-o "x-{shard}.json": {shard} needs --shard'],
  ])('bad input %j: exit 2 and one line', async (args, env, message) => {
    const r = await runInProcess(['run', 'stress', ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cluster-bench: error: ${message}\n`);
  });
});

describe('merge', () => {
  it('joins a directory of shard files into a normal result that report reads; exit 0 when targets are met', async () => {
    const cwd = tempDir();
    writeShards(path.join(cwd, 'shards'), [0, 1, 2].map((index) => shardResult({ index, total: 3, values: values(200, 1_000_000 * (index + 1)) })));
    const r = await runInProcess(['merge', 'shards', '--expect-shards', '3', '-o', 'merged.json'], { cwd });
    expect(r.stderr).toBe('merged result written to merged.json\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('merged from 3 of 3 shards of run run-1');
    const merged = JSON.parse(readFileSync(path.join(cwd, 'merged.json'), 'utf8')) as RunResult;
    expect(merged.shard).toBeUndefined();
    expect(merged.scenarios[0]!.phases[0]!.count).toBe(600);
    const report = await runInProcess(['report', 'merged.json'], { cwd });
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('merged from 3 of 3 shards');
    expect((await runInProcess(['compare', 'merged.json', 'merged.json'], { cwd })).code).toBe(0);
  });

  it('the aggregation trap: merge judges the whole run and exits 1', async () => {
    const cwd = tempDir();
    const files = writeShards(cwd, [
      shardResult({ index: 0, total: 3, values: values(1000, 20_000_000) }),
      shardResult({ index: 1, total: 3, values: values(1000, 20_000_000) }),
      shardResult({ index: 2, total: 3, values: values(950, 20_000_000, 50, 250_000_000) }),
    ]);
    const r = await runInProcess(['merge', ...files], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/gate: failed/);
  });

  it.each<[string, () => RunResult[], RegExp]>([
    ['mismatched run ids', () => [shardResult({ index: 0, total: 2, values: [1] }), shardResult({ index: 1, total: 2, values: [1], runId: 'other' })], /shard-0\.json is from run run-1, .*shard-1\.json from run other: shards of different runs$/],
    ['a duplicate shard', () => [shardResult({ index: 0, total: 2, values: [1] }), shardResult({ index: 0, total: 2, values: [1] })], /shard-0\.json and .*shard-1\.json are both shard 0 of 2: one file per shard$/],
    ['a missing shard', () => [shardResult({ index: 0, total: 2, values: [1] })], /^cluster-bench: error: shard 1 of 2 missing \(given: 0\): pass --allow-partial/],
  ])('refuses %s: exit 2, one line naming the files', async (_name, make, message) => {
    const cwd = tempDir();
    const files = writeShards(cwd, make());
    const r = await runInProcess(['merge', ...files], { cwd });
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('report and compare on a shard file say "merge first" (exit 2, one line)', async () => {
    const cwd = tempDir();
    const [file] = writeShards(cwd, [shardResult({ index: 0, total: 2, values: [1] })]);
    for (const args of [['report', file!], ['compare', file!, file!]]) {
      const r = await runInProcess(args, { cwd });
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toContain('shard 0 of 2 of run run-1, one part of a sharded run: merge the shards first (cluster-bench merge <files or dir>)');
    }
  });
});
