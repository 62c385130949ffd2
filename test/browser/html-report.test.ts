/**
 * The HTML reports in a real browser: Debian's Chromium, driven by playwright-core (no bundled
 * browser is downloaded). Each saved file is opened from disk with every network request
 * blocked; the tests assert that none was attempted, that nothing was logged as an error,
 * that every chart drew (its canvas holds pixels of each of its series' colours, not only
 * axes), that the matrix and the gate verdict are on the page and that hovering reads values.
 * Screenshots are kept under test-artifacts/browser/ (gitignored) for people to look at.
 * The browser, the blocking and the drawing checks are in chromium.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_MATRIX } from '../../src/targets/seed-matrix.js';
import { tempDir } from '../e2e/helpers.js';
import { ARTIFACTS, chartCount, cli, expectDrawn, expectOffline, horizontalOverflow, launchChromium, pixels, waitForBackground, type Chromium, type Opened } from './chromium.js';

// An agent phase (step spectra) and an open-model phase long enough for a time series with
// heap samples (intervals of 1 s), with latency targets to draw as lines.
const SCENARIO = `
name: browser
description: Agent executions, then agent requests at 100/s with a time series
providers:
  llm: { latency: "lognormal(1ms, 6ms)", stallEvery: 150, stallFor: 40ms }
phases:
  - name: execute
    op: agent.execute
    params: { prompt: "What is 6 * 7?", sessions: 20 }
    executor: { type: iterations, iterations: 200, concurrency: 4 }
  - name: open
    op: agent.execute
    params: { prompt: "What is 6 * 7?", sessions: 20 }
    executor: { type: rate, rate: 100, duration: 3s }
    interval: 1s
targets:
  - metric: agent execution
    expr: "execute p99 < 100ms / < 50ms"
  - metric: agent execution (open model)
    expr: "open p99 < 200ms / < 100ms"
  - metric: concurrent throughput
    expr: "open throughput > 50/s / > 90/s"
`;

const TINY = (latency: string): string => `
name: tiny
description: LLM calls of ${latency}
providers:
  llm: { latency: ${latency} }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 150 }
targets:
  - metric: LLM call response
    expr: "calls p99 < 10s / < 5s"
`;

let browser: Chromium;
const files: Record<string, string> = {};

beforeAll(async () => {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 'browser.yaml'), SCENARIO);
  writeFileSync(path.join(cwd, 'fast.yaml'), TINY('1ms'));
  writeFileSync(path.join(cwd, 'slow.yaml'), TINY('2ms'));
  // The report as `run` saves it, and the files compare and report write.
  await cli(['run', './browser.yaml', '--seed', '5'], cwd);
  await cli(['run', './fast.yaml', '--seed', '1', '--out', 'a.json', '--no-save'], cwd);
  await cli(['run', './slow.yaml', '--seed', '1', '--out', 'b.json', '--no-save'], cwd);
  await cli(['compare', 'a.json', 'b.json', '--format', 'html', '--out', 'compare.html'], cwd);
  await cli(['report', 'a.json', 'b.json', 'reports/latest.json', '--format', 'html', '--out', 'several.html'], cwd);
  files['run'] = path.join(cwd, 'reports', 'latest.html');
  files['compare'] = path.join(cwd, 'compare.html');
  files['several'] = path.join(cwd, 'several.html');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the report `run` saves (reports/latest.html)', () => {
  let o: Opened;
  beforeAll(async () => {
    o = await browser.open(files['run']!);
  });

  it('opens offline: no request but the file itself, no console error', () => {
    expectOffline(o);
  });

  it('every chart drew: spectra with their target lines, time series', async () => {
    const n = await chartCount(o.page);
    // Two spectra, and throughput, latency, memory and event-loop charts of the open phase.
    expect(n).toBe(6);
    const charts = await pixels(o.page);
    expectDrawn(charts, n);
    const spectrum = charts[0]!;
    const labels = spectrum.series.map((s) => s.label);
    expect(labels[0]).toBe('latency');
    expect(labels.slice(1, 4).sort()).toEqual(['llm step', 'memory step', 'tool step']);
    expect(labels.slice(4)).toEqual(['current: p99 < 100ms', 'target: p99 < 50ms']);
    expect(charts[1]!.series.map((s) => s.label).slice(0, 2)).toEqual(['latency (from scheduled start)', 'service time']);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'run-report.png'), fullPage: true });
  });

  it('shows the gate verdict and every row of the target-metrics matrix', async () => {
    await expect(o.page.locator('[data-gate]').first().textContent()).resolves.toMatch(/gate: (passed|failed) \(\d+ green, \d+ yellow, \d+ red\)/);
    const rows = o.page.locator('#target-metrics-matrix tr.matrix-row');
    expect(await rows.count()).toBeGreaterThanOrEqual(SEED_MATRIX.length);
    const text = await o.page.locator('#target-metrics-matrix').textContent();
    for (const r of SEED_MATRIX) expect(text).toContain(r.metric);
    expect(text).toMatch(/browser: execute p99 < 100ms \/ < 50ms/);
  });

  it('hovering a chart reads its values', async () => {
    const chart = o.page.locator('[data-chart="chart-1"]');
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    // Hover scrolls the chart into view and moves the mouse over the middle of the plot.
    await over.hover({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
    const value = chart.locator('.u-legend .u-value');
    await expect.poll(() => value.first().textContent()).toMatch(/^\d+(\.\d+)?%$/);
    expect(await value.nth(1).textContent()).toMatch(/^\d+(\.\d+)?(ns|us|ms|s)$/);
    await chart.screenshot({ path: path.join(ARTIFACTS, 'run-spectrum-hover.png') });
  });

  it('dark colour scheme: redrawn in its colours', async () => {
    await o.page.emulateMedia({ colorScheme: 'dark' });
    await waitForBackground(o.page, 'rgb(255, 255, 255)', true);
    const charts = await pixels(o.page);
    expectDrawn(charts, 6);
    expect(charts[0]!.series[0]!.color).toBe('rgb(88, 166, 255)');
    expect(o.errors).toEqual([]);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'run-report-dark.png'), fullPage: true });
  });

  it('prints: light colours, charts redrawn to the page width, nothing wider than the page', async () => {
    await o.page.setViewportSize({ width: 800, height: 1100 });
    await o.page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    await waitForBackground(o.page, 'rgb(255, 255, 255)');
    const charts = await pixels(o.page);
    expectDrawn(charts, 6);
    expect(charts[0]!.series[0]!.color).toBe('rgb(0, 114, 178)');
    const overflow = await horizontalOverflow(o.page);
    expect(overflow).toBeLessThanOrEqual(0);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'run-report-print.png'), fullPage: true });
    await o.page.pdf({ path: path.join(ARTIFACTS, 'run-report.pdf'), format: 'A4', printBackground: true });
    expect(o.errors).toEqual([]);
  });
});

describe('compare --format html', () => {
  it('shows the baseline and the current run on one spectrum, with the verdict', async () => {
    const o = await browser.open(files['compare']!);
    expectOffline(o);
    const charts = await pixels(o.page);
    expectDrawn(charts, await chartCount(o.page));
    expect(charts[0]!.series.map((s) => s.label).slice(0, 2)).toEqual(['baseline run', 'current run']);
    for (const s of charts[0]!.series.slice(0, 2)) expect(s.pixels, s.label).toBeGreaterThan(20);
    await expect(o.page.locator('[data-gate]').first().textContent()).resolves.toMatch(/compare: (passed|failed) — /);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'compare.png'), fullPage: true });
  });
});

describe('report of several results --format html', () => {
  it('overlays the runs that share a phase', async () => {
    const o = await browser.open(files['several']!);
    expectOffline(o);
    const charts = await pixels(o.page);
    expectDrawn(charts, await chartCount(o.page));
    const overlay = charts.find((c) => c.series[0]?.label === 'run 1');
    expect(overlay?.series.map((s) => s.label).slice(0, 2)).toEqual(['run 1', 'run 2']);
    expect(await o.page.locator('[data-gate]').count()).toBe(3);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'several.png'), fullPage: true });
  });
});

describe('the file', () => {
  it('is one self-contained file under 1 MB', () => {
    for (const f of Object.values(files)) {
      const html = readFileSync(f, 'utf8');
      expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!#|data:)/i);
    }
  });
});
