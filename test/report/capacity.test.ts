/**
 * Capacity searches in the reports. The fixtures are real results of `cluster-bench capacity`
 * (their `command` field holds the command line; a simulated server of 2 slots x 20 ms, and one
 * with unlimited slots where the generator gives out first), checked in so the renderers are
 * tested on what the search really writes: repeated rates, invalid steps, goodput. Expected
 * figures are read from the result's steps here, not from the model under test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capacityModel } from '../../src/report/capacity.js';
import { esc, renderHtmlReport, type ChartSpec } from '../../src/report/html.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { parseRunResult } from '../../src/results/parse.js';
import type { CapacityResult, CapacityStep, RunResult } from '../../src/results/types.js';
import { formatNs, formatPercent, formatRate } from '../../src/util/units.js';
import { STUB, charts } from './html-fixture.js';

function fixture(name: string): RunResult {
  const file = new URL(`../fixtures/${name}`, import.meta.url);
  return parseRunResult(readFileSync(file, 'utf8'), name);
}

const FOUND = fixture('capacity-found.json');
const BOUND = fixture('capacity-generator-bound.json');
const capacityOf = (r: RunResult): CapacityResult => r.scenarios[0]!.capacity!;

/** The charts' precision (6 significant figures). */
const sig6 = (v: number): number => Number(v.toPrecision(6));

/** The offered rates of the valid steps, ascending, and the valid steps at each. */
function validByRate(c: CapacityResult): Array<{ rate: number; steps: CapacityStep[] }> {
  const valid = c.steps.filter((s) => s.verdict !== 'invalid');
  return [...new Set(valid.map((s) => s.rate))].sort((a, b) => a - b).map((rate) => ({ rate, steps: valid.filter((s) => s.rate === rate) }));
}

