/**
 * A golden report from a real run, beside the hand-built fixture: the scenario in
 * test/fixtures/seeded-run.yaml goes through the real runner, providers and renderers, with
 * the seeded simulated LLM timed on a virtual clock and fixed heap, event-loop and machine
 * readings. Every figure is then exact, so the report is compared to the letter: a change in
 * the runner, the providers, the simulated model, the targets or the renderers shows here.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/providers/random.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { tableRenderer } from '../../src/report/table.js';
import { RESULT_SCHEMA_VERSION, type Environment, type RunResult } from '../../src/results/types.js';
import type { Instruments } from '../../src/runner/instruments.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { loadScenario } from '../../src/scenarios/load.js';
import { evaluateGate, evaluateTargets } from '../../src/targets/evaluate.js';
import { goldenFiles } from '../helpers/golden.js';
import { FIXTURE } from './fixture.js';

const golden = goldenFiles(import.meta.url);
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const MB = 1024 * 1024;
const START = Date.UTC(2026, 10, 25, 10, 0, 0);
const SEED = 42;

// The hand-built fixture's machine.
const ENVIRONMENT: Environment = FIXTURE.environment;

/** The machine, held still: virtual time, and heap and event-loop readings that never move. */
function fixedInstruments(): Instruments {
  const clock = createVirtualClock();
  return {
    clock,
    date: () => new Date(START + clock.now()),
    heap: () => ({ heapUsed: 48 * MB, rss: 128 * MB }),
    rss: () => 128 * MB,
    loopMonitor: () => ({ read: () => ({ p50Ns: 0, p99Ns: 0, maxNs: 0 }), reset: () => undefined, stop: () => undefined }),
  };
}

/** One seeded run of the fixture scenario, assembled as `run` does. */
async function seededRun(): Promise<RunResult> {
  const instruments = fixedInstruments();
  const scenario = loadScenario('seeded-run.yaml', { cwd: FIXTURES });
  const result = await runScenario(scenario, { seed: SEED, instruments });
  result.targets = evaluateTargets(scenario.targets, result);
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'cluster-bench', version: '0.1.0' },
    command: `cluster-bench run ${path.join('test', 'fixtures', 'seeded-run.yaml')} --seed ${SEED}`,
    seed: SEED,
    startedAt: new Date(START).toISOString(),
    finishedAt: instruments.date().toISOString(),
    interrupted: false,
    environment: ENVIRONMENT,
    scenarios: [result],
    gate: evaluateGate([result], { strict: false, enabled: true }),
  };
}

describe('golden report of a seeded run on a virtual clock', () => {
  it('is the same, to the letter, every time', async () => {
    const [a, b] = [await seededRun(), await seededRun()];
    const phases = a.scenarios[0]!.phases;
    // The run really ran: every phase counted its operations, the injected faults, and latencies
    // drawn from the seeded lognormal model (p50 near its 5 ms).
    expect(phases.map((p) => p.count)).toEqual([200, 400, 200]);
    expect(phases.reduce((n, p) => n + p.errors, 0)).toBeGreaterThan(0);
    expect(phases[0]!.latency.p50).toBeGreaterThan(3e6);
    expect(phases[0]!.latency.p50).toBeLessThan(8e6);
    const md = renderMarkdownReport([a]);
    expect(renderMarkdownReport([b])).toBe(md);
    golden('seeded-run.md', md);
    golden('seeded-run.txt', tableRenderer.render(a, { color: false }));
  });

  it('times overlapping waits as overlapping: 8 in flight take an eighth of the time', async () => {
    const phases = (await seededRun()).scenarios[0]!.phases;
    const sequential = phases[0]!;
    const concurrent = phases[1]!;
    // Same latency model; 8 at a time: throughput about 8x, latency about the same.
    expect(concurrent.throughput / sequential.throughput).toBeGreaterThan(6);
    expect(concurrent.throughput / sequential.throughput).toBeLessThan(10);
    expect(concurrent.latency.p50 / sequential.latency.p50).toBeGreaterThan(0.7);
    expect(concurrent.latency.p50 / sequential.latency.p50).toBeLessThan(1.4);
  });
});
