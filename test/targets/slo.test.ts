import { describe, expect, it } from 'vitest';
import type { PhaseResult, ScenarioResult } from '../../src/results/types.js';
import { evaluateTarget, measure, measurePhase } from '../../src/targets/evaluate.js';
import { parseTarget } from '../../src/targets/parse.js';
import { DEFAULT_ERROR_SLO, evaluateStepSlos, isCapacityTarget, parseSlo } from '../../src/targets/slo.js';

const phase = {
  name: 'load',
  count: 1000,
  errorRate: 0.01,
  throughput: 400,
  latency: { count: 990, p99: 40e6 },
  goodput: { latencyNs: 50e6, good: 970, fraction: 0.97, rate: 388 },
} as unknown as PhaseResult;

describe('targets: goodput and capacity', () => {
  it('parses goodput (a fraction) and goodputRate (a rate) and measures them from the phase', () => {
    const g = parseTarget('load goodput > 95% / > 99%', 'goodput');
    expect(g).toMatchObject({ phase: 'load', stat: 'goodput', unit: 'fraction', current: 0.95, target: 0.99 });
    const r = parseTarget('load goodputRate > 300/s / > 400/s', 'good requests');
    expect(r).toMatchObject({ stat: 'goodputRate', unit: 'per_s', current: 300 });
    expect(measurePhase('goodput', phase)).toBe(0.97);
    expect(measurePhase('goodputRate', phase)).toBe(388);
    // A phase without a goodput definition measures nothing (red), never a perfect score.
    expect(measurePhase('goodput', { ...phase, goodput: undefined } as PhaseResult)).toBeNull();
  });

  it('parses "capacity > 300/s / > 400/s" without a phase, and measures the search\'s capacity', () => {
    const t = parseTarget('capacity > 300/s / > 400/s', 'capacity');
    expect(t).toMatchObject({ phase: '', stat: 'capacity', unit: 'per_s', comparator: '>', current: 300, target: 400 });
    expect(isCapacityTarget(t)).toBe(true);
    const scenario = { phases: [], memory: [], capacity: { phase: 'load', capacity: 406 } } as unknown as ScenarioResult;
    expect(measure(t, scenario)).toBe(406);
    // A search that found no knee has no capacity to gate on.
    expect(measure(t, { ...scenario, capacity: { phase: 'load', verdict: 'generator-bound' } } as unknown as ScenarioResult)).toBeNull();
    // With a phase, only that phase's search counts.
    expect(measure(parseTarget('other capacity > 300/s / > 400/s', 'c'), scenario)).toBeNull();
    expect(measure(parseTarget('load capacity > 300/s / > 400/s', 'c'), scenario)).toBe(406);
  });
});

describe('targets: goodput and capacity that were not measured', () => {
  const scenarioOf = (p: PhaseResult, capacity?: unknown): ScenarioResult =>
    ({ name: 's', phases: [p], memory: [], ...(capacity !== undefined ? { capacity } : {}) }) as unknown as ScenarioResult;

  it('a phase that finished no operation has no goodput: red and not measured, even for a "<" target', () => {
    const idle = { ...phase, count: 0, goodput: { latencyNs: 50e6, good: 0, fraction: 0, rate: 0 } } as PhaseResult;
    const r = evaluateTarget(parseTarget('load goodput < 50% / < 10%', 'few good'), scenarioOf(idle));
    expect(r).toMatchObject({ measured: null, status: 'red' });
  });

  it('a phase without a goodput definition has no goodputRate: red, not measured', () => {
    const plain = { ...phase, goodput: undefined } as PhaseResult;
    expect(evaluateTarget(parseTarget('load goodputRate > 300/s / > 400/s', 'good requests'), scenarioOf(plain))).toMatchObject({ measured: null, status: 'red' });
  });

  it('a capacity target on a run that searched no capacity: red, not measured', () => {
    const t = parseTarget('capacity > 300/s / > 400/s', 'capacity');
    expect(evaluateTarget(t, scenarioOf(phase))).toMatchObject({ measured: null, status: 'red' });
    expect(evaluateTarget(parseTarget('load capacity > 300/s / > 400/s', 'c'), scenarioOf(phase))).toMatchObject({ measured: null, status: 'red' });
    expect(evaluateTarget(t, scenarioOf(phase, { phase: 'load', capacity: 406 }))).toMatchObject({ measured: 406, status: 'green' });
  });
});

describe('parseTarget: the phaseless capacity target', () => {
  it('takes the comparator with or without a space after "capacity", as any other target', () => {
    for (const text of ['capacity>300/s / > 400/s', 'capacity  >300/s / >400/s', 'capacity >= 300/s / >= 400/s']) {
      expect(parseTarget(text, 'c'), text).toMatchObject({ phase: '', stat: 'capacity', current: 300, target: 400 });
    }
    expect(parseTarget('load p99<3ms / <2ms', 'p')).toMatchObject({ phase: 'load', stat: 'p99', current: 3e6 });
  });

  it('rejects a capacity target with a second line in its first half instead of dropping that line', () => {
    expect(() => parseTarget('capacity > 300/s\nload / > 400/s', 'c')).toThrow(/expected a phase name and a statistic before the comparator/);
  });
});

describe('parseSlo', () => {
  it('takes "<stat> <cmp> <value>" (one threshold) or a full target with two', () => {
    expect(parseSlo('p99 < 50ms', 'load')).toMatchObject({ phase: 'load', stat: 'p99', comparator: '<', current: 50e6, target: 50e6, source: 'p99 < 50ms' });
    expect(parseSlo('errorRate < 0.1%', 'load')).toMatchObject({ stat: 'errorRate', current: 0.001 });
    expect(parseSlo('goodput > 95% / > 99%', 'load')).toMatchObject({ stat: 'goodput', current: 0.95, target: 0.99 });
    expect(parseSlo(DEFAULT_ERROR_SLO, 'x').current).toBe(0.01);
  });

  it('rejects an unknown statistic and the ones a step cannot be held to, in one line', () => {
    expect(() => parseSlo('p42 < 5ms', 'load')).toThrow(/^--slo "p42 < 5ms": unknown statistic "p42" \(allowed: .*\) \(an SLO is "<stat> <cmp> <value>", e\.g\. "p99 < 50ms"\)$/);
    expect(() => parseSlo('throughput > 5/s', 'load')).toThrow(/^--slo "throughput > 5\/s": throughput cannot be a step's SLO: it follows the offered rate of each step \(allowed: min, mean, p50, p90, p95, p99, p999, max, errorRate, goodput\)$/);
    expect(() => parseSlo('goodputRate > 5/s', 'load')).toThrow(/use goodput, the fraction/);
    expect(() => parseSlo('p99 < soon', 'load')).toThrow(/invalid current value "soon" for p99/);
  });

  it('evaluates SLOs on a step: measured value and status', () => {
    const out = evaluateStepSlos([parseSlo('p99 < 50ms', 'load'), parseSlo('errorRate < 0.5%', 'load')], phase);
    expect(out).toEqual([
      { source: 'p99 < 50ms', stat: 'p99', measured: 40e6, status: 'green' },
      { source: 'errorRate < 0.5%', stat: 'errorRate', measured: 0.01, status: 'red' },
    ]);
  });
});
