import { describe, expect, it } from 'vitest';
import { compareCapacity } from '../../src/compare/capacity.js';
import type { CapacityResult } from '../../src/results/types.js';

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
