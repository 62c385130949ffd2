import { describe, expect, it } from 'vitest';
import { measuresRow } from '../../src/targets/seed-matrix.js';
import type { LatencySummary, PhaseResult, ScenarioResult, Status, TargetResult } from '../../src/results/types.js';
import { evaluateGate, evaluateTarget, evaluateTargets, measure } from '../../src/targets/evaluate.js';
import { parseTarget } from '../../src/targets/parse.js';
import { seedCoverage, SEED_MATRIX } from '../../src/targets/seed-matrix.js';
import { FIXTURE } from '../report/fixture.js';

const MS = 1e6;
const MB = 1024 * 1024;

function latency(count: number, p99: number): LatencySummary {
  return { unit: 'ns', count, min: p99 / 4, mean: p99 / 2, stddev: 1, p50: p99 / 2, p90: p99 * 0.8, p95: p99 * 0.9, p99, p999: p99 * 1.5, max: p99 * 2, histogram: '' };
}

function phase(name: string, over: Partial<PhaseResult> = {}): PhaseResult {
  return {
    name,
    op: 'llm.call',
    description: '',
    executor: { kind: 'iterations', iterations: 100, concurrency: 1 },
    warmup: 0,
    timeoutMs: 1000,
    count: 100,
    errors: 0,
    errorsByKind: {},
    errorRate: 0,
    durationMs: 100,
    throughput: 1000,
    latency: latency(100, 40 * MS),
    batchTimed: false,
    ...over,
  };
}

function scenario(phases: PhaseResult[], over: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    name: 's',
    description: '',
    source: 'builtin:s',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    providers: { llm: { simulated: true, transport: 'simulated', config: {} }, memory: {}, agent: {} },
    phases,
    targets: [],
    memory: [],
    ...over,
  };
}

describe('measure', () => {
  const s = scenario(
    [
      phase('seq', { latency: latency(100, 40 * MS), throughput: 1500, errorRate: 0.002, count: 500, heapAfterGc: 30 * MB }),
      phase('empty', { count: 0, throughput: 0, latency: latency(0, 0) }),
    ],
    { memory: [{ label: 'baseline', heapUsed: 12 * MB, rss: 50 * MB }] },
  );
  const cases: Array<[string, number | null]> = [
    ['seq p99 < 1s / < 1s', 40 * MS],
    ['seq p50 < 1s / < 1s', 20 * MS],
    ['seq p999 < 1s / < 1s', 60 * MS],
    ['seq max < 1s / < 1s', 80 * MS],
    ['seq throughput > 1/s / > 1/s', 1500],
    ['seq errorRate < 1% / < 1%', 0.002],
    ['seq count > 1 / > 1', 500],
    ['seq heapDelta < 1GB / < 1GB', 18 * MB],
    ['missing p99 < 1s / < 1s', null],
    // A phase without successful operations has an all-zero summary: not a measurement.
    ['empty p99 < 1s / < 1s', null],
    ['empty errorRate < 1% / < 1%', null],
    ['empty count >= 0 / >= 0', 0],
    ['empty throughput > 1/s / > 1/s', 0],
    // heapDelta of a phase without a heap figure.
    ['empty heapDelta < 1GB / < 1GB', null],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(measure(parseTarget(source, 'm'), s)).toBe(expected);
  });

  it('a figure that is not a finite number, or missing from an older result, measures nothing', () => {
    const odd = scenario([
      phase('nan', { throughput: Number.NaN, errorRate: Number.POSITIVE_INFINITY }),
      phase('old', { latency: { ...latency(100, 40 * MS), p999: undefined as unknown as number } }),
    ]);
    expect(measure(parseTarget('nan throughput > 1/s / > 1/s', 'm'), odd)).toBeNull();
    expect(measure(parseTarget('nan errorRate < 1% / < 1%', 'm'), odd)).toBeNull();
    expect(measure(parseTarget('old p999 < 1s / < 1s', 'm'), odd)).toBeNull();
    expect(evaluateTarget(parseTarget('old p999 < 1s / < 1s', 'm'), odd).status).toBe('red');
  });

  it('a statistic it does not know (a spec not made by parseTarget) measures nothing', () => {
    const spec = { ...parseTarget('seq p99 < 1s / < 1s', 'm'), stat: 'p42' as never };
    expect(measure(spec, s)).toBeNull();
  });

  it('heapDelta is null without a baseline snapshot', () => {
    const noBaseline = scenario([phase('seq', { heapAfterGc: 30 * MB })], { memory: [{ label: 'providers ready', heapUsed: 1, rss: 1 }] });
    expect(measure(parseTarget('seq heapDelta < 20MB / < 15MB', 'm'), noBaseline)).toBeNull();
  });
});

