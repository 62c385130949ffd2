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

  it('keeps each trial\'s figures, and the first trial\'s memory and heap readings', () => {
    const m = mergeTrials([t1, t2]);
    expect(m.trials).toEqual([trialFigures(t1), trialFigures(t2)]);
    expect(m.trials?.[1]?.phases[0]).toMatchObject({ name: 'a', count: 600, p50: t2.phases[0]!.latency.p50 });
    expect(m.memory).toEqual(t1.memory);
    expect(m.phases[0]!.heapAfterGc).toBe(111);
    expect(m.durationMs).toBe(t1.durationMs + t2.durationMs);
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
