/**
 * The HTML report from the command line (in-process): `run` saves it beside the JSON and the
 * markdown, `report --format html` and `compare --format html` write it, bad input is one
 * line and exit 2. What the page shows is tested in html.test.ts and, in a real browser, in
 * test/browser/.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess, type InProcessRun } from '../helpers/in-process.js';

const TINY = (latency: string): string => `
name: tiny
description: LLM calls of ${latency}
providers:
  llm: { latency: ${latency} }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 100 }
targets:
  - metric: LLM call response
    expr: "calls p99 < 10s / < 5s"
`;

function expectOneLineError(r: InProcessRun, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

const dataOf = (html: string): { charts: Array<{ series: Array<{ label: string }> }> } =>
  JSON.parse(/<script type="application\/json" id="cb-data">(.*?)<\/script>/s.exec(html)![1]!);

let cwd: string;
let run: InProcessRun;

beforeAll(async () => {
  cwd = tempDir();
  writeFileSync(path.join(cwd, 'fast.yaml'), TINY('1ms'));
  writeFileSync(path.join(cwd, 'slow.yaml'), TINY('3ms'));
  run = await runInProcess(['run', './fast.yaml', '--seed', '2'], { cwd });
  await runInProcess(['run', './slow.yaml', '--seed', '2', '--out', 'slow.json', '--no-save'], { cwd });
});

describe('run', () => {
  it('saves reports/<name>.html and reports/latest.html beside the .json and .md, and prints their paths', () => {
    expect(run.code).toBe(0);
    const files = readdirSync(path.join(cwd, 'reports'));
    const html = files.filter((f) => /^tiny-\d{8}-\d{6}\.html$/.test(f));
    expect(html).toHaveLength(1);
    expect(files).toEqual(expect.arrayContaining(['latest.html', 'latest.json', 'latest.md', html[0]!.replace('.html', '.json'), html[0]!.replace('.html', '.md')]));
    expect(run.stderr).toContain(`report written to ${path.join('reports', html[0]!)}`);
    const page = readFileSync(path.join(cwd, 'reports', 'latest.html'), 'utf8');
    expect(page).toBe(readFileSync(path.join(cwd, 'reports', html[0]!), 'utf8'));
    expect(page).toContain('gate: passed');
    expect(Buffer.byteLength(page)).toBeLessThan(1024 * 1024);
  });

  it('--no-save writes no HTML', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'fast.yaml'), TINY('1ms'));
    const r = await runInProcess(['run', './fast.yaml', '--no-save', '--out', 'r.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
  });

  it('--report puts the HTML beside the markdown (r.md -> r.html); with --out too, reports/ is left alone', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'fast.yaml'), TINY('1ms'));
    const r = await runInProcess(['run', './fast.yaml', '--out', 'r.json', '--report', 'r.md'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['fast.yaml', 'r.html', 'r.json', 'r.md']);
    expect(r.stderr).toContain('report written to r.html');
    expect(readFileSync(path.join(dir, 'r.html'), 'utf8')).toContain('<h2>1. tiny</h2>');
  });

  it('--baseline: the saved page overlays the baseline and this run with the verdict', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'slow.yaml'), TINY('3ms'));
    // The verdict depends on this machine's noise (test/e2e holds compare's verdicts): here, that the page has one.
    const r = await runInProcess(['run', './slow.yaml', '--seed', '2', '--baseline', path.join(cwd, 'reports', 'latest.json')], { cwd: dir });
    expect([0, 1]).toContain(r.code);
    const page = readFileSync(path.join(dir, 'reports', 'latest.html'), 'utf8');
    expect(page).toContain('<h2>Comparison with the baseline</h2>');
    expect(page).toMatch(r.code === 1 ? /compare: failed — 1 significant slowdown/ : /compare: passed — /);
    expect(dataOf(page).charts.some((c) => c.series[0]!.label === 'baseline run' && c.series[1]!.label === 'current run')).toBe(true);
  });
});

describe('report --format html', () => {
  it('writes one page for one result', async () => {
    const r = await runInProcess(['report', 'reports/latest.json', '--format', 'html', '--out', 'r.html'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('report written to r.html\n');
    expect(readFileSync(path.join(cwd, 'r.html'), 'utf8')).toBe(readFileSync(path.join(cwd, 'reports', 'latest.html'), 'utf8'));
  });

  it('overlays several results', async () => {
    const r = await runInProcess(['report', 'reports/latest.json', 'slow.json', '--format', 'html'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<h2>Runs side by side</h2>');
    expect(dataOf(r.stdout).charts[0]!.series.map((s) => s.label).slice(0, 2)).toEqual(['run 1', 'run 2']);
  });

  it('bad input: an unknown format, a file that is not a result — exit 2, one line', async () => {
    writeFileSync(path.join(cwd, 'package.json'), '{"name": "x"}');
    expectOneLineError(await runInProcess(['report', 'reports/latest.json', '--format', 'pdf'], { cwd }), /--format "pdf": unknown format \(allowed: md, markdown, json, benchmark-action, table, html\)/);
    expectOneLineError(await runInProcess(['report', 'package.json', '--format', 'html', '--out', 'x.html'], { cwd }), /package\.json: no "schemaVersion" and "scenarios": not a cluster-bench result/);
    expect(existsSync(path.join(cwd, 'x.html'))).toBe(false);
  });
});

describe('compare --format html', () => {
  it('writes a page with both runs on one spectrum and the verdict; the exit code is the comparison\'s', async () => {
    const r = await runInProcess(['compare', 'reports/latest.json', 'slow.json', '--format', 'html', '--out', 'c.html'], { cwd, env: { GITHUB_STEP_SUMMARY: undefined } });
    expect([0, 1]).toContain(r.code);
    expect(r.stderr).toBe('comparison written to c.html\n');
    const page = readFileSync(path.join(cwd, 'c.html'), 'utf8');
    expect(page).toMatch(r.code === 1 ? /compare: failed — 1 significant slowdown beyond 10%: tiny › calls p50/ : /compare: passed — /);
    expect(dataOf(page).charts[0]!.series.map((s) => s.label).slice(0, 2)).toEqual(['baseline run', 'current run']);
  });

  it('--format markdown and json; bad or contradictory formats are one line, exit 2', async () => {
    const md = await runInProcess(['compare', 'reports/latest.json', 'slow.json', '--format', 'markdown'], { cwd });
    expect(md.stdout).toContain('## Comparison with the baseline');
    const json = await runInProcess(['compare', 'reports/latest.json', 'slow.json', '--format', 'json'], { cwd });
    expect(typeof JSON.parse(json.stdout).passed).toBe('boolean');
    expectOneLineError(await runInProcess(['compare', 'reports/latest.json', 'slow.json', '--format', 'svg'], { cwd }), /--format "svg": unknown format \(allowed: table, json, markdown, html\)/);
    expectOneLineError(await runInProcess(['compare', 'reports/latest.json', 'slow.json', '--json', '--format', 'html'], { cwd }), /--json and --format html contradict each other/);
  });
});