describe('evaluateTarget', () => {
  const cases: Array<[string, PhaseResult, number | null, Status]> = [
    ['seq p99 < 50ms / < 30ms', phase('seq', { latency: latency(10, 20 * MS) }), 20 * MS, 'green'],
    ['seq p99 < 50ms / < 30ms', phase('seq', { latency: latency(10, 40 * MS) }), 40 * MS, 'yellow'],
    ['seq p99 < 50ms / < 30ms', phase('seq', { latency: latency(10, 60 * MS) }), 60 * MS, 'red'],
    // Strict comparators: equal to the threshold does not meet it.
    ['seq p99 < 50ms / < 30ms', phase('seq', { latency: latency(10, 30 * MS) }), 30 * MS, 'yellow'],
    ['seq p99 < 50ms / < 30ms', phase('seq', { latency: latency(10, 50 * MS) }), 50 * MS, 'red'],
    ['seq p99 <= 50ms / <= 30ms', phase('seq', { latency: latency(10, 30 * MS) }), 30 * MS, 'green'],
    ['seq p99 <= 50ms / <= 30ms', phase('seq', { latency: latency(10, 50 * MS) }), 50 * MS, 'yellow'],
    ['load throughput > 1000/s / > 2000/s', phase('load', { throughput: 2500 }), 2500, 'green'],
    ['load throughput > 1000/s / > 2000/s', phase('load', { throughput: 1500 }), 1500, 'yellow'],
    ['load throughput > 1000/s / > 2000/s', phase('load', { throughput: 900 }), 900, 'red'],
    ['load throughput > 1000/s / > 2000/s', phase('load', { throughput: 2000 }), 2000, 'yellow'],
    ['load throughput >= 1000/s / >= 2000/s', phase('load', { throughput: 2000 }), 2000, 'green'],
    ['load throughput >= 1000/s / >= 2000/s', phase('load', { throughput: 1000 }), 1000, 'yellow'],
    ['load throughput >= 1000/s / >= 2000/s', phase('load', { throughput: 999 }), 999, 'red'],
    ['seq p99 <= 50ms / <= 30ms', phase('seq', { latency: latency(10, 51 * MS) }), 51 * MS, 'red'],
    ['load errorRate < 0.1% / < 0.01%', phase('load', { errorRate: 0.0005 }), 0.0005, 'yellow'],
    ['seq p99 < 50ms / < 30ms', phase('other'), null, 'red'],
  ];
  it.each(cases)('%s', (source, p, measured, status) => {
    const spec = parseTarget(source, 'LLM call response');
    const result = evaluateTarget(spec, scenario([p]));
    expect(result).toEqual<TargetResult>({
      metric: 'LLM call response',
      source,
      phase: spec.phase,
      stat: spec.stat,
      measured,
      unit: spec.unit,
      comparator: spec.comparator,
      current: spec.current,
      target: spec.target,
      status,
    });
  });

  it('heapDelta against the baseline snapshot', () => {
    const s = scenario([phase('after-ops', { heapAfterGc: 26 * MB })], {
      memory: [
        { label: 'providers ready', heapUsed: 11 * MB, rss: 1 },
        { label: 'baseline', heapUsed: 10 * MB, rss: 1 },
      ],
    });
    const r = evaluateTarget(parseTarget('after-ops heapDelta < 20MB / < 15MB', 'memory usage'), s);
    expect(r.measured).toBe(16 * MB);
    expect(r.status).toBe('yellow');
    expect(r.unit).toBe('bytes');
  });

  it('evaluateTargets judges every spec against the scenario, in order', () => {
    const s = scenario([phase('seq', { latency: latency(10, 40 * MS), throughput: 2500 })]);
    const specs = [parseTarget('seq throughput > 1000/s / > 2000/s', 'a'), parseTarget('seq p99 < 50ms / < 30ms', 'b'), parseTarget('gone p99 < 1s / < 1s', 'c')];
    expect(evaluateTargets(specs, s)).toEqual(specs.map((spec) => evaluateTarget(spec, s)));
    expect(evaluateTargets(specs, s).map((t) => [t.metric, t.status])).toEqual([
      ['a', 'green'],
      ['b', 'yellow'],
      ['c', 'red'],
    ]);
    expect(evaluateTargets([], s)).toEqual([]);
  });

  it('reproduces the statuses of the report fixture from its sources', () => {
    for (const s of FIXTURE.scenarios) {
      for (const t of s.targets) {
        const again = evaluateTarget(parseTarget(t.source, t.metric), s);
        expect(again, `${s.name}: ${t.source}`).toEqual(t);
      }
    }
  });
});

