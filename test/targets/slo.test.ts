import { describe, expect, it } from 'vitest';
import type { PhaseResult, ScenarioResult } from '../../src/results/types.js';
import { measure, measurePhase } from '../../src/targets/evaluate.js';
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
