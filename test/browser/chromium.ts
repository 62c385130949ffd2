/**
 * What the browser tests share: Debian's Chromium driven by playwright-core (no bundled browser
 * is downloaded), a page opened from disk with every network request blocked and recorded,
 * console errors collected, and the checks that a chart drew: its canvas holds pixels of each
 * of its series' colours, not only axes. Screenshots go under test-artifacts/browser/
 * (gitignored) for people to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { runInProcess } from '../helpers/in-process.js';
import { CHROMIUM } from './global-setup.js';

// The page.evaluate callbacks below run in Chromium, not in Node: the little of the DOM they
// use, declared for this file only (the project's TypeScript has no DOM library). Keep every
// callback that touches the DOM in this file, so no test file needs these declarations again.
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  width: number;
  height: number;
  style: Record<string, string>;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  appendChild(child: PageElement): void;
  remove(): void;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: {
  body: PageElement;
  documentElement: PageElement & { scrollWidth: number; clientWidth: number };
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  createElement(tag: string): PageElement;
};
declare function getComputedStyle(el: PageElement): { backgroundColor: string; borderTopColor: string; color: string };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'browser');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Opened {
  page: Page;
  /** Every request the page made, the file itself included. */
  requests: string[];
  /** Requests the route blocked (anything but the file). */
  blocked: string[];
  errors: string[];
}

export interface ChartPixels {
  id: string;
  width: number;
  height: number;
  painted: number;
  series: Array<{ label: string; color: string; pixels: number }>;
}

export interface Chromium {
  open(file: string, opts?: { colorScheme?: 'light' | 'dark' }): Promise<Opened>;
  close(): Promise<void>;
}

/** One browser for a whole test file: launching costs about a second. */
export async function launchChromium(): Promise<Chromium> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'cluster-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  return {
    async open(file, opts = {}) {
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
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The CLI in-process; exit 1 (targets missed) still writes its files. */
export async function cli(args: string[], cwd: string): Promise<void> {
  const r = await runInProcess(args, { cwd });
  if (r.code !== 0 && r.code !== 1) throw new Error(`cluster-bench ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/** How many charts the page's data asks for. */
export async function chartCount(page: Page): Promise<number> {
  return page.evaluate(() => (JSON.parse(document.getElementById('cb-data')!.textContent!) as { charts: unknown[] }).charts.length);
}

/**
 * For each chart: the canvas size, painted pixels, and the pixels of each series' colour (read
 * from its legend marker); with `cssColor`, also `extra`: the pixels of that colour (e.g. a
 * mark drawn in `var(--red)`), resolved by the page's own style.
 */
export async function pixels(page: Page, cssColor?: string): Promise<Array<ChartPixels & { extra: number }>> {
  return page.evaluate((probeColor) => {
    let probed: string | undefined;
    if (probeColor !== undefined) {
      const probe = document.createElement('span');
      probe.style['color'] = probeColor;
      document.body.appendChild(probe);
      probed = getComputedStyle(probe).color;
      probe.remove();
    }
    return Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
      const canvas = el.querySelector('canvas');
      const rows = Array.from(el.querySelectorAll('.u-legend .u-series')).slice(1);
      if (canvas === null) return { id: el.dataset['chart'] ?? '', width: 0, height: 0, painted: 0, series: [], extra: 0 };
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const count = (css: string): number => {
        const [r, g, b] = (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
        return n;
      };
      const series = rows.map((row) => {
        const color = getComputedStyle(row.querySelector('.u-marker')!).borderTopColor;
        return { label: row.querySelector('.u-label')?.textContent ?? '', color, pixels: count(color) };
      });
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { id: el.dataset['chart'] ?? '', width: canvas.width, height: canvas.height, painted, series, extra: probed !== undefined ? count(probed) : 0 };
    });
  }, cssColor);
}

/** Every chart drew: a canvas, its data curves and its threshold lines in their colours. */
export function expectDrawn(charts: ChartPixels[], expected: number): void {
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

export function expectOffline(o: Opened): void {
  expect(o.blocked).toEqual([]);
  expect(o.requests).toHaveLength(1);
  expect(o.errors).toEqual([]);
}

/** Waits until the page's background is (or, with `not`, is no longer) `rgb`: a colour scheme or print style applied. */
export async function waitForBackground(page: Page, rgb: string, not = false): Promise<void> {
  await page.waitForFunction(([want, negate]) => (getComputedStyle(document.body).backgroundColor === want) !== negate, [rgb, not] as const);
}

/** How far the page is wider than its viewport (0 or less: nothing sticks out). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
