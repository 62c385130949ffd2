import { describe, expect, it } from 'vitest';
import { median } from '../../src/util/median.js';

// The one median of the runner (calibration), the time-series verdicts and compare.
describe('median', () => {
  it.each([
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %f', (values, m) => {
    expect(median(values)).toBe(m);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('of nothing is NaN: no figure, never a made-up 0', () => {
    expect(median([])).toBeNaN();
  });
});
