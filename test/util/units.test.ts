import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatBytesDelta,
  formatChange,
  formatCount,
  formatMs,
  formatNs,
  formatPercent,
  formatRate,
  parseDurationNs,
  significant,
} from '../../src/util/units.js';

describe('one spelling for every figure', () => {
  it.each<[number, string]>([
    [0, '0ns'],
    [15.25, '15.3ns'],
    [286, '286ns'],
    [12_345, '12.3us'],
    [1_500_000, '1.5ms'],
    [2e9, '2s'],
    [90e9, '1.5m'],
    [7200e9, '2h'],
  ])('formatNs(%d) = %s', (ns, text) => {
    expect(formatNs(ns)).toBe(text);
  });

  it('prints durations the way scenario files spell them, so they parse back', () => {
    for (const ns of [286, 12_300, 1_500_000, 2e9, 90e9]) expect(parseDurationNs(formatNs(ns))).toBe(ns);
  });

  it('milliseconds go through the same spelling', () => {
    expect(formatMs(0.25)).toBe('250us');
    expect(formatMs(60_000)).toBe('1m');
  });

  it.each<[string, string]>([
    [formatBytes(512), '512B'],
    [formatBytes(1536), '1.5KB'],
    [formatBytes(20 * 1024 ** 2), '20MB'],
    [formatBytesDelta(1536), '+1.5KB'],
    [formatBytesDelta(-1536), '-1.5KB'],
    [formatBytesDelta(0), '0B'],
    [formatCount(1234567), '1,234,567'],
    [formatCount(2.345), '2.35'],
    [formatRate(1234.4), '1,234/s'],
    [formatRate(12.34), '12.3/s'],
    [formatPercent(0.05), '5%'],
    [formatPercent(0.1234), '12.3%'],
    [formatChange(0.1912), '+19.1%'],
    [formatChange(-0.004), '-0.4%'],
    [formatChange(0.0004), '0%'],
    [formatChange(1.5), '+150%'],
    [formatChange(null), '-'],
  ])('%s is %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('significant() rounds for machines and never returns NaN', () => {
    expect(significant(123.456, 4)).toBe(123.5);
    expect(significant(0.000123456, 3)).toBe(0.000123);
    expect(significant(Number.NaN, 3)).toBe(0);
    expect(significant(Number.POSITIVE_INFINITY, 3)).toBe(0);
  });
});
