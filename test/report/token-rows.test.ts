import { describe, expect, it } from 'vitest';
import { secondaryDistributions, summaryCells } from '../../src/report/format.js';
import { tableRenderer } from '../../src/report/table.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import type { LatencySummary, PhaseResult, RunResult, TokenFigures, ValueSummary } from '../../src/results/types.js';
import { FIXTURE } from './fixture.js';

function values(unit: ValueSummary['unit'], p50: number, p99: number): ValueSummary {
  return { unit, count: 10, min: p50 / 2, mean: p50, stddev: 1, p50, p90: p99 / 2, p95: p99 / 1.5, p99, p999: p99, max: p99, histogram: 'HISTFAAAAA', scale: unit === 'tokens' ? 1 : 1000 };
}

function withTokens(source: TokenFigures['source']): RunResult {
  const result = structuredClone(FIXTURE);
  const phase = result.scenarios[0]?.phases[0] as PhaseResult;
  const ns = (v: number): LatencySummary => ({ ...phase.latency, p50: v, min: v, p90: v, p95: v, p99: v, p999: v, max: v });
  phase.ttft = ns(20e6);
  phase.tpot = ns(10e6);
  phase.chunkGap = ns(40e6);
  phase.tokenGap = ns(10e6);
  phase.tokens = {
    source,
    operations: 10,
    estimated: source === 'usage' ? 0 : source === 'estimate' ? 10 : 3,
    prompt: values('tokens', 120, 900),
    output: values('tokens', 80, 400),
    outputTotal: 800,
    outputPerSecond: 1234.5,
    outputPerSecondPerRequest: values('tokens/s', 57.3, 90.1),
  };
  return result;
}

describe('token and streaming rows', () => {
  it('one row per metric, each with its own name; tokens as counts, rates per second', () => {
    const phase = withTokens('usage').scenarios[0]?.phases[0] as PhaseResult;
    const rows = secondaryDistributions(phase);
    expect(rows.map((r) => r.label)).toEqual(
      expect.arrayContaining([
        'time to first token (TTFT)',
        'time per output token (TPOT)',
        'gap between chunks (per chunk)',
        'gap per token',
        'prompt tokens per op',
        'output tokens per op (in total 1,235/s)',
        'output tokens/s per request',
      ]),
    );
    const cells = (label: string) => summaryCells(rows.find((r) => r.label === label)?.summary as ValueSummary);
    expect(cells('prompt tokens per op')).toEqual(['60', '120', '450', '600', '900', '900', '900']);
    expect(cells('output tokens/s per request')[1]).toBe('57.3/s');
    expect(summaryCells(rows.find((r) => r.label === 'gap between chunks (per chunk)')?.summary as LatencySummary)[1]).toBe('40ms');
  });

  it('marks estimated counts in the table and the markdown report', () => {
    const table = tableRenderer.render(withTokens('estimate'), { color: false });
    expect(table).toContain('prompt tokens per op (estimated)');
    expect(table).toContain('time per output token (TPOT) (estimated)');
    expect(table).toContain('gap per token (estimated)');
    // The chunk gap and TTFT do not depend on token counts: never marked.
    expect(table).not.toContain('gap between chunks (per chunk) (estimated)');
    expect(renderMarkdownReport([withTokens('mixed')])).toContain('prompt tokens per op (3 of 10 estimated)');
    expect(tableRenderer.render(withTokens('usage'), { color: false })).not.toContain('estimated');
  });

  it('the itl of an older result still shows, under its meaning', () => {
    const result = structuredClone(FIXTURE);
    const phase = result.scenarios[0]?.phases[0] as PhaseResult;
    phase.itl = phase.latency;
    expect(tableRenderer.render(result, { color: false })).toContain('gap between chunks (itl, older result)');
  });
});
