import { describe, expect, it } from 'vitest';
import { TARGET_STATS, TargetParseError, parseTarget, type TargetSpec } from '../../src/targets/parse.js';

const MS = 1e6;
const MB = 1024 * 1024;

describe('parseTarget: valid expressions', () => {
  const cases: Array<[string, Omit<TargetSpec, 'metric' | 'source'>]> = [
    ['sequential p99 < 50ms / < 30ms', { phase: 'sequential', stat: 'p99', unit: 'ns', comparator: '<', current: 50 * MS, target: 30 * MS }],
    ['load throughput > 1000/s / > 2000/s', { phase: 'load', stat: 'throughput', unit: 'per_s', comparator: '>', current: 1000, target: 2000 }],
    ['load errorRate < 0.1% / < 0.01%', { phase: 'load', stat: 'errorRate', unit: 'fraction', comparator: '<', current: 0.001, target: 0.0001 }],
    ['after-ops heapDelta < 20MB / < 15MB', { phase: 'after-ops', stat: 'heapDelta', unit: 'bytes', comparator: '<', current: 20 * MB, target: 15 * MB }],
    ['batch-100 p99 < 1ms / < 0.5ms', { phase: 'batch-100', stat: 'p99', unit: 'ns', comparator: '<', current: 1 * MS, target: 0.5 * MS }],
    ['init max <= 15ms / <= 10ms', { phase: 'init', stat: 'max', unit: 'ns', comparator: '<=', current: 15 * MS, target: 10 * MS }],
    ['warm_up mean < 250us / < 100us', { phase: 'warm_up', stat: 'mean', unit: 'ns', comparator: '<', current: 250_000, target: 100_000 }],
    ['soak p50 < 1s / < 1s', { phase: 'soak', stat: 'p50', unit: 'ns', comparator: '<', current: 1e9, target: 1e9 }],
    ['load count >= 100000 / >= 100000', { phase: 'load', stat: 'count', unit: 'count', comparator: '>=', current: 100_000, target: 100_000 }],
    ['load errorRate <= 0.001 / <= 0', { phase: 'load', stat: 'errorRate', unit: 'fraction', comparator: '<=', current: 0.001, target: 0 }],
    ['load throughput >= 1000 req/s / >= 2000 req/s', { phase: 'load', stat: 'throughput', unit: 'per_s', comparator: '>=', current: 1000, target: 2000 }],
    ['ops heapDelta < 512KB / < 256KB', { phase: 'ops', stat: 'heapDelta', unit: 'bytes', comparator: '<', current: 512 * 1024, target: 256 * 1024 }],
    // Alias and spacing: the canonical stat is stored, the source is kept verbatim.
    ['  seq p99.9 <50ms/<30ms  ', { phase: 'seq', stat: 'p999', unit: 'ns', comparator: '<', current: 50 * MS, target: 30 * MS }],
    ['a p90<5ms / <4ms', { phase: 'a', stat: 'p90', unit: 'ns', comparator: '<', current: 5 * MS, target: 4 * MS }],
    ['seq  p99 < 50ms/ < 30ms', { phase: 'seq', stat: 'p99', unit: 'ns', comparator: '<', current: 50 * MS, target: 30 * MS }],
    // Numbers without a leading digit, decimals and spaced units, as people type them.
    ['load errorRate < .25 / < .125', { phase: 'load', stat: 'errorRate', unit: 'fraction', comparator: '<', current: 0.25, target: 0.125 }],
    ['load errorRate < 12.5% / < .25%', { phase: 'load', stat: 'errorRate', unit: 'fraction', comparator: '<', current: 0.125, target: 0.0025 }],
    ['load errorRate < 5 % / < 1 %', { phase: 'load', stat: 'errorRate', unit: 'fraction', comparator: '<', current: 0.05, target: 0.01 }],
    // 100 % is a legal (if lax) bound; only beyond it is a typo.
    ['load errorRate <= 100% / <= 1', { phase: 'load', stat: 'errorRate', unit: 'fraction', comparator: '<=', current: 1, target: 1 }],
    ['load throughput > .25/s / > 1000.25 ops / s', { phase: 'load', stat: 'throughput', unit: 'per_s', comparator: '>', current: 0.25, target: 1000.25 }],
    ['load count >= .25 / >= 10.5', { phase: 'load', stat: 'count', unit: 'count', comparator: '>=', current: 0.25, target: 10.5 }],
  ];
  it.each(cases)('%s', (source, expected) => {
    expect(parseTarget(source, 'some metric')).toEqual({ metric: 'some metric', source, ...expected });
  });

  it('accepts every listed statistic', () => {
    for (const stat of TARGET_STATS) {
      const rate = stat === 'throughput' || stat === 'goodputRate' || stat === 'capacity';
      const value = rate ? '10/s' : stat === 'errorRate' || stat === 'goodput' ? '1%' : stat === 'count' ? '10' : stat === 'heapDelta' ? '1MB' : '1ms';
      const cmp = rate || stat === 'count' ? '>' : '<';
      expect(parseTarget(`p ${stat} ${cmp} ${value} / ${cmp} ${value}`, 'm').stat).toBe(stat);
    }
  });
});

