import { describe, expect, it } from 'vitest';
import { mergeTrials, trialFigures } from '../../src/compare/trials.js';
import { decodeRecorder } from '../../src/metrics/histogram.js';
import { phaseResult, scenario } from './synthetic.js';

describe('mergeTrials', () => {
  const t1 = scenario('s', [phaseResult({ name: 'a', medianMs: 5, seed: 1, count: 400 }), phaseResult({ name: 'b', medianMs: 1, seed: 2, count: 100 })]);
  const t2 = scenario('s', [phaseResult({ name: 'a', medianMs: 6, seed: 3, count: 600 }), phaseResult({ name: 'b', medianMs: 1, seed: 4, count: 100 })]);
  t1.phases[0]!.heapAfterGc = 111;
  t2.phases[0]!.heapAfterGc = 999;
  t1.phases[0]!.errors = 2;
  t1.phases[0]!.errorsByKind = { timeout: 2 };
  t2.phases[0]!.errors = 1;
  t2.phases[0]!.errorsByKind = { timeout: 1 };
  t1.memory = [{ label: 'baseline', heapUsed: 10, rss: 20 }];
  t2.memory = [{ label: 'baseline', heapUsed: 30, rss: 40 }];

  it('trials timed differently are pooled with a warning that says so', () => {
    const batch = scenario('s', [{ ...phaseResult({ name: 'a', medianMs: 0.0005, seed: 7 }), batchTimed: true, batchSize: 50, timing: { mode: 'batch', batchSize: 50, basis: 'auto', estimateNs: 900 } }]);
    const perOp = scenario('s', [{ ...phaseResult({ name: 'a', medianMs: 0.0025, seed: 8 }), timing: { mode: 'per-op', batchSize: 1, basis: 'auto', estimateNs: 2100 } }]);
    const m = mergeTrials([batch, perOp, batch]);
    expect(m.phases[0]!.health?.warnings).toEqual([
      'trials were timed differently (2 batch-timed, 1 per operation): the pooled latency mixes batch means with single operations; pin batch: in the scenario',
    ]);
    expect(mergeTrials([batch, batch]).phases[0]!.health).toBeUndefined();
  });

  it('one trial is returned as it is, without a trials list', () => {
    expect(mergeTrials([t1])).toBe(t1);
  });

  it('pools every operation: counts summed, latency from the merged histograms, throughput over all phase time', () => {
    const m = mergeTrials([t1, t2]);
    const a = m.phases[0]!;
    expect(a.count).toBe(1000);
    expect(a.errors).toBe(3);
    expect(a.errorsByKind).toEqual({ timeout: 3 });
    expect(a.errorRate).toBeCloseTo(0.003, 12);
    expect(a.latency.count).toBe(1000);
    expect(a.durationMs).toBeCloseTo(t1.phases[0]!.durationMs + t2.phases[0]!.durationMs, 9);
    expect(a.throughput).toBeCloseTo((1000 / a.durationMs) * 1000, 9);
    // 600 of the 1000 operations come from the 6 ms trial: the pooled median lies in it.
    expect(a.latency.p50).toBeGreaterThan(5.4e6);
    const r = decodeRecorder(a.latency.histogram);
    expect(r.count).toBe(1000);
    r.destroy();
  });

  it('pools step and token histograms like the latency, sums counters, averages per-operation figures', () => {
    const a1 = phaseResult({ name: 'a', medianMs: 5, seed: 5, count: 300 });
    const a2 = phaseResult({ name: 'a', medianMs: 5, seed: 6, count: 100 });
    a1.steps = { llm: a1.latency };
    a2.steps = { llm: a2.latency };
    a1.ttft = a1.latency;
    a2.ttft = a2.latency;
    // Which extras are totals comes with the result: any provider's counter, whatever its name.
    a1.extra = { cacheHits: 10, fixtureCalls: 3, toolCallsPerExecution: 2 };
    a2.extra = { cacheHits: 5, fixtureCalls: 1, toolCallsPerExecution: 4 };
    a1.extraTotals = ['cacheHits', 'fixtureCalls'];
    a2.extraTotals = ['cacheHits', 'fixtureCalls'];
    const m = mergeTrials([scenario('s', [a1]), scenario('s', [a2])]).phases[0]!;
    expect(m.steps?.['llm']?.count).toBe(400);
    expect(m.ttft?.count).toBe(400);
    expect(m.extra?.['cacheHits']).toBe(15);
    expect(m.extra?.['fixtureCalls']).toBe(4);
    expect(m.extraTotals).toEqual(['cacheHits', 'fixtureCalls']);
    // Weighted by operations: (2 x 300 + 4 x 100) / 400.
    expect(m.extra?.['toolCallsPerExecution']).toBeCloseTo(2.5, 12);
  });

  it('keeps each trial\'s figures, and the first trial\'s memory and heap readings', () => {
    const m = mergeTrials([t1, t2]);
    expect(m.trials).toEqual([trialFigures(t1), trialFigures(t2)]);
    expect(m.trials?.[1]?.phases[0]).toMatchObject({ name: 'a', count: 600, p50: t2.phases[0]!.latency.p50 });
    expect(m.memory).toEqual(t1.memory);
    expect(m.phases[0]!.heapAfterGc).toBe(111);
    expect(m.durationMs).toBe(t1.durationMs + t2.durationMs);
  });

  it('sums the clamped latencies of the trials, and reports none when no trial clamped', () => {
    const c1 = phaseResult({ name: 'a', medianMs: 5, seed: 7, count: 100 });
    const c2 = phaseResult({ name: 'a', medianMs: 5, seed: 8, count: 100 });
    const c3 = phaseResult({ name: 'a', medianMs: 5, seed: 9, count: 100 });
    c1.clamped = 3;
    c3.clamped = 4;
    expect(mergeTrials([scenario('s', [c1]), scenario('s', [c2]), scenario('s', [c3])]).phases[0]!.clamped).toBe(7);
    const clean = mergeTrials([scenario('s', [phaseResult({ name: 'a', medianMs: 5, seed: 7 })]), scenario('s', [c2])]).phases[0]!;
    expect(clean).not.toHaveProperty('clamped');
  });

  it('merges a phase only some trials reached, and collects failures by trial', () => {
    const crashed = { ...t2, phases: [t2.phases[0]!], failure: 'phase "b": boom' };
    const m = mergeTrials([t1, crashed]);
    expect(m.phases.map((p) => [p.name, p.count])).toEqual([
      ['a', 1000],
      ['b', 100],
    ]);
    expect(m.failure).toBe('trial 2: phase "b": boom');
  });
});
