/**
 * A capacity search's HTML report in a real Chromium: the pages `report --format html` writes
 * from two real results of `cluster-bench capacity` (test/fixtures: a knee found, and a search
 * the load generator ended), opened offline. The charts of latency and throughput against
 * offered rate must draw their curves, the SLO line and the knee (or the generator's limit) as
 * a red mark; the steps table must hold every step; nothing may be logged as an error.
 * Screenshots: test-artifacts/browser/capacity-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityResult, RunResult } from '../../src/results/types.js';
import { formatRate } from '../../src/util/units.js';
import { tempDir } from '../e2e/helpers.js';
import { ARTIFACTS, chartCount, cli, expectDrawn, expectOffline, launchChromium, pixels, type Chromium, type Opened } from './chromium.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const NAMES = ['capacity-found', 'capacity-generator-bound'] as const;

function capacityOf(name: string): CapacityResult {
  const result = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as RunResult;
  return result.scenarios[0]!.capacity!;
}

let browser: Chromium;
const pages: Record<string, Opened> = {};

beforeAll(async () => {
  const cwd = tempDir();
  for (const name of NAMES) await cli(['report', path.join(FIXTURES, `${name}.json`), '--format', 'html', '--out', `${name}.html`], cwd);
  browser = await launchChromium();
  for (const name of NAMES) pages[name] = await browser.open(path.join(cwd, `${name}.html`));
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(NAMES)('%s.html', (name) => {
  const c = capacityOf(name);

  it('opens offline, with no console error', () => {
    expectOffline(pages[name]!);
  });

  it('draws latency and throughput against offered rate: the curves, the SLO line and the red mark', async () => {
    const { page } = pages[name]!;
    expect(await chartCount(page)).toBe(2);
    const charts = await pixels(page, 'var(--red)');
    expectDrawn(charts, 2);
    const [latency, rate] = charts;
    expect(latency!.series.map((s) => s.label)).toEqual(['p50', 'p99', `target = current: ${c.slos[0]!.source}`]);
    for (const s of latency!.series) expect(s.pixels, s.label).toBeGreaterThan(20);
    expect(rate!.series.map((s) => s.label)).toContain('achieved');
    // The mark: the capacity (or the rate the generator gave out at), a line and its label in red.
    for (const chart of charts) expect(chart.extra, `${chart.id}: the mark`).toBeGreaterThan(100);
    await page.locator('h3', { hasText: 'Capacity' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  });

  it('shows the verdict, the findings and every step in the table', async () => {
    const { page } = pages[name]!;
    await expect(page.locator('[data-capacity]').textContent()).resolves.toBe(c.summary);
    const findings = (await page.locator('.capacity-findings').textContent()) ?? '';
    if (c.verdict === 'found') {
      expect(findings).toContain(`capacity: ${formatRate(c.capacity!)} (the knee lies between ${formatRate(c.interval!.lower)}`);
      expect(findings).toContain(`binding constraint: ${c.binding!.source} broke first`);
      expect(findings).toContain(`knee: ${c.knee!.shape}`);
    } else {
      expect(findings).toContain(`no capacity: generator-bound at ${formatRate(c.generatorBoundAt!)}`);
    }
    const rows = page.locator('tr.capacity-step');
    expect(await rows.count()).toBe(c.steps.length);
    for (const [i, s] of c.steps.entries()) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(cells.slice(0, 3)).toEqual([String(s.index), s.stage, formatRate(s.rate)]);
      expect(cells[8]).toContain(s.verdict);
    }
  });

  it('hovering the latency chart reads the offered rate and the latency at it', async () => {
    const { page } = pages[name]!;
    const chart = page.locator('[data-chart="chart-1"]');
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    // The first point lies left of the middle on every fixture: hover there, the cursor snaps to it.
    await over.hover({ position: { x: box.width * 0.3, y: box.height * 0.5 } });
    const value = chart.locator('.u-legend .u-value');
    await expect.poll(() => value.first().textContent()).toMatch(/^[\d,.]+\/s$/);
    expect(await value.nth(2).textContent()).toMatch(/^\d+(\.\d+)?(us|ms|s)$/);
    await chart.screenshot({ path: path.join(ARTIFACTS, `${name}-hover.png`) });
  });
});
