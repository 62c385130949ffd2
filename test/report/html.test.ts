import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/compare/compare.js';
import { spectrumGrid } from '../../src/metrics/spectrum.js';
import type { RunResult } from '../../src/results/types.js';
import { loadHtmlAssets } from '../../src/report/html-assets.js';
import { MAX_SERIES_POINTS, esc, renderComparisonHtml, renderHtmlReport, type ChartSpec } from '../../src/report/html.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { bucketIntervals, reportModel } from '../../src/report/model.js';
import { htmlRenderer } from '../../src/report/html.js';
import { FIXTURE } from './fixture.js';
import { STUB, charts, htmlFixture, intervals, summary } from './html-fixture.js';

const RESULT = htmlFixture();
const PAGE = renderHtmlReport([RESULT], STUB);
const SPECS = charts(PAGE);

describe('one self-contained file', () => {
  it('inlines the assets it is given and refers to nothing outside itself', () => {
    expect(PAGE.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(PAGE).toContain(STUB.uplotJs);
    expect(PAGE).toContain(STUB.uplotCss);
    expect(PAGE).toContain('MIT (stub)');
    expect(PAGE).not.toMatch(/\ssrc=/i);
    expect(PAGE).not.toMatch(/href="(?!#|data:)/i);
    expect(PAGE).not.toMatch(/url\(/i);
    expect(PAGE).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it('with the real uPlot: its build and licence are inlined, and the page is the same every time (pure)', () => {
    const assets = loadHtmlAssets();
    expect(assets.uplotJs).toMatch(/uPlot/);
    expect(assets.uplotLicense).toMatch(/MIT License/);
    const a = htmlRenderer.render(RESULT, { color: false });
    expect(a).toContain(assets.uplotJs.slice(0, 200));
    expect(htmlRenderer.render(RESULT, { color: false })).toBe(a);
    expect(loadHtmlAssets()).toBe(assets);
  });

  it('follows the colour scheme and has print styles', () => {
    expect(PAGE).toContain('@media (prefers-color-scheme: dark)');
    expect(PAGE).toContain('@media print');
  });
});

describe('the header comes from the model the markdown report uses', () => {
  const model = reportModel([RESULT]);
  const md = renderMarkdownReport([RESULT]);

  it('environment rows, cell for cell', () => {
    for (const [label, value] of model.environment.rows) {
      expect(PAGE).toContain(`<td>${esc(label!)}</td><td>${esc(value!)}</td>`);
      expect(md).toContain(`| ${label} | ${value} |`);
    }
  });

  it('the gate verdict, the same line in both', () => {
    const line = model.gates[0]!.line;
    expect(line).toBe('gate: failed (3 green, 0 yellow, 1 red)');
    expect(md).toContain(`**${line}**`);
    expect(PAGE).toContain(`data-gate="failed">❌ ${esc(line)}</div>`);
  });

  it('every row of the target-metrics matrix with its status', () => {
    const rows = PAGE.match(/<tr class="matrix-row[^"]*">.*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(model.matrix.rows.length);
    model.matrix.rows.forEach((r, i) => {
      expect(rows[i]).toContain(`<td>${esc(r.metric)}</td>`);
      expect(rows[i]).toContain(r.status === undefined ? 'not covered' : esc(r.measuredBy!.source));
    });
    expect(PAGE).toContain('<span class="status-green">🟢 excellent</span>');
    expect(PAGE).toContain('<span class="status-red">🔴 needs work</span>');
  });
});

describe('percentile spectra', () => {
  const spectra = SPECS.filter((s) => s.type === 'spectrum');
  const labels = (s: ChartSpec): string[] => s.series.map((x) => x.label);

  it('one per phase that has successes; a phase without says so', () => {
    expect(spectra).toHaveLength(3);
    expect(PAGE).toContain('<strong>agent › never</strong>: no successful operation, so no latency spectrum.');
  });

  it('on a log axis of 1/(1-p) from p0, ending where the data ends (never past p99.999)', () => {
    const grid = spectrumGrid();
    for (const s of spectra) {
      expect(s.x).toEqual(grid.slice(0, s.x.length));
      expect(s.x[0]).toBe(1);
    }
    // 1,000 executions: the curve's last point is the first beyond 1/(1-p) = 1000, x = 1250; the
    // chart runs on to where its longest curve (3,000 llm steps) ends; 150,000 reach p99.999.
    const execute = spectra[0]!;
    const lastOf = (values: Array<number | null>): number => values.findLastIndex((v) => v !== null);
    expect(execute.x[lastOf(execute.series[0]!.values)]).toBe(1250);
    expect(execute.x.at(-1)).toBe(3200);
    expect(spectra[2]!.x.at(-1)).toBe(100_000);
  });

  it('an agent phase shows its LLM, tool and memory steps, with the target thresholds as lines', () => {
    expect(labels(spectra[0]!)).toEqual(['latency', 'llm step', 'tool step', 'memory step', 'current: p99 < 100ms', 'target: p99 < 50ms']);
    const [current, tgt] = spectra[0]!.series.slice(-2);
    expect(current!.kind).toBe('current');
    expect(current!.values.every((v) => v === 100e6)).toBe(true);
    expect(tgt!.kind).toBe('target');
    expect(tgt!.values.every((v) => v === 50e6)).toBe(true);
  });

  it('an open-model phase shows latency from the scheduled start and service time on the same axes', () => {
    expect(labels(spectra[1]!)).toEqual(['latency (from scheduled start)', 'service time', 'target = current: p99 < 100ms']);
    expect(PAGE).toContain('Open model: latency counts from each operation’s scheduled start');
    expect(PAGE).toContain('Other targets of this phase: <code>open throughput &gt; 400/s / &gt; 490/s</code>');
  });

  it('reads the percentiles the result stores: the curve at p50 and p99 is the summary', () => {
    const execute = RESULT.scenarios[0]!.phases[0]!;
    const s = spectra[0]!;
    expect(s.series[0]!.values[s.x.indexOf(2)]).toBe(execute.latency.p50);
    expect(s.series[0]!.values[s.x.indexOf(100)]).toBe(execute.latency.p99);
    // A shorter curve (1,000 memory steps beside 3,000 llm steps) has no values beyond its data.
    expect(s.series[3]!.values.at(-1)).toBeNull();
    expect(s.series[1]!.values.at(-1)).not.toBeNull();
  });

  it('has its numbers in a table beside it', () => {
    const fig = /<figure>\n<figcaption><strong>agent › execute<\/strong>.*?<\/figure>/s.exec(PAGE)![0];
    expect(fig).toContain('<div class="chart" data-chart="chart-1"');
    // The column headers carry the curves' colours: the table is the legend on paper.
    expect(fig).toMatch(/<th>percentile<\/th><th class="r"><span class="sw c0"><\/span>latency<\/th><th class="r"><span class="sw c1"><\/span>llm step<\/th>/);
    expect(fig).toMatch(/<td>99%<\/td><td class="r">[\d.]+ms<\/td>/);
    expect(fig).toMatch(/<td>count<\/td><td class="r">1,000<\/td><td class="r">3,000<\/td>/);
  });

  it('a histogram that cannot be decoded costs its curve, not the page', () => {
    const damaged: RunResult = structuredClone(RESULT);
    damaged.scenarios[0]!.phases[0]!.steps!['llm']!.histogram = 'HISTFAAAdamaged';
    const page = renderHtmlReport([damaged], STUB);
    expect(page).toContain('The histogram of llm step cannot be decoded (is the result file damaged?): no curve for it.');
    expect(charts(page)[0]!.series.map((s) => s.label)).not.toContain('llm step');
  });

  it('renders the hand-made fixture of the other renderers, whose histograms are placeholders', () => {
    expect(() => renderHtmlReport([FIXTURE], STUB)).not.toThrow();
  });
});

describe('time series of long phases', () => {
  it('throughput, p50/p99, heap after GC and RSS, event-loop p99, with the leak and drift verdicts', () => {
    const lines = SPECS.filter((s) => s.type === 'line');
    expect(lines.map((s) => s.series.map((x) => x.label))).toEqual([['throughput'], ['p50', 'p99'], ['heap after GC', 'RSS'], ['event-loop p99']]);
    expect(lines.map((s) => s.unit)).toEqual(['per_s', 'ns', 'bytes', 'ns']);
    expect(PAGE).toContain('🟢 Leak: no leak</span>');
    expect(PAGE).toContain('🟢 Drift: stable</span>');
  });

  it('stays bounded: 1,000 intervals make at most MAX_SERIES_POINTS points and table rows', () => {
    const page = renderHtmlReport([htmlFixture(1000)], STUB);
    for (const s of charts(page).filter((c) => c.type === 'line')) expect(s.x.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(page).toContain('1,000 intervals of 10s, 9 per point');
  });

  it('merges intervals honestly: throughput over the span, latencies the worst, heap the last reading', () => {
    const raw = intervals(10, 1000, 1);
    raw[4]!.p99 = 9e9;
    const { points, span } = bucketIntervals(raw, 4);
    expect(span).toBe(3);
    expect(points).toHaveLength(4);
    const first = raw.slice(0, 3);
    expect(points[0]!.tS).toBe(3);
    expect(points[0]!.throughput).toBeCloseTo(first.reduce((a, s) => a + s.count, 0) / 3, 9);
    expect(points[0]!.p50).toBe(Math.max(...first.map((s) => s.p50)));
    expect(points[0]!.heapUsed).toBe(raw[2]!.heapUsed);
    expect(points[1]!.p99).toBe(9e9);
    expect(points.at(-1)!.tS).toBe(10);
  });
});

describe('size', () => {
  it('a result like `run all` plus an hour-long soak with the full 1,000 intervals stays under 1 MB with the real uPlot', () => {
    // run all has 8 scenarios and ~20 phases; here 8 agent scenarios of 3 phases (every curve
    // of every phase real) and a soak at the runner's bound of 1,000 intervals.
    const base = htmlFixture(1000);
    const agent = base.scenarios[0]!;
    const many: RunResult = { ...base, scenarios: [...Array.from({ length: 8 }, (_, i) => ({ ...agent, name: `agent-${i}` })), base.scenarios[1]!] };
    const page = htmlRenderer.render(many, { color: false });
    const bytes = Buffer.byteLength(page);
    expect(charts(page).filter((c) => c.type === 'spectrum')).toHaveLength(17);
    expect(bytes).toBeLessThan(1024 * 1024);
  });
});

describe('text from results is escaped', () => {
  it('a scenario name or description cannot inject markup or end the data script', () => {
    const evil: RunResult = structuredClone(RESULT);
    evil.scenarios[0]!.description = '</script><img src=x onerror=alert(1)>';
    evil.scenarios[0]!.phases[0]!.name = '<b>bold</b>';
    evil.scenarios[0]!.targets[0]!.phase = '<b>bold</b>';
    const page = renderHtmlReport([evil], STUB);
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<b>bold</b>');
    expect(charts(page).length).toBe(SPECS.length);
  });
});

describe('overlays', () => {
  const other: RunResult = structuredClone(RESULT);
  other.scenarios[0]!.phases[0]!.latency = summary(1000, 5e6, 99, 100, 60e6);

  it('report of several results: each common phase of the runs on one spectrum', () => {
    const page = renderHtmlReport([RESULT, other], STUB);
    expect(page).toContain('<h2>Runs side by side</h2>');
    const overlay = charts(page).find((s) => s.series[0]!.label === 'run 1');
    expect(overlay!.series.map((s) => s.label).slice(0, 2)).toEqual(['run 1', 'run 2']);
    expect(page).toContain('run 2: gate: failed');
  });

  it('a comparison: baseline and current on one spectrum, with the verdict', () => {
    const comparison = compareResults(RESULT, other, { replicates: 200 });
    const labels = { baseline: 'main.json', current: 'pr.json' };
    const page = renderComparisonHtml({ comparison, baseline: RESULT, current: other, labels }, STUB);
    const specs = charts(page);
    // Every compared phase with successes on both sides ("never" has none).
    expect(specs.length).toBe(comparison.phases.length - 1);
    expect(page).toContain('<strong>agent › never: baseline and current</strong>: no successful operation');
    expect(specs[0]!.series.map((s) => s.label).slice(0, 2)).toEqual(['baseline run', 'current run']);
    expect(page).toMatch(/data-gate="(passed|failed)">(✅|❌) compare: (passed|failed) — /);
    expect(page).toContain('<th></th><th>baseline: main.json</th><th>current: pr.json</th>');
    expect(page).toMatch(/Verdict: p50: .* \([+-]?[\d.]+%\)/);
  });

  it('run --baseline: the run report with the comparison after its header', () => {
    const comparison = compareResults(RESULT, other, { replicates: 200 });
    const page = renderHtmlReport([other], STUB, { comparison: { comparison, baseline: RESULT, current: other, labels: { baseline: 'main.json', current: 'this run' } } });
    expect(page.indexOf('<h2>Comparison with the baseline</h2>')).toBeGreaterThan(page.indexOf('<h2>Target-metrics matrix</h2>'));
    expect(page.indexOf('<h2>Comparison with the baseline</h2>')).toBeLessThan(page.indexOf('<h2>1. agent</h2>'));
    expect(charts(page).some((s) => s.series[0]!.label === 'baseline run' && s.series[1]!.label === 'current run')).toBe(true);
  });
});
