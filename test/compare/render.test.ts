import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPARE_OPTIONS, type Comparison, type StatComparison } from '../../src/compare/compare.js';
import { renderComparisonMarkdown, renderComparisonTable, verdictLine } from '../../src/compare/render.js';
import { formatChange } from '../../src/util/units.js';
import { goldenFiles } from '../helpers/golden.js';

const golden = goldenFiles(import.meta.url);

function s(p: Partial<StatComparison> & Pick<StatComparison, 'stat' | 'verdict' | 'method'>): StatComparison {
  return {
    unit: p.stat === 'throughput' ? 'per_s' : 'ns',
    baseline: null,
    current: null,
    change: null,
    lower: null,
    upper: null,
    confidence: null,
    pValue: null,
    tested: p.method === 'rank test' || (p.method === 'bootstrap' && p.stat === 'p50'),
    band: 0.05,
    regression: false,
    ...p,
  };
}

// Hand-made, so the renderers are tested apart from the statistics.
const COMPARISON: Comparison = {
  baseline: { command: 'cluster-bench run llm-call --trials 5', startedAt: '2026-11-25T10:00:00.000Z', seed: 1, tool: 'cluster-bench 0.1.0', node: 'v20.20.2', cpu: 'AMD EPYC 7B13', gitCommit: '3f2c1ab', interrupted: false },
  current: { command: 'cluster-bench run llm-call --trials 5', startedAt: '2026-11-26T10:00:00.000Z', seed: 2, tool: 'cluster-bench 0.1.0', node: 'v20.20.2', cpu: 'AMD EPYC 7B13', interrupted: true },
  options: DEFAULT_COMPARE_OPTIONS,
  environmentNotes: ['cores differs (2 vs 4)'],
  phases: [
    {
      scenario: 'llm-call',
      phase: 'sequential',
      op: 'llm.call',
      timing: { baseline: 'per-op', current: 'per-op' },
      trials: { baseline: 5, current: 5 },
      errors: { baseline: 0, current: 3 },
      stats: [
        s({ stat: 'p50', method: 'rank test', verdict: 'slower', regression: true, baseline: 5.24e6, current: 6.29e6, change: 0.2004, lower: 0.187, upper: 0.213, confidence: 0.968, pValue: 0.0079 }),
        s({ stat: 'p99', method: 'rank test', verdict: 'inconclusive', baseline: 7.9e6, current: 8.4e6, change: 0.0633, lower: -0.21, upper: 0.35, confidence: 0.968, pValue: 0.42 }),
        s({ stat: 'throughput', method: 'rank test', verdict: 'slower', baseline: 189.2, current: 173.9, change: -0.0809, lower: -0.1, upper: -0.06, confidence: 0.968, pValue: 0.0079 }),
      ],
    },
    {
      scenario: 'llm-call',
      phase: 'concurrent-100',
      op: 'llm.call',
      timing: { baseline: 'per-op', current: 'per-op' },
      trials: { baseline: 1, current: 1 },
      errors: { baseline: 0, current: 0 },
      stats: [
        s({ stat: 'p50', method: 'bootstrap', verdict: 'faster', baseline: 5.9e6, current: 4.1e6, change: -0.305, lower: -0.4, upper: -0.2, confidence: 0.95 }),
        s({ stat: 'p99', method: 'bootstrap', verdict: 'no change', baseline: 7e6, current: 7.1e6, change: 0.0143, lower: -0.03, upper: 0.04, confidence: 0.95 }),
        s({ stat: 'throughput', method: 'noise band', verdict: 'no change', baseline: 16_000, current: 16_000, change: 0 }),
      ],
    },
    {
      scenario: 'agent',
      phase: 'warm',
      op: 'agent.execute',
      timing: { baseline: 'per-op', current: 'per-op' },
      trials: { baseline: 3, current: 3 },
      errors: { baseline: 0, current: 0 },
      stats: [s({ stat: 'p50', method: 'none', verdict: 'inconclusive', baseline: 1e6, note: 'no successful operation on one side' })],
    },
  ],
  timingMismatches: [],
  baselineOnly: ['agent › cold'],
  currentOnly: ['stress › load'],
  regressions: [{ scenario: 'llm-call', phase: 'sequential', stat: 'p50', change: 0.2004 }],
  passed: false,
};

const LABELS = { baseline: 'main.json', current: 'pr.json' };

describe('comparison renderers', () => {
  it('table (golden)', () => {
    golden('comparison.txt', renderComparisonTable(COMPARISON, LABELS, { color: false }));
  });

  it('markdown (golden)', () => {
    golden('comparison.md', renderComparisonMarkdown(COMPARISON, LABELS));
  });

  it('the last line is the verdict', () => {
    const table = renderComparisonTable(COMPARISON, LABELS, { color: false });
    expect(table.trimEnd().split('\n').at(-1)).toBe(
      'compare: failed — 1 significant slowdown beyond 10%: llm-call › sequential p50 +20.0% (2 slower, 1 faster, 2 no change, 2 inconclusive)',
    );
    expect(verdictLine({ ...COMPARISON, regressions: [], passed: true })).toBe(
      'compare: passed — no significant slowdown beyond 10% (2 slower, 1 faster, 2 no change, 2 inconclusive)',
    );
  });

  it('colours only when asked', () => {
    // eslint-disable-next-line no-control-regex
    const ansi = /\u001b\[[0-9;]*m/;
    expect(renderComparisonTable(COMPARISON, LABELS, { color: true })).toMatch(ansi);
    expect(renderComparisonTable(COMPARISON, LABELS, { color: false })).not.toMatch(ansi);
  });

  it.each<[number | null, string]>([
    [0.2004, '+20.0%'],
    [-0.0481, '-4.8%'],
    [0.00004, '0%'],
    [1.0912, '+109%'],
    [null, '-'],
    [Number.POSITIVE_INFINITY, '-'],
  ])('formatChange(%s) = %s', (change, text) => {
    expect(formatChange(change)).toBe(text);
  });
});
