import { describe, expect, it } from 'vitest';
import { capacityLines, compareCapacities, compareCapacity } from '../../src/compare/capacity.js';
import type { CapacityResult, RunResult } from '../../src/results/types.js';

function cap(capacity: number | undefined, lower: number, upper: number, verdict: CapacityResult['verdict'] = 'found'): CapacityResult {
  return {
    phase: 'load',
    op: 'llm.call',
    slos: [],
    settings: { startRate: 50, maxRate: 1e6, minRate: 1, stepDurationMs: 3000, warmupMs: 1000, precision: 0.05, repeat: 2, maxSteps: 30 },
    steps: [],
    verdict,
    ...(capacity !== undefined ? { capacity, interval: { lower, upper } } : {}),
    summary: verdict === 'found' ? `capacity ${capacity}/s` : 'generator-bound at 3,200/s: ...',
  };
}

const OPTS = { maxRegression: 0.1, noiseBand: 0.05 };

describe('compareCapacity', () => {
  it('a fall with separate intervals beyond --max-regression is a regression, in words people use', () => {
    const c = compareCapacity('llm', cap(412, 405, 420), cap(365, 360, 372), OPTS);
    expect(c).toMatchObject({ verdict: 'lower', regression: true });
    expect(c.change).toBeCloseTo(365 / 412 - 1, 9);
    expect(c.text).toBe('capacity fell from 412 to 365 req/s (-11.4%): a regression beyond 10%');
    // 412 -> 371 is a 9.95% fall: beyond a 5% limit, within the default 10%.
    expect(compareCapacity('llm', cap(412, 405, 420), cap(371, 365, 378), { ...OPTS, maxRegression: 0.05 }).regression).toBe(true);
    expect(compareCapacity('llm', cap(412, 405, 420), cap(371, 365, 378), OPTS).regression).toBe(false);
  });

  it('a fall smaller than --max-regression is reported but passes', () => {
    const c = compareCapacity('llm', cap(412, 405, 420), cap(385, 378, 392), OPTS);
    expect(c).toMatchObject({ verdict: 'lower', regression: false });
    expect(c.text).toBe('capacity fell from 412 to 385 req/s (-6.6%)');
  });

  it('overlapping intervals cannot tell a change apart: inconclusive, never a regression', () => {
    const c = compareCapacity('llm', cap(412, 300, 420), cap(340, 330, 350), OPTS);
    expect(c).toMatchObject({ verdict: 'inconclusive', regression: false });
    expect(c.text).toContain('the knee intervals overlap');
  });

  it('inside the noise band: no change; a rise is a rise', () => {
    expect(compareCapacity('llm', cap(400, 395, 405), cap(410, 405, 415), OPTS).verdict).toBe('no change');
    expect(compareCapacity('llm', cap(300, 295, 305), cap(400, 395, 405), OPTS)).toMatchObject({ verdict: 'higher', regression: false, text: 'capacity rose from 300 to 400 req/s (+33.3%)' });
  });

  it('a side without a capacity (generator-bound) cannot be compared and says why', () => {
    const c = compareCapacity('llm', cap(400, 395, 405), cap(undefined, 0, 0, 'generator-bound'), OPTS);
    expect(c).toMatchObject({ verdict: 'inconclusive', regression: false, current: null });
    expect(c.text).toBe('capacity cannot be compared (current: generator-bound at 3,200/s: ...)');
  });
});