function withTargets(statuses: Status[], over: Partial<ScenarioResult> = {}): ScenarioResult {
  const targets = statuses.map(
    (status): TargetResult => ({ metric: 'm', source: 's', phase: 'p', stat: 'p99', measured: 1, unit: 'ns', comparator: '<', current: 2, target: 1, status }),
  );
  return scenario([], { targets, ...over });
}

describe('evaluateGate', () => {
  const cases: Array<[string, ScenarioResult[], { strict: boolean; enabled: boolean }, boolean, Record<Status, number>]> = [
    ['all green', [withTargets(['green', 'green'])], { strict: false, enabled: true }, true, { green: 2, yellow: 0, red: 0 }],
    ['yellow passes', [withTargets(['green', 'yellow'])], { strict: false, enabled: true }, true, { green: 1, yellow: 1, red: 0 }],
    ['yellow fails strict', [withTargets(['green', 'yellow'])], { strict: true, enabled: true }, false, { green: 1, yellow: 1, red: 0 }],
    ['red fails', [withTargets(['green']), withTargets(['red'])], { strict: false, enabled: true }, false, { green: 1, yellow: 0, red: 1 }],
    ['disabled passes but counts', [withTargets(['red', 'yellow'])], { strict: true, enabled: false }, true, { green: 0, yellow: 1, red: 1 }],
    ['failed scenario fails', [withTargets(['green'], { failure: 'boom' })], { strict: false, enabled: true }, false, { green: 1, yellow: 0, red: 0 }],
    ['failed scenario without targets fails', [withTargets([]), withTargets([], { failure: 'boom' })], { strict: false, enabled: true }, false, { green: 0, yellow: 0, red: 0 }],
    ['failed scenario, gate disabled', [withTargets([], { failure: 'boom' })], { strict: false, enabled: false }, true, { green: 0, yellow: 0, red: 0 }],
    ['no scenarios', [], { strict: true, enabled: true }, true, { green: 0, yellow: 0, red: 0 }],
  ];
  it.each(cases)('%s', (_name, scenarios, opts, passed, counts) => {
    expect(evaluateGate(scenarios, opts)).toEqual({ strict: opts.strict, enabled: opts.enabled, passed, counts });
  });

  it('agrees with the report fixture', () => {
    expect(evaluateGate(FIXTURE.scenarios, { strict: false, enabled: true })).toEqual(FIXTURE.gate);
  });
});

describe('seed matrix', () => {
  it('has the seed rows in order', () => {
    expect(SEED_MATRIX.map((r) => r.metric)).toEqual([
      'provider initialization',
      'LLM call response',
      'memory store',
      'memory retrieve',
      'agent execution',
      'concurrent throughput',
      'memory usage',
    ]);
    expect(SEED_MATRIX.find((r) => r.metric === 'concurrent throughput')).toMatchObject({ current: '1000 req/s', target: '2000 req/s' });
  });

  it('maps targets to rows by metric name', () => {
    const coverage = seedCoverage(FIXTURE.scenarios);
    const byMetric = Object.fromEntries(coverage.map((c) => [c.row.metric, c.targets.map((t) => `${t.scenario}: ${t.target.source}`)]));
    expect(byMetric['provider initialization']).toEqual([]);
    expect(byMetric['agent execution']).toEqual(['stress: load p99 < 100ms / < 50ms', 'agent: sequential p99 < 100ms / < 50ms']);
  });
});

describe('seed matrix rows', () => {
  it.each<[string, string, boolean]>([
    ['memory store', 'memory store', true],
    ['Memory Store (per 100 messages)', 'memory store', true],
    ['provider initialization (10 concurrent)', 'provider initialization', true],
    ['memory store throughput', 'memory store', false],
    ['memory usage', 'memory store', false],
  ])('%s measures %s: %s', (metric, row, expected) => {
    expect(measuresRow(metric, row)).toBe(expected);
  });
});
