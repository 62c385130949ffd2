/**
 * `cluster-bench compare` and `run --baseline`, in-process: exit codes exactly, refusals as
 * one line. Results differ by a fixed simulated latency (2 ms vs 5 ms), far beyond noise.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runInProcess } from '../helpers/in-process.js';
import { tinyScenario } from '../helpers/scenarios.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = tinyScenario(300);

describe('compare and run --baseline', () => {
  const dir = tempDir();
  const file = (name: string): string => path.join(dir, name);

  beforeAll(async () => {
    writeFileSync(file('tiny.yaml'), TINY);
    for (const [name, latency] of [
      ['a1', '2ms'],
      ['a2', '2ms'],
      ['slow', '5ms'],
    ] as const) {
      const r = await runInProcess(['run', 'tiny.yaml', '--set', `providers.llm.latency=${latency}`, '--out', `${name}.json`, '--no-save'], { cwd: dir });
      if (r.code !== 0) throw new Error(`run ${name} failed: ${r.stderr}`);
    }
  });

  /** A copy of a2 with one change, as another machine or another scenario would write it. */
  function variant(name: string, change: (r: { environment: Record<string, unknown>; scenarios: Array<{ name: string }> }) => void): string {
    const other = JSON.parse(readFileSync(file('a2.json'), 'utf8'));
    change(other);
    writeFileSync(file(name), JSON.stringify(other));
    return name;
  }

  it('A/A: no significant slowdown, exit 0', async () => {
    const r = await runInProcess(['compare', 'a1.json', 'a2.json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tiny › calls\s+│ p50/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^compare: passed — no significant slowdown beyond 10%/);
  });

  it('2 ms -> 5 ms: slower, a regression, exit 1', async () => {
    const r = await runInProcess(['compare', 'a1.json', 'slow.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/slower — regression/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^compare: failed — 1 significant slowdown beyond 10%: tiny › calls p50 \+\d+/);
  });

  it('the other way round: faster, exit 0; and a higher --max-regression lets the slowdown pass', async () => {
    expect((await runInProcess(['compare', 'slow.json', 'a1.json'], { cwd: dir })).code).toBe(0);
    expect((await runInProcess(['compare', 'a1.json', 'slow.json', '--max-regression', '400%'], { cwd: dir })).code).toBe(0);
  });

  it('--json prints the comparison for machines', async () => {
    const r = await runInProcess(['compare', 'a1.json', 'slow.json', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout);
    expect(c.passed).toBe(false);
    expect(c.regressions[0]).toMatchObject({ scenario: 'tiny', phase: 'calls', stat: 'p50' });
    expect(c.phases[0].stats.map((s: { stat: string }) => s.stat)).toEqual(['p50', 'p99', 'throughput']);
  });

  it('appends a markdown comparison to $GITHUB_STEP_SUMMARY', async () => {
    const summary = file('summary.md');
    await runInProcess(['compare', 'a1.json', 'slow.json'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(readFileSync(summary, 'utf8')).toContain('## Comparison with the baseline');
  });

  it('refuses another CPU model (exit 2) unless --force', async () => {
    const cpu = JSON.parse(readFileSync(file('a1.json'), 'utf8')).environment.cpu as string;
    const other = variant('other-cpu.json', (r) => (r.environment['cpu'] = 'Apple M1 Pro'));
    expectOneLineError(
      await runInProcess(['compare', 'a1.json', other], { cwd: dir }),
      `cannot compare other-cpu.json with a1.json: CPU model differs ("${cpu}" vs "Apple M1 Pro") (pass --force to compare anyway)`,
    );
    const forced = await runInProcess(['compare', 'a1.json', other, '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('compared anyway (--force)');
  });

  it('refuses another Node.js major version', async () => {
    const other = variant('other-node.json', (r) => (r.environment['node'] = 'v99.0.0'));
    expectOneLineError(
      await runInProcess(['compare', 'a1.json', other], { cwd: dir }),
      `cannot compare other-node.json with a1.json: Node.js major version differs (${process.version} vs v99.0.0) (pass --force to compare anyway)`,
    );
  });

  it('nothing in common, a bad file or a bad flag: exit 2, one line', async () => {
    const other = variant('elsewhere.json', (r) => (r.scenarios[0]!.name = 'elsewhere'));
    const r = await runInProcess(['compare', 'a1.json', other], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cluster-bench: error: nothing to compare: [^\n]* no scenario phase in common[^\n]*\n$/);
    expectOneLineError(await runInProcess(['compare', 'a1.json', 'missing.json'], { cwd: dir }), 'missing.json: no such file');
    expectOneLineError(
      await runInProcess(['compare', 'a1.json', 'a2.json', '--max-regression', 'lots'], { cwd: dir }),
      '--max-regression "lots": expected a percentage from 0% to 1000%, e.g. 10%',
    );
  });

  it('run --baseline: a regression exits 1, the same speed exits 0, and the report holds the comparison', async () => {
    const cwd = tempDir();
    const baseline = file('a1.json');
    const slow = await runInProcess(['run', file('tiny.yaml'), '--set', 'providers.llm.latency=5ms', '--baseline', baseline], { cwd });
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(/compare: failed — 1 significant slowdown/);
    expect(readFileSync(path.join(cwd, 'reports', 'latest.md'), 'utf8')).toContain('## Comparison with the baseline');
    const same = await runInProcess(['run', file('tiny.yaml'), '--baseline', baseline, '--no-save'], { cwd: tempDir() });
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/compare: passed/);
  });

  it('run --baseline with an unusable baseline fails before running', async () => {
    const cwd = tempDir();
    expectOneLineError(await runInProcess(['run', file('tiny.yaml'), '--baseline', 'missing.json'], { cwd }), 'missing.json: no such file');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