/** The cells of a table row, as text. */
function cellsOf(row: string): string[] {
  return [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}

describe('the fixtures', () => {
  it('are what the tests below rely on: a knee found past an invalid step, and a generator-bound search', () => {
    const c = capacityOf(FOUND);
    expect(c.verdict).toBe('found');
    expect(c.steps.some((s) => s.verdict === 'invalid' && s.rate === c.binding!.rate)).toBe(true);
    expect(c.steps.every((s) => s.goodput !== undefined)).toBe(true);
    expect(validByRate(c).some((r) => r.steps.length > 1)).toBe(true);
    const b = capacityOf(BOUND);
    expect(b.verdict).toBe('generator-bound');
    expect(b.steps.filter((s) => s.rate === b.generatorBoundAt).every((s) => s.verdict === 'invalid')).toBe(true);
  });
});

describe('the capacity model (shared by the terminal, markdown and HTML)', () => {
  it('the curve: one point per rate with a valid step, ascending, the worst of its valid steps', () => {
    for (const result of [FOUND, BOUND]) {
      const c = capacityOf(result);
      const m = capacityModel(c);
      const expected = validByRate(c);
      expect(m.curve.map((p) => p.rate)).toEqual(expected.map((r) => r.rate));
      m.curve.forEach((p, i) => {
        const steps = expected[i]!.steps;
        expect(p.latency?.p99).toBe(Math.max(...steps.map((s) => s.latency.p99)));
        expect(p.latency?.p50).toBe(Math.max(...steps.map((s) => s.latency.p50)));
        expect(p.achieved).toBe(Math.min(...steps.map((s) => s.achieved)));
        const good = steps.flatMap((s) => (s.goodput ? [s.goodput.rate] : []));
        expect(p.goodputRate).toBe(good.length > 0 ? Math.min(...good) : undefined);
      });
    }
  });

  it('the binding constraint reads the search’s own measurement, not that of an invalid step at the same rate', () => {
    const c = capacityOf(FOUND);
    const invalid = c.steps.find((s) => s.verdict === 'invalid' && s.rate === c.binding!.rate)!;
    const binding = capacityModel(c).findings.find((f) => f.label === 'binding constraint')!;
    expect(binding.text).toBe(`${c.binding!.source} broke first, at ${formatRate(c.binding!.rate)} (measured ${formatNs(c.binding!.measured!)})`);
    expect(formatNs(invalid.latency.p99)).not.toBe(formatNs(c.binding!.measured!));
  });

  it('latency statistics on the curve: p50, p99 and those an SLO is on', () => {
    const c = capacityOf(FOUND);
    expect(capacityModel(c).latencyStats).toEqual(['p50', 'p99']);
    const withP90: CapacityResult = { ...c, slos: [...c.slos, { source: 'p90 < 80ms', stat: 'p90', comparator: '<', current: 80e6, target: 80e6, unit: 'ns' }] };
    const m = capacityModel(withP90);
    expect(m.latencyStats).toEqual(['p50', 'p90', 'p99']);
    expect(m.curve[0]!.latency?.p90).toBe(Math.max(...validByRate(c)[0]!.steps.map((s) => s.latency.p90)));
  });
});

describe('HTML: a capacity search', () => {
  const c = capacityOf(FOUND);
  const page = renderHtmlReport([FOUND], STUB);
  const specs = charts(page);

  it('says what it found: the summary, the capacity and its interval, the binding constraint, the knee shape', () => {
    expect(page).toContain('<h3>Capacity</h3>');
    expect(page).toContain(`<p class="capacity-verdict" data-capacity="found"><strong>${esc(c.summary)}</strong></p>`);
    expect(page).toContain(
      `<li><strong>capacity</strong>: ${formatRate(c.capacity!)} (the knee lies between ${formatRate(c.interval!.lower)}, which passed every time, and ${formatRate(c.interval!.upper)}, which failed every time)</li>`,
    );
    expect(page).toContain(`<li><strong>binding constraint</strong>: ${esc(c.binding!.source)} broke first, at ${formatRate(c.binding!.rate)}`);
    expect(page).toContain(`<li><strong>knee</strong>: ${c.knee!.shape} — ${c.knee!.stat} `);
  });

  it('every step in a row, in the order they ran: offered, achieved, p50, p99, errors, goodput, verdict, why', () => {
    const rows = page.match(/<tr class="capacity-step step-\w+">.*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(c.steps.length);
    c.steps.forEach((s, i) => {
      expect(rows[i]).toContain(`step-${s.verdict}`);
      const cells = cellsOf(rows[i]!);
      expect(cells.slice(0, 6)).toEqual([String(s.index), s.stage, formatRate(s.rate), formatRate(s.achieved), formatNs(s.latency.p50), formatNs(s.latency.p99)]);
      expect(cells[6]).toBe(formatPercent(s.errorRate));
      expect(cells[7]).toBe(formatPercent(s.goodput!.fraction));
      expect(cells[8]).toContain(s.verdict);
      expect(cells[9]).toBe(esc(s.reasons.join('; ')));
    });
  });

  it('latency against offered rate: p50 and p99 of each valid rate on a log axis, the SLO dashed, the knee marked', () => {
    const latency = specs.find((s) => s.xUnit === 'per_s' && s.unit === 'ns')!;
    expect(latency).toMatchObject({ type: 'line', yLog: true, xLabel: 'offered rate (operations/s)' });
    const expected = validByRate(c);
    expect(latency.x).toEqual(expected.map((r) => r.rate));
    const data = (label: string): ChartSpec['series'][number] => latency.series.find((x) => x.label === label)!;
    expect(data('p99').values).toEqual(expected.map((r) => sig6(Math.max(...r.steps.map((s) => s.latency.p99)))));
    expect(data('p50').values).toEqual(expected.map((r) => sig6(Math.max(...r.steps.map((s) => s.latency.p50)))));
    const slo = c.slos.find((s) => s.stat === 'p99')!;
    const line = latency.series.find((x) => x.kind !== 'data')!;
    expect(line.label).toBe(`target = current: p99 < 100ms`);
    expect(line.values).toEqual(latency.x.map(() => slo.current));
    expect(latency.marks).toEqual([{ label: `capacity ${formatRate(c.capacity!)}`, at: c.capacity, band: [c.interval!.lower, c.interval!.upper] }]);
  });

  it('throughput against offered rate: achieved and goodput of each valid rate, the offered rate as a reference', () => {
    const rate = specs.find((s) => s.xUnit === 'per_s' && s.unit === 'per_s')!;
    const expected = validByRate(c);
    expect(rate.series.map((x) => [x.label, x.kind])).toEqual([
      ['achieved', 'data'],
      ['goodput (good requests/s)', 'data'],
      ['achieved = offered', 'reference'],
    ]);
    expect(rate.series[0]!.values).toEqual(expected.map((r) => sig6(Math.min(...r.steps.map((s) => s.achieved)))));
    expect(rate.series[1]!.values).toEqual(expected.map((r) => sig6(Math.min(...r.steps.map((s) => s.goodput!.rate)))));
    expect(rate.series[2]!.values).toEqual(rate.x);
    // Its table: the numbers beside the chart, without the reference line.
    expect(page).toMatch(/<th class="r"><span class="sw c0"><\/span>achieved<\/th><th class="r"><span class="sw c1"><\/span>goodput \(good requests\/s\)<\/th><\/tr>/);
  });

  it('generator-bound: no capacity, the verdict and why, the rate it gave out at marked beyond the curve', () => {
    const b = capacityOf(BOUND);
    const html = renderHtmlReport([BOUND], STUB);
    expect(html).toContain(`data-capacity="generator-bound"><strong>${esc(b.summary)}</strong>`);
    expect(html).toContain(`<li><strong>no capacity</strong>: generator-bound at ${formatRate(b.generatorBoundAt!)}: the load generator, not the system, was the limit`);
    expect(html).toContain('<li><strong>why</strong>: load generator was the limit');
    const latency = charts(html)[0]!;
    expect(latency.marks).toEqual([{ label: `generator-bound at ${formatRate(b.generatorBoundAt!)}`, at: b.generatorBoundAt }]);
    expect(latency.x).not.toContain(b.generatorBoundAt);
    expect(html).toContain('steps there are invalid and off the curve');
  });

  it('says what the markdown says: the same findings and step rows', () => {
    const md = renderMarkdownReport([FOUND]);
    const m = capacityModel(c);
    for (const f of m.findings) {
      expect(md).toContain(`- ${f.label}: ${f.text}`);
      expect(page).toContain(`<li><strong>${esc(f.label)}</strong>: ${esc(f.text)}</li>`);
    }
    for (const row of m.steps.rows) expect(md).toContain(`| ${row.join(' | ')} |`);
    // The mermaid chart of the markdown is drawn from the same curve.
    expect(md).toContain(`x-axis "offered rate (/s)" [${m.curve.map((p) => p.rate).join(', ')}]`);
  });

  it('escapes text from the result', () => {
    const hostile: RunResult = structuredClone(FOUND);
    const h = capacityOf(hostile);
    h.summary = '<img src=x onerror=alert(1)>';
    h.steps[0]!.reasons = ['</td><script>alert(2)</script>'];
    const html = renderHtmlReport([hostile], STUB);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
    expect(html).toContain(esc(h.summary));
  });

  it('a result without a capacity search has no capacity section', () => {
    const plain: RunResult = structuredClone(FOUND);
    delete plain.scenarios[0]!.capacity;
    const html = renderHtmlReport([plain], STUB);
    expect(html).not.toContain('<h3>Capacity</h3>');
    expect(charts(html)).toEqual([]);
  });
});
