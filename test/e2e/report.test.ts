import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, tempDir } from './helpers.js';

// A small scenario with a fixed simulated latency: fast to run, and a slowdown set with
// --set providers.llm.latency=... is far beyond run-to-run noise.
const TINY = `
name: tiny
description: 300 simulated LLM calls of 2 ms, one at a time
providers:
  llm: { latency: 2ms }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 300 }
    warmup: 20
targets:
  # Not a latency target: these tests are about files and exit codes, and must not depend on
  # how fast a shared machine answers.
  - metric: LLM call errors
    expr: "calls errorRate <= 0 / <= 0"
`;

const NO_SUMMARY = { GITHUB_STEP_SUMMARY: undefined };

function expectOneLineError(r: { code: number | null; stderr: string; stdout: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('run saves its result and report', () => {
  let dir: string;
  let summary: string;
  let run: ReturnType<typeof cli>;

  beforeAll(() => {
    dir = tempDir();
    summary = path.join(dir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n\n');
    run = cli(['run', 'store-retrieve', '--seed', '5'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
  });

  it('writes reports/<scenario>-<time>.json and .md, latest.json and latest.md, and prints their paths', () => {
    expect(run.stderr).not.toContain('internal error');
    const files = readdirSync(path.join(dir, 'reports')).sort();
    const json = files.filter((f) => /^store-retrieve-\d{8}-\d{6}\.json$/.test(f));
    const md = files.filter((f) => /^store-retrieve-\d{8}-\d{6}\.md$/.test(f));
    expect(json).toHaveLength(1);
    expect(md).toHaveLength(1);
    expect(files).toContain('latest.md');
    expect(files).toContain('latest.json');
    expect(run.stderr).toContain(`result written to ${path.join('reports', json[0]!)}`);
    expect(run.stderr).toContain(`report written to ${path.join('reports', md[0]!)}`);
    const result = JSON.parse(readFileSync(path.join(dir, 'reports', json[0]!), 'utf8'));
    expect(result.seed).toBe(5);
    // Real timings decide the targets; the exit code must say what the saved gate says.
    expect(run.code).toBe(result.gate.passed ? 0 : 1);
    expect(readFileSync(path.join(dir, 'reports', 'latest.md'), 'utf8')).toBe(readFileSync(path.join(dir, 'reports', md[0]!), 'utf8'));
  });

  it('appends the report, with its target matrix, to $GITHUB_STEP_SUMMARY', () => {
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n\n# cluster-bench performance report')).toBe(true);
    expect(text).toContain('| metric | measured | current | target | status | source |');
    expect(text).toMatch(/\| (🟢 excellent|🟡 good|🔴 needs work) \| `retrieve p99 < 0\.5ms \/ < 0\.2ms` \|/);
  });

  it('report re-renders the saved result: Node.js version and p99 are in it', () => {
    const r = cli(['report', path.join('reports', 'latest.json')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`| Node.js | ${process.version}`);
    expect(r.stdout).toContain('| p99 |');
    expect(r.stdout).toContain('Reproduce: `cluster-bench run store-retrieve --seed 5`');
    expect(r.stdout).toBe(readFileSync(path.join(dir, 'reports', 'latest.md'), 'utf8'));
  });

  it('report --format benchmark-action writes the entries github-action-benchmark reads', () => {
    const out = path.join(dir, 'bench.json');
    const r = cli(['report', path.join('reports', 'latest.json'), '--format', 'benchmark-action', '--out', out], { cwd: dir });
    expect(r.code).toBe(0);
    const entries = JSON.parse(readFileSync(out, 'utf8'));
    expect(entries.find((e: { name: string }) => e.name === 'store-retrieve/retrieve p99')).toMatchObject({ unit: 'ms' });
    const bigger = cli(['report', path.join('reports', 'latest.json'), '--format', 'benchmark-action', '--tool', 'customBiggerIsBetter'], { cwd: dir });
    expect(JSON.parse(bigger.stdout).every((e: { unit: string }) => e.unit === 'ops/s')).toBe(true);
  });

  it('a second run in the same second gets its own files', () => {
    const again = cli(['run', 'store-retrieve', '--seed', '6'], { cwd: dir, env: NO_SUMMARY });
    expect(readdirSync(path.join(dir, 'reports')).filter((f) => f.endsWith('.json') && f !== 'latest.json')).toHaveLength(2);
    const latest = JSON.parse(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(latest.seed).toBe(6);
    expect(again.code).toBe(latest.gate.passed ? 0 : 1);
  });
});

describe('where files go', () => {
  let scenario: string;
  beforeAll(() => {
    scenario = path.join(tempDir(), 'tiny.yaml');
    writeFileSync(scenario, TINY);
  });

  it('--no-save writes nothing, not even the step summary', () => {
    const dir = tempDir();
    const summary = path.join(dir, 'summary.md');
    const r = cli(['run', scenario, '--no-save'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
    expect(existsSync(summary)).toBe(false);
  });

  it('--out and --report choose the paths; with both, reports/ is left alone', () => {
    const dir = tempDir();
    const r = cli(['run', scenario, '--out', 'r.json', '--report', 'r.md'], { cwd: dir, env: NO_SUMMARY });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')).scenarios[0].name).toBe('tiny');
    expect(readFileSync(path.join(dir, 'r.md'), 'utf8')).toContain('## 1. tiny');
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
  });

  it('--no-save still writes the --out file named on the command line', () => {
    const dir = tempDir();
    const r = cli(['run', scenario, '--no-save', '--out', 'r.json'], { cwd: dir, env: NO_SUMMARY });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'r.json'))).toBe(true);
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('--trials 2 keeps per-trial figures and reports them', () => {
    const dir = tempDir();
    const r = cli(['run', scenario, '--trials', '2', '--out', 'r.json', '--report', 'r.md', '--set', 'phases.0.executor.iterations=50'], { cwd: dir, env: NO_SUMMARY });
    expect(r.code).toBe(0);
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
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: '1' };
    delete env['GITHUB_STEP_SUMMARY'];
    // SIGINT half a second into the measured phase of a 60 s run, as Ctrl-C would (once the
    // phase has started: a loaded machine may take seconds to get there).
    const child = spawn(process.execPath, [BIN, 'run', 'soak', '--duration', '60s'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (timer === undefined && /soak › soak: started/.test(stderr)) timer = setTimeout(() => child.kill('SIGINT'), 500);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    expect(code).toBe(130);
    const files = readdirSync(path.join(cwd, 'reports'));
    const json = files.find((f) => /^soak-\d{8}-\d{6}\.json$/.test(f));
    expect(json).toBeDefined();
    expect(JSON.parse(readFileSync(path.join(cwd, 'reports', json!), 'utf8')).interrupted).toBe(true);
    expect(readFileSync(path.join(cwd, 'reports', 'latest.md'), 'utf8')).toContain('**Interrupted**');
  });
});

describe('report: bad input is one line and exit 2', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'broken.json'), '{"schemaVersion": 1,\n');
  writeFileSync(path.join(dir, 'package.json'), '{"name": "x"}');
  it.each<[string, string[], RegExp]>([
    ['missing file', ['report', 'nope.json'], /^cluster-bench: error: nope\.json: no such file$/m],
    ['invalid JSON', ['report', 'broken.json'], /^cluster-bench: error: broken\.json: not valid JSON \(/m],
    ['not a result', ['report', 'package.json'], /^cluster-bench: error: package\.json: no "schemaVersion" and "scenarios": not a cluster-bench result$/m],
    ['a directory', ['report', '.'], /^cluster-bench: error: \.: is a directory/m],
    ['unknown format', ['report', 'package.json', '--format', 'html'], /--format "html": unknown format \(allowed: md, markdown, json, benchmark-action, table\)/],
  ])('%s', (_name, args, message) => {
    expectOneLineError(cli(args, { cwd: dir }), message);
  });
});

describe('compare and run --baseline', () => {
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(() => {
    dir = tempDir();
    const scenario = path.join(dir, 'tiny.yaml');
    writeFileSync(scenario, TINY);
    for (const [name, latency] of [
      ['a1', '2ms'],
      ['a2', '2ms'],
      // Three times slower: a change that a loaded machine's timer jitter cannot blur.
      ['slow', '6ms'],
    ] as const) {
      const out = path.join(dir, `${name}.json`);
      const r = cli(['run', scenario, '--set', `providers.llm.latency=${latency}`, '--out', out, '--no-save']);
      if (r.code !== 0) throw new Error(`run ${name} failed: ${r.stderr}`);
      files[name] = out;
    }
    files['scenario'] = scenario;
  });

  it('A/A: no significant slowdown, exit 0', () => {
    const r = cli(['compare', files['a1']!, files['a2']!], { env: NO_SUMMARY });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tiny › calls\s+│ p50/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^compare: passed — no significant slowdown beyond 10%/);
  });

  it('2 ms -> 6 ms: slower, a regression, exit 1', () => {
    const r = cli(['compare', files['a1']!, files['slow']!], { env: NO_SUMMARY });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/slower — regression/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^compare: failed — 1 significant slowdown beyond 10%: tiny › calls p50 \+\d+/);
  });

  it('the other way round: faster, exit 0; and a higher --max-regression lets the slowdown pass', () => {
    expect(cli(['compare', files['slow']!, files['a1']!], { env: NO_SUMMARY }).code).toBe(0);
    expect(cli(['compare', files['a1']!, files['slow']!, '--max-regression', '500%'], { env: NO_SUMMARY }).code).toBe(0);
  });

  it('--json prints the comparison for machines', () => {
    const r = cli(['compare', files['a1']!, files['slow']!, '--json'], { env: NO_SUMMARY });
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout);
    expect(c.passed).toBe(false);
    expect(c.regressions[0]).toMatchObject({ scenario: 'tiny', phase: 'calls', stat: 'p50' });
    expect(c.phases[0].stats.map((s: { stat: string }) => s.stat)).toEqual(['p50', 'p99', 'throughput']);
  });

  it('appends a markdown comparison to $GITHUB_STEP_SUMMARY', () => {
    const summary = path.join(dir, 'summary.md');
    cli(['compare', files['a1']!, files['slow']!], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(readFileSync(summary, 'utf8')).toContain('## Comparison with the baseline');
  });

  it('refuses another CPU model (exit 2) unless --force', () => {
    const other = JSON.parse(readFileSync(files['a2']!, 'utf8'));
    other.environment.cpu = 'Apple M1 Pro';
    const file = path.join(dir, 'other-cpu.json');
    writeFileSync(file, JSON.stringify(other));
    expectOneLineError(cli(['compare', files['a1']!, file], { env: NO_SUMMARY }), /CPU model differs \(".*" vs "Apple M1 Pro"\) \(pass --force to compare anyway\)/);
    const forced = cli(['compare', files['a1']!, file, '--force'], { env: NO_SUMMARY });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('compared anyway (--force)');
  });

  it('refuses another Node.js major version', () => {
    const other = JSON.parse(readFileSync(files['a2']!, 'utf8'));
    other.environment.node = 'v99.0.0';
    const file = path.join(dir, 'other-node.json');
    writeFileSync(file, JSON.stringify(other));
    expectOneLineError(cli(['compare', files['a1']!, file], { env: NO_SUMMARY }), /Node\.js major version differs/);
  });

  it('nothing in common, a bad file or a bad flag: exit 2, one line', () => {
    const other = JSON.parse(readFileSync(files['a2']!, 'utf8'));
    other.scenarios[0].name = 'elsewhere';
    const file = path.join(dir, 'elsewhere.json');
    writeFileSync(file, JSON.stringify(other));
    expectOneLineError(cli(['compare', files['a1']!, file], { env: NO_SUMMARY }), /nothing to compare: .* no scenario phase in common/);
    expectOneLineError(cli(['compare', files['a1']!, 'missing.json'], { env: NO_SUMMARY }), /missing\.json: no such file/);
    expectOneLineError(cli(['compare', files['a1']!, files['a2']!, '--max-regression', 'lots'], { env: NO_SUMMARY }), /--max-regression "lots": expected a percentage/);
  });

  it('run --baseline: a regression exits 1, the same speed exits 0, and the report holds the comparison', () => {
    const cwd = tempDir();
    const slow = cli(['run', files['scenario']!, '--set', 'providers.llm.latency=6ms', '--baseline', files['a1']!], { cwd, env: NO_SUMMARY });
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(/compare: failed — 1 significant slowdown/);
    expect(readFileSync(path.join(cwd, 'reports', 'latest.md'), 'utf8')).toContain('## Comparison with the baseline');
    const same = cli(['run', files['scenario']!, '--baseline', files['a1']!, '--no-save'], { cwd: tempDir(), env: NO_SUMMARY });
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/compare: passed/);
  });

  it('run --baseline with an unusable baseline fails before running', () => {
    const cwd = tempDir();
    const r = cli(['run', files['scenario']!, '--baseline', 'missing.json'], { cwd, env: NO_SUMMARY });
    expectOneLineError(r, /missing\.json: no such file/);
    expect(existsSync(path.join(cwd, 'reports'))).toBe(false);
  });
});
