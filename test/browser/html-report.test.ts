/**
 * The HTML reports in a real browser: Debian's Chromium, driven by playwright-core (no bundled
 * browser is downloaded). Each saved file is opened from disk with every network request
 * blocked; the tests assert that none was attempted, that nothing was logged as an error,
 * that every chart drew (its canvas holds pixels of each of its series' colours, not only
 * axes), that the matrix and the gate verdict are on the page and that hovering reads values.
 * Screenshots are kept under test-artifacts/browser/ (gitignored) for people to look at.
 * One browser for the whole file: launching costs about a second.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_MATRIX } from '../../src/targets/seed-matrix.js';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';
import { CHROMIUM } from './global-setup.js';

// The page.evaluate callbacks below run in Chromium, not in Node: the little of the DOM they
// use, declared for this file only (the project's TypeScript has no DOM library).
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  width: number;
  height: number;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: {
  body: PageElement;
  documentElement: PageElement & { scrollWidth: number; clientWidth: number };
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
};
declare function getComputedStyle(el: PageElement): { backgroundColor: string; borderTopColor: string };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'browser');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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

interface Opened {
  page: Page;
  /** Every request the page made, the file itself included. */
  requests: string[];
  /** Requests the route blocked (anything but the file). */
  blocked: string[];
  errors: string[];
}

interface ChartPixels {
  id: string;
  width: number;
  height: number;
  painted: number;
  series: Array<{ label: string; color: string; pixels: number }>;
}

let context: BrowserContext;
let userDataDir: string;
const files: Record<string, string> = {};

async function cli(args: string[], cwd: string): Promise<void> {
  const r = await runInProcess(args, { cwd });
  if (r.code !== 0 && r.code !== 1) throw new Error(`cluster-bench ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
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

  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'cluster-bench-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
});

async function open(file: string, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Opened> {
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const opened: Opened = { page, requests: [], blocked: [], errors: [] };
  page.on('request', (r) => void opened.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') opened.errors.push(m.text());
  });
  page.on('pageerror', (e) => void opened.errors.push(e.message));
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    opened.blocked.push(route.request().url());
    return route.abort();
  });
  if (opts.colorScheme !== undefined) await page.emulateMedia({ colorScheme: opts.colorScheme });
  await page.goto(url, { waitUntil: 'load' });
  return opened;
}

/** How many charts the page's data asks for. */
async function chartCount(page: Page): Promise<number> {
  return page.evaluate(() => (JSON.parse(document.getElementById('cb-data')!.textContent!) as { charts: unknown[] }).charts.length);
}

/** For each chart: the canvas size, painted pixels, and the pixels of each series' colour (read from its legend marker). */
async function pixels(page: Page): Promise<ChartPixels[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
      const canvas = el.querySelector('canvas');
      const rows = Array.from(el.querySelectorAll('.u-legend .u-series')).slice(1);
      if (canvas === null) return { id: el.dataset['chart'] ?? '', width: 0, height: 0, painted: 0, series: [] };
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rgbOf = (css: string): number[] => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const series = rows.map((row) => {
        const marker = row.querySelector('.u-marker')!;
        const color = getComputedStyle(marker).borderTopColor;
        const [r, g, b] = rgbOf(color);
        let count = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i] === r && data[i + 1] === g && data[i + 2] === b) count++;
        return { label: row.querySelector('.u-label')?.textContent ?? '', color, pixels: count };
      });
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { id: el.dataset['chart'] ?? '', width: canvas.width, height: canvas.height, painted, series };
    }),
  );
}

/** Every chart drew: a canvas, its data curves and its threshold lines in their colours. */
function expectDrawn(charts: ChartPixels[], expected: number): void {
  expect(charts).toHaveLength(expected);
  for (const c of charts) {
    expect(c.width, c.id).toBeGreaterThan(250);
    expect(c.painted, c.id).toBeGreaterThan(1000);
    const data = c.series.filter((s) => !/^(current|target)/.test(s.label));
    const lines = c.series.filter((s) => /^(current|target)/.test(s.label));
    expect(data.length, c.id).toBeGreaterThan(0);
    // A curve may hide under another (service time under latency); not every one of them.
    expect(data.some((s) => s.pixels > 20), `${c.id}: no data curve drawn`).toBe(true);
    for (const l of lines) expect(l.pixels, `${c.id}: ${l.label}`).toBeGreaterThan(20);
  }
}

function expectOffline(o: Opened): void {
  expect(o.blocked).toEqual([]);
  expect(o.requests).toHaveLength(1);
  expect(o.errors).toEqual([]);
}

describe('the report `run` saves (reports/latest.html)', () => {
  let o: Opened;
  beforeAll(async () => {
    o = await open(files['run']!);
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
    await o.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)');
    const charts = await pixels(o.page);
    expectDrawn(charts, 6);
    expect(charts[0]!.series[0]!.color).toBe('rgb(88, 166, 255)');
    expect(o.errors).toEqual([]);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'run-report-dark.png'), fullPage: true });
  });

  it('prints: light colours, charts redrawn to the page width, nothing wider than the page', async () => {
    await o.page.setViewportSize({ width: 800, height: 1100 });
    await o.page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    await o.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(255, 255, 255)');
    const charts = await pixels(o.page);
    expectDrawn(charts, 6);
    expect(charts[0]!.series[0]!.color).toBe('rgb(0, 114, 178)');
    const overflow = await o.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await o.page.screenshot({ path: path.join(ARTIFACTS, 'run-report-print.png'), fullPage: true });
    await o.page.pdf({ path: path.join(ARTIFACTS, 'run-report.pdf'), format: 'A4', printBackground: true });
    expect(o.errors).toEqual([]);
  });
});

describe('compare --format html', () => {
  it('shows the baseline and the current run on one spectrum, with the verdict', async () => {
    const o = await open(files['compare']!);
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
    const o = await open(files['several']!);
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