describe('parseTarget: errors', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty', '   ', /^empty expression \(expected "<phase> <stat>/],
    ['no target half', 'seq p99 < 50ms', /^missing "\/ <cmp> <target>" half/],
    ['nothing after slash', 'seq p99 < 50ms /', /^missing target after "\/"/],
    ['target without comparator', 'seq p99 < 50ms / 30ms', /^target "30ms" must start with a comparator \(allowed: <, <=, >, >=\)/],
    ['current without comparator', 'seq p99 50ms / < 30ms', /^current "50ms" must start with a comparator/],
    ['no current threshold', 'seq p99 / < 30ms', /^missing current threshold/],
    ['no phase', 'p99 < 50ms / < 30ms', /^expected a phase name and a statistic/],
    ['bad phase', 'Sequential p99 < 50ms / < 30ms', /^invalid phase name "Sequential" \(allowed: lowercase letters, digits, "_" and "-"\)/],
    ['phase with dot', 'agent.execute p99 < 50ms / < 30ms', /^invalid phase name "agent.execute"/],
    ['unknown stat', 'seq p98 < 50ms / < 30ms', /^unknown statistic "p98" \(allowed: min, mean, p50, p90, p95, p99, p999, max, throughput, errorRate, count, heapDelta, goodput, goodputRate, capacity\)$/],
    ['inherited property name', 'seq constructor < 1ms / < 1ms', /^unknown statistic "constructor"/],
    ['stat case', 'seq errorrate < 1% / < 1%', /^unknown statistic "errorrate"/],
    ['bad comparator', 'seq p99 = 50ms / = 30ms', /^current "= 50ms" must start with a comparator/],
    ['duration without unit', 'seq p99 < 50 / < 30ms', /^invalid current value "50" for p99 \(expected a duration such as 250us, 5ms or 1s\)$/],
    ['duration typo', 'seq p99 < 50ms / < 30xs', /^invalid target value "30xs" for p99/],
    ['rate without /s', 'load throughput > 1000 / > 2000/s', /^invalid current value "1000" for throughput \(expected a rate such as 2000\/s\)$/],
    ['percent over 100', 'load errorRate < 150% / < 1%', /^invalid current value "150%" for errorRate \(expected a percentage/],
    ['fraction over 1', 'load errorRate < 5 / < 1', /^invalid current value "5" for errorRate/],
    ['size without unit', 'ops heapDelta < 20 / < 15MB', /^invalid current value "20" for heapDelta \(expected a size such as 512KB or 20MB\)$/],
    ['count with unit', 'load count > 10ms / > 20ms', /^invalid current value "10ms" for count \(expected a plain number/],
    // Whole values only: text before or after a number is not silently dropped.
    ['count with junk before', 'load count > x10 / > 20', /^invalid current value "x10" for count/],
    ['rate with junk before', 'load throughput > x1000/s / > 2000/s', /^invalid current value "x1000\/s" for throughput/],
    ['rate with junk after', 'load throughput > 1000/sec / > 2000/s', /^invalid current value "1000\/sec" for throughput/],
    ['percent with junk before', 'load errorRate < x5% / < 1%', /^invalid current value "x5%" for errorRate/],
    ['percent with junk after', 'load errorRate < 5%x / < 1%', /^invalid current value "5%x" for errorRate/],
    ['text before the comparator', 'seq p99 x< 50ms / < 30ms', /^current "x< 50ms" must start with a comparator/],
    ['comparator before the phase', '>seq p99 < 50ms / < 30ms', /^expected a phase name and a statistic before the comparator/],
    ['missing value', 'seq p99 < / < 30ms', /^missing current value after "<"/],
    ['opposite directions', 'seq p99 < 50ms / > 30ms', /^current and target must use the same direction \(got "<" and ">"\)$/],
    ['mixed comparators', 'seq p99 < 50ms / <= 30ms', /^current and target must use the same comparator \(got "<" and "<="\)$/],
    ['target looser (<)', 'seq p99 < 30ms / < 50ms', /^target < 50ms is looser than current < 30ms \(the target must be at least as strict as current\)$/],
    ['target looser (>)', 'load throughput > 2000/s / > 1000/s', /^target > 1000\/s is looser than current > 2000\/s/],
  ];
  it.each(cases)('%s', (_name, source, detail) => {
    let caught: unknown;
    try {
      parseTarget(source, 'm');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TargetParseError);
    const err = caught as TargetParseError;
    expect(err.detail).toMatch(detail);
    expect(err.message).toBe(`invalid target "${source}": ${err.detail}`);
    expect(err.message).not.toContain('\n');
    expect(err.name).toBe('TargetParseError');
  });
});

describe('parseTarget: a line break inside an expression', () => {
  // A YAML block scalar can carry one; the part after it must not be silently dropped.
  it.each(['seq p99 < 50ms\nx / < 30ms', 'seq p99 < 50ms / < 30ms\nx'])('%j is rejected', (source) => {
    expect(() => parseTarget(source, 'm')).toThrow(TargetParseError);
  });
});
