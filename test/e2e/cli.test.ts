import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const SMALL = `
name: small
description: a tiny scenario for end-to-end tests
providers:
  llm: { latency: none }
phases:
  - name: calls
    op: llm.call
    executor: { type: iterations, iterations: 200, concurrency: 4 }
  - name: agent
    op: agent.execute
    executor: { type: vus, vus: 5, iterationsPerVu: 20 }
targets:
  - metric: LLM call response
    expr: "calls p99 < 10s / < 5s"
  - metric: agent count
    expr: "agent count >= 100 / >= 100"
`;

function writeScenario(text: string, name = 'scenario.yaml'): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

describe('cluster-bench binary', () => {
  it('prints its version and help with examples', () => {
    const v = cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = cli(['run', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Examples:');
    expect(h.stdout).toContain('--set <path=value>');
    expect(h.stdout).toContain('Exit codes');
  });

  it('lists the eight built-in scenarios with descriptions', () => {
    const r = cli(['list']);
    expect(r.code).toBe(0);
    for (const name of ['init', 'llm-call', 'store-retrieve', 'agent', 'concurrency', 'memory', 'stress', 'soak']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, 'm'));
    }
  });

  it('runs a small scenario file, prints the matrix and writes a parseable result', () => {
    const file = writeScenario(SMALL);
    const out = path.join(tempDir(), 'result.json');
    const r = cli(['run', file, '--seed', '7', '--out', out]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LLM call response');
    expect(r.stdout).toMatch(/simulated/i);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.schemaVersion).toBe(1);
    expect(result.seed).toBe(7);
    const [scenario] = result.scenarios;
    expect(scenario.phases.map((p: { name: string }) => p.name)).toEqual(['calls', 'agent']);
    expect(scenario.phases[0].count).toBe(200);
    expect(scenario.phases[1].count).toBe(100);
    expect(scenario.phases[0].latency.histogram).toMatch(/^HISTFAAA/);
    expect(scenario.targets.map((t: { status: string }) => t.status)).toEqual(['green', 'green']);
  });

  it('--json puts only the result on stdout', () => {
    const file = writeScenario(SMALL);
    const r = cli(['run', file, '--json', '--set', 'phases.0.executor.iterations=50']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.scenarios[0].phases[0].count).toBe(50);
    expect(r.stderr).toContain('LLM call response');
  });

  it('the same seed gives the same simulated answers (token counts)', () => {
    const file = writeScenario(SMALL);
    const a = JSON.parse(cli(['run', file, '--json', '--seed', '3']).stdout);
    const b = JSON.parse(cli(['run', file, '--json', '--seed', '3']).stdout);
    expect(a.scenarios[0].phases[1].extra).toEqual(b.scenarios[0].phases[1].extra);
  });

  it('exits 1 when a target is red, 0 with --no-gate, and 1 on yellow only with --strict', () => {
    const red = writeScenario(SMALL.replace('calls p99 < 10s / < 5s', 'calls p99 < 1ns / < 1ns'));
    expect(cli(['run', red]).code).toBe(1);
    expect(cli(['run', red, '--no-gate']).code).toBe(0);
    const yellow = writeScenario(SMALL.replace('calls p99 < 10s / < 5s', 'calls p99 < 10s / < 1ns'));
    expect(cli(['run', yellow]).code).toBe(0);
    expect(cli(['run', yellow, '--strict']).code).toBe(1);
  });

  describe('bad input: exit 2 and one clear line, no stack trace', () => {
    const cases: Array<[string, () => string[], RegExp]> = [
      ['unknown scenario name', () => ['run', 'strss'], /unknown scenario "strss".*stress/],
      ['malformed YAML', () => ['run', writeScenario('name: x\nphases: [\n  - {name: a\n')], /scenario\.yaml:\d+:\d+: invalid YAML/],
      [
        'unknown key',
        () => ['run', writeScenario(SMALL.replace('  llm: { latency: none }', '  llm: { latncy: none }'))],
        /scenario\.yaml: providers\.llm: unknown key "latncy" \(allowed: .*latency/,
      ],
      ['bad --set value', () => ['run', 'llm-call', '--set', 'providers.llm.latency=fast'], /providers\.llm\.latency: "fast" is not a latency model .*--set providers\.llm\.latency=fast/],
      ['bad --set syntax', () => ['run', 'llm-call', '--set', 'providers.llm.latency'], /--set "providers\.llm\.latency": expected PATH=VALUE/],
      ['bad --set index', () => ['run', 'llm-call', '--set', 'phases.9.warmup=1'], /phases is a list of 2; "9" is not an index/],
      ['unknown option', () => ['run', 'llm-call', '--sed', '1'], /unknown option '--sed'/],
      ['bad executor type', () => ['run', writeScenario(SMALL.replace('type: iterations', 'type: loop'))], /phases\.0\.executor\.type: .*allowed: iterations, vus, rate/],
      ['bad target phase', () => ['run', writeScenario(SMALL.replace('calls p99', 'cals p99'))], /targets\.0\.expr: no phase named "cals"/],
      ['missing file', () => ['run', './nope/missing.yaml'], /unknown scenario ".\/nope\/missing.yaml"/],
      ['bad --seed', () => ['run', 'llm-call', '--seed', 'abc'], /--seed "abc"/],
      ['bad --duration', () => ['run', 'soak', '--duration', 'soon'], /--duration "soon"/],
    ];
    it.each(cases)('%s', (_name, args, message) => {
      const r = cli(args());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(r.stdout).toBe('');
    });
  });

  it('a plugin without a factory in the last scenario fails before the first one runs', () => {
    const dir = tempDir();
    const plugin = path.resolve('test/fixtures/plugins/no-default.mjs');
    const file = writeScenario(SMALL.replace('  llm: { latency: none }', `  llm: { module: ${JSON.stringify(plugin)} }`));
    const t0 = Date.now();
    const r = cli(['run', 'stress', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no-default\.mjs/);
    // The stress scenario before it never started, and nothing was saved.
    expect(r.stderr).not.toMatch(/stress › load/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
  });

  it('does not write a result file when the input is bad', () => {
    const out = path.join(tempDir(), 'result.json');
    const r = cli(['run', 'llm-call', '--set', 'phases.0.executor.iterations=-1', '--out', out]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
