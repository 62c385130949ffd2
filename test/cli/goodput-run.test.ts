import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/types.js';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';

const SCENARIO = `
name: goodput-check
providers:
  llm: { latency: 2ms }
phases:
  - name: lenient
    op: llm.call
    executor: { type: rate, rate: 100, duration: 500ms }
    goodput: { latency: 5s, ttft: 5s }
  - name: strict
    op: llm.call
    executor: { type: rate, rate: 100, duration: 500ms }
    goodput: { latency: 1ms }
targets:
  - metric: good requests
    expr: "lenient goodput > 99% / > 99.9%"
  - metric: good requests per second
    expr: "lenient goodputRate > 10/s / > 20/s"
  - metric: good requests (strict)
    expr: "strict goodput > 50% / > 90%"
`;

describe('goodput in a run', () => {
  it('reports the good fraction and rate per phase, and targets judge them', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'g.yaml'), SCENARIO);
    const r = await runInProcess(['run', 'g.yaml', '--no-save', '--out', 'g.json', '--seed', '1'], { cwd: dir });
    // The strict phase asks for 1 ms of a 2 ms model: nothing is good, so its target is red.
    expect(r.code).toBe(1);
    const result = JSON.parse(readFileSync(path.join(dir, 'g.json'), 'utf8')) as RunResult;
    const [lenient, strict] = result.scenarios[0]!.phases;
    expect(lenient!.goodput).toMatchObject({ latencyNs: 5e9, ttftNs: 5e9, good: lenient!.count, fraction: 1 });
    expect(lenient!.goodput!.rate).toBeCloseTo((lenient!.count * 1000) / lenient!.durationMs, 6);
    expect(strict!.goodput).toMatchObject({ latencyNs: 1e6, good: 0, fraction: 0, rate: 0 });
    expect(result.scenarios[0]!.targets.map((t) => t.status)).toEqual(['green', 'green', 'red']);
    expect(r.stdout).toContain('lenient: goodput 100% (');
    expect(r.stdout).toContain('requests that succeeded with latency ≤ 5s and ttft ≤ 5s');
  });

  it('a goodput target on a phase without a goodput definition is bad input', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'g.yaml'), SCENARIO.replace('    goodput: { latency: 1ms }\n', ''));
    const r = await runInProcess(['run', 'g.yaml', '--no-save'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('cluster-bench: error: g.yaml: targets.2.expr: phase "strict" defines no goodput (add goodput: { latency: 50ms } or { ttft: 200ms } to it)');
  });
});
