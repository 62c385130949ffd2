/**
 * formatValue: the one place that turns a target's figure into text for every renderer. The
 * golden reports come from one fixture, so its branches are pinned here, table-driven.
 */
import { describe, expect, it } from 'vitest';
import { formatValue, type ValueUnit } from '../../src/report/format.js';

describe('formatValue', () => {
  it.each<[ValueUnit, number, string]>([
    // A real but tiny error rate must not read as none at all.
    ['fraction', 0, '0%'],
    ['fraction', 0.00001, '<0.01%'],
    ['fraction', 0.00004, '<0.01%'],
    ['fraction', 0.00005, '0.01%'],
    ['fraction', 0.0001, '0.01%'],
    ['fraction', 0.0123, '1.23%'],
    ['fraction', 0.5, '50%'],
    ['fraction', 1, '100%'],
    ['ns', 1_234_567, '1.23ms'],
    ['ns', 250_000, '250us'],
    ['per_s', 1500, '1,500/s'],
    ['bytes', 20 * 1024 * 1024, '20MB'],
    ['count', 1_234_567.891, '1,234,567.89'],
  ])('%s %d -> %s', (unit, value, text) => {
    expect(formatValue(unit, value)).toBe(text);
  });
});