describe('compareCapacity at its edges', () => {
  it('a side without a capacity, either side, says which and why; what the other had is kept', () => {
    const c = compareCapacity('llm', cap(undefined, 0, 0, 'generator-bound'), cap(400, 395, 405), OPTS);
    expect(c).toEqual({
      scenario: 'llm',
      phase: 'load',
      baseline: null,
      current: 400,
      currentInterval: { lower: 395, upper: 405 },
      change: null,
      verdict: 'inconclusive',
      regression: false,
      text: 'capacity cannot be compared (baseline: generator-bound at 3,200/s: ...)',
    });
  });

  it('in full: both capacities, their knee intervals, the change', () => {
    expect(compareCapacity('llm', cap(412, 405, 420), cap(365, 360, 372), OPTS)).toEqual({
      scenario: 'llm',
      phase: 'load',
      baseline: 412,
      current: 365,
      baselineInterval: { lower: 405, upper: 420 },
      currentInterval: { lower: 360, upper: 372 },
      change: 365 / 412 - 1,
      verdict: 'lower',
      regression: true,
      text: 'capacity fell from 412 to 365 req/s (-11.4%): a regression beyond 10%',
    });
  });

  it('without knee intervals the capacities are points: apart when they differ', () => {
    const point = (capacity: number): CapacityResult => {
      const { interval: _, ...rest } = cap(capacity, 0, 0);
      return rest;
    };
    const c = compareCapacity('llm', point(400), point(300), OPTS);
    expect(c).toMatchObject({ verdict: 'lower', regression: true });
    expect(c).not.toHaveProperty('baselineInterval');
    expect(c).not.toHaveProperty('currentInterval');
    expect(compareCapacity('llm', point(300), point(400), OPTS).verdict).toBe('higher');
    // A point inside the other side's interval is not apart from it.
    expect(compareCapacity('llm', cap(400, 250, 420), point(300), OPTS).verdict).toBe('inconclusive');
    expect(compareCapacity('llm', point(300), cap(400, 250, 420), OPTS).verdict).toBe('inconclusive');
  });

  it('knee intervals that only touch are not apart: inconclusive', () => {
    expect(compareCapacity('llm', cap(400, 380, 420), cap(300, 290, 380), OPTS).verdict).toBe('inconclusive');
    expect(compareCapacity('llm', cap(300, 290, 380), cap(400, 380, 420), OPTS).verdict).toBe('inconclusive');
  });

  it('a change of exactly the noise band is a change; a fall of exactly --max-regression is not a regression', () => {
    // 64 -> 48 is exactly -25 %, 64 -> 80 exactly +25 % (no rounding).
    const opts = { maxRegression: 0.25, noiseBand: 0.25 };
    expect(compareCapacity('llm', cap(64, 60, 66), cap(48, 46, 50), opts)).toMatchObject({ verdict: 'lower', regression: false, text: 'capacity fell from 64 to 48 req/s (-25%)' });
    expect(compareCapacity('llm', cap(64, 60, 66), cap(80, 78, 82), opts).verdict).toBe('higher');
    expect(compareCapacity('llm', cap(64, 60, 66), cap(48, 46, 50), { ...opts, maxRegression: 0.2 }).regression).toBe(true);
  });

  it('with no noise band, equal capacities whose intervals overlap are inconclusive, +0%', () => {
    expect(compareCapacity('llm', cap(400, 380, 420), cap(400, 390, 410), { ...OPTS, noiseBand: 0 }).text).toBe(
      'capacity 400 req/s then 400 req/s (+0%), but the knee intervals overlap (380 req/s-420 req/s vs 390 req/s-410 req/s): inconclusive',
    );
  });

  it('no change and inconclusive say the change with its sign', () => {
    expect(compareCapacity('llm', cap(400, 395, 405), cap(400, 395, 405), OPTS).text).toBe('capacity unchanged: 400 req/s then 400 req/s (+0%, inside the ±5% band)');
    expect(compareCapacity('llm', cap(400, 395, 405), cap(390, 385, 395), OPTS).text).toBe('capacity unchanged: 400 req/s then 390 req/s (-2.5%, inside the ±5% band)');
    expect(compareCapacity('llm', cap(340, 330, 350), cap(412, 300, 420), OPTS).text).toBe(
      'capacity 340 req/s then 412 req/s (+21.2%), but the knee intervals overlap (330 req/s-350 req/s vs 300 req/s-420 req/s): inconclusive',
    );
    expect(compareCapacity('llm', cap(412, 300, 420), cap(340, 330, 350), OPTS).text).toBe(
      'capacity 412 req/s then 340 req/s (-17.5%), but the knee intervals overlap (300 req/s-420 req/s vs 330 req/s-350 req/s): inconclusive',
    );
  });
});

describe('compareCapacities: which scenarios are compared', () => {
  const run = (scenarios: Array<{ name: string; capacity?: CapacityResult }>): RunResult =>
    ({ scenarios: scenarios.map((s) => ({ name: s.name, phases: [], ...(s.capacity ? { capacity: s.capacity } : {}) })) }) as unknown as RunResult;
  const names = (r: ReturnType<typeof compareCapacities>) => r.map((c) => [c.scenario, c.baseline, c.current]);

  it('scenarios with a capacity on both sides, matched by name and phase', () => {
    const b = run([{ name: 'a', capacity: cap(400, 395, 405) }, { name: 'gone', capacity: cap(100, 95, 105) }, { name: 'plain' }]);
    const c = run([{ name: 'a', capacity: cap(300, 295, 305) }, { name: 'new', capacity: cap(100, 95, 105) }, { name: 'plain' }]);
    expect(names(compareCapacities(b, c, OPTS))).toEqual([['a', 400, 300]]);
    // One side ran capacity, the other a plain run: nothing to compare.
    expect(compareCapacities(b, run([{ name: 'a' }]), OPTS)).toEqual([]);
    expect(compareCapacities(run([{ name: 'a' }]), c, OPTS)).toEqual([]);
  });

  it('another phase searched is another capacity: not compared', () => {
    const other = { ...cap(300, 295, 305), phase: 'other' };
    expect(compareCapacities(run([{ name: 'a', capacity: cap(400, 395, 405) }]), run([{ name: 'a', capacity: other }]), OPTS)).toEqual([]);
  });

  it('a name given twice: the first with a capacity is the one compared', () => {
    const b = run([{ name: 'a' }, { name: 'a', capacity: cap(400, 395, 405) }, { name: 'a', capacity: cap(1, 1, 1) }]);
    const c = run([{ name: 'a', capacity: cap(300, 295, 305) }, { name: 'a', capacity: cap(2, 2, 2) }]);
    expect(names(compareCapacities(b, c, OPTS))).toEqual([['a', 400, 300]]);
  });

  it('one line each for the table and the report', () => {
    const r = compareCapacities(run([{ name: 'a', capacity: cap(300, 295, 305) }]), run([{ name: 'a', capacity: cap(400, 395, 405) }]), OPTS);
    expect(capacityLines(r)).toEqual(['a › load: capacity rose from 300 to 400 req/s (+33.3%)']);
  });
});
