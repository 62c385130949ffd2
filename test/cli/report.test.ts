/**
 * What `run` leaves behind (reports/, --out, --report, $GITHUB_STEP_SUMMARY, a partial
 * result after Ctrl-C) and `report` re-rendering it: in-process, exit codes checked exactly.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runInProcess, type InProcessRun } from '../helpers/in-process.js';
import { tinyScenario } from '../helpers/scenarios.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = tinyScenario(100);

describe('run saves its result and report', () => {
  let dir: string;
  let summary: string;
  let run: InProcessRun;

  beforeAll(async () => {
    dir = tempDir();
    summary = path.join(dir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n\n');
    run = await runInProcess(['run', 'store-retrieve', '--seed', '5'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
  });

  it('writes reports/<scenario>-<time>.json and .md, latest.json and latest.md, and prints their paths', () => {
    expect(run.stderr).not.toContain('internal error');
    expect([0, 1]).toContain(run.code);
    const files = readdirSync(path.join(dir, 'reports')).sort();
    const json = files.filter((f) => /^store-retrieve-\d{8}-\d{6}\.json$/.test(f));
    const md = files.filter((f) => /^store-retrieve-\d{8}-\d{6}\.md$/.test(f));
    expect(json).toHaveLength(1);
    expect(md).toHaveLength(1);
    const html = files.filter((f) => /^store-retrieve-\d{8}-\d{6}\.html$/.test(f));
    expect(html).toHaveLength(1);
    expect(files).toEqual([json[0], md[0], html[0], 'latest.json', 'latest.md', 'latest.html'].sort());
    expect(run.stderr).toContain(`result written to ${path.join('reports', json[0]!)}\n`);
    expect(run.stderr).toContain(`report written to ${path.join('reports', md[0]!)}\n`);
    expect(run.stderr).toContain(`report appended to $GITHUB_STEP_SUMMARY (${summary})\n`);
    const result = JSON.parse(readFileSync(path.join(dir, 'reports', json[0]!), 'utf8'));
    expect(result.seed).toBe(5);
    expect(readFileSync(path.join(dir, 'reports', 'latest.md'), 'utf8')).toBe(readFileSync(path.join(dir, 'reports', md[0]!), 'utf8'));
  });

  it('appends the report, with its target matrix, to $GITHUB_STEP_SUMMARY', () => {
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n\n# cluster-bench performance report')).toBe(true);
    expect(text).toContain('| metric | measured | current | target | status | source |');
    expect(text).toMatch(/\| (🟢 excellent|🟡 good|🔴 needs work) \| `retrieve p99 < 0\.5ms \/ < 0\.2ms` \|/);
  });

  it('report re-renders the saved result exactly as run wrote it', async () => {
    const r = await runInProcess(['report', path.join('reports', 'latest.json')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(path.join(dir, 'reports', 'latest.md'), 'utf8'));
    expect(r.stdout).toContain(`| Node.js | ${process.version}`);
    expect(r.stdout).toContain('Reproduce: `cluster-bench run store-retrieve --seed 5`');
  });

  it('report --format json and md alias: the result itself, the report', async () => {
    const json = await runInProcess(['report', path.join('reports', 'latest.json'), '--format', 'json'], { cwd: dir });
    expect(json.stdout).toBe(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8'));
    const md = await runInProcess(['report', path.join('reports', 'latest.json'), '--format', 'md'], { cwd: dir });
    expect(md.stdout).toBe(readFileSync(path.join(dir, 'reports', 'latest.md'), 'utf8'));
  });

  it('report --format benchmark-action writes the entries github-action-benchmark reads', async () => {
    const r = await runInProcess(['report', path.join('reports', 'latest.json'), '--format', 'benchmark-action', '--out', 'bench.json'], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'report written to bench.json\n' });
    const entries = JSON.parse(readFileSync(path.join(dir, 'bench.json'), 'utf8'));
    expect(entries.find((e: { name: string }) => e.name === 'store-retrieve/retrieve p99')).toMatchObject({ unit: 'ms' });
    const bigger = await runInProcess(['report', path.join('reports', 'latest.json'), '--format', 'benchmark-action', '--tool', 'customBiggerIsBetter'], { cwd: dir });
    expect(JSON.parse(bigger.stdout).every((e: { unit: string }) => e.unit === 'ops/s')).toBe(true);
  });

  it('a second run in the same second gets its own files', async () => {
    const again = await runInProcess(['run', 'store-retrieve', '--seed', '6'], { cwd: dir });
    expect([0, 1]).toContain(again.code);
    expect(readdirSync(path.join(dir, 'reports')).filter((f) => f.endsWith('.json') && f !== 'latest.json')).toHaveLength(2);
  });
});

describe('where files go', () => {
  const scenario = path.join(tempDir(), 'tiny.yaml');
  writeFileSync(scenario, TINY);

  it('--no-save writes nothing, not even the step summary', async () => {
    const dir = tempDir();
    const summary = path.join(dir, 'summary.md');
    const r = await runInProcess(['run', scenario, '--no-save'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--out and --report choose the paths; with both, reports/ is left alone', async () => {
    const dir = tempDir();
    const r = await runInProcess(['run', scenario, '--out', 'r.json', '--report', 'r.md'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')).scenarios[0].name).toBe('tiny');
    expect(readFileSync(path.join(dir, 'r.md'), 'utf8')).toContain('## 1. tiny');
    // The HTML report goes beside the markdown one.
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.md']);
  });

  it('--no-save still writes the --out file named on the command line', async () => {
    const dir = tempDir();
    const r = await runInProcess(['run', scenario, '--no-save', '--out', 'r.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('--trials 2 keeps per-trial figures and reports them', async () => {
    const dir = tempDir();
    const r = await runInProcess(['run', scenario, '--trials', '2', '--out', 'r.json', '--report', 'r.md', '--set', 'phases.0.executor.iterations=50'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('trial 2 of 2');
    const result = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8'));
    expect(result.scenarios[0].trials).toHaveLength(2);
    expect(result.scenarios[0].trials[1].phases[0]).toMatchObject({ name: 'calls', count: 50 });
    expect(result.scenarios[0].phases[0].count).toBe(100);
    expect(readFileSync(path.join(dir, 'r.md'), 'utf8')).toContain('### Trials');
  });
});

describe('an interrupted run', () => {
  it('still saves its partial result and report, and exits 130', async () => {
    const cwd = tempDir();
    // Ctrl-C once the phase has run for a moment, as a user would.
    const r = await runInProcess(['run', 'soak', '--duration', '60s'], {
      cwd,
      onStart: (p) => {
        const origin = p.stderr.write;
        p.stderr.write = (s: string) => {
          if (/soak › soak: started/.test(s)) setTimeout(() => p.signal('SIGINT'), 500);
          return origin(s);
        };
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('SIGINT: stopping — finishing in-flight operations, then writing the partial result');
    const json = readdirSync(path.join(cwd, 'reports')).find((f) => /^soak-\d{8}-\d{6}\.json$/.test(f));
    expect(json).toBeDefined();
    const result = JSON.parse(readFileSync(path.join(cwd, 'reports', json!), 'utf8'));
    expect(result.interrupted).toBe(true);
    expect(result.scenarios[0].phases[0].interrupted).toBe(true);
    expect(readFileSync(path.join(cwd, 'reports', 'latest.md'), 'utf8')).toContain('**Interrupted**');
  });
});

describe('report: bad input is one line and exit 2', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'broken.json'), '{"schemaVersion": 1,\n');
  writeFileSync(path.join(dir, 'package.json'), '{"name": "x"}');
  it.each<[string, string[], string]>([
    ['missing file', ['report', 'nope.json'], 'nope.json: no such file'],
    ['not a result', ['report', 'package.json'], 'package.json: no "schemaVersion" and "scenarios": not a cluster-bench result'],
    ['a directory', ['report', '.'], '.: is a directory, not a result file'],
    ['unknown format', ['report', 'package.json', '--format', 'pdf'], '--format "pdf": unknown format (allowed: md, markdown, json, benchmark-action, table, html)'],
    ['--tool without benchmark-action', ['report', 'package.json', '--format', 'md', '--tool', 'customBiggerIsBetter'], '--tool is for --format benchmark-action (got --format md)'],
    ['unknown --tool', ['report', 'package.json', '--format', 'benchmark-action', '--tool', 'fastest'], '--tool "fastest": unknown tool (allowed: customSmallerIsBetter, customBiggerIsBetter)'],
  ])('%s', async (_name, args, message) => {
    expectOneLineError(await runInProcess(args, { cwd: dir }), message);
  });

  it('invalid JSON: names the file and quotes the parser, on one line', async () => {
    const r = await runInProcess(['report', 'broken.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cluster-bench: error: broken\.json: not valid JSON \([^\n]+\)\n$/);
  });

  it('a report that cannot be written is exit 2 before rendering, one line', async () => {
    const run = tempDir();
    writeFileSync(path.join(run, 'tiny.yaml'), TINY);
    expect((await runInProcess(['run', 'tiny.yaml', '--no-save', '--out', 'r.json', '--set', 'phases.0.executor.iterations=5'], { cwd: run })).code).toBe(0);
    // A file where a directory should be: no write can succeed.
    const r = await runInProcess(['report', 'r.json', '--out', path.join('tiny.yaml', 'report.md')], { cwd: run });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cluster-bench: error: --out tiny.yaml/report.md: ${path.join(run, 'tiny.yaml')} is not a directory\n`);
    expect(readdirSync(run).sort()).toEqual(['r.json', 'tiny.yaml']);
  });
});
