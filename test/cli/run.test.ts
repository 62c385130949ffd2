/**
 * `cluster-bench run`, in-process against a fake process edge: exit codes and output checked
 * exactly where they are deterministic (bad input), by content where they hold measurements.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/types.js';
import { BUILTIN_DIR } from '../../src/scenarios/builtin.js';
import { runInProcess } from '../helpers/in-process.js';
import { SMALL_SCENARIO } from '../helpers/scenarios.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = path.resolve(BUILTIN_DIR, '..');
const plugin = (name: string): string => path.join(ROOT, 'test', 'fixtures', 'plugins', name);

const SMALL = SMALL_SCENARIO;

/** Writes a scenario into a fresh directory; returns that directory (the run's cwd) and the file name. */
function scenarioIn(text: string, name = 'scenario.yaml'): { cwd: string; file: string } {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, name), text);
  return { cwd, file: name };
}

async function runJson(args: string[], cwd?: string): Promise<RunResult> {
  const r = await runInProcess(['run', ...args, '--json', '--no-save'], cwd !== undefined ? { cwd } : {});
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunResult;
}

describe('run', () => {
  it('--json puts only the result on stdout; tables and progress go to stderr', async () => {
    const { cwd, file } = scenarioIn(SMALL);
    const result = await runJson([file, '--set', 'phases.0.executor.iterations=50', '--seed', '11'], cwd);
    expect(result.seed).toBe(11);
    expect(result.scenarios[0]!.phases.map((p) => [p.name, p.count])).toEqual([
      ['calls', 50],
      ['agent', 100],
    ]);
    // Both targets were evaluated (their verdicts depend on the machine's load).
    expect(result.scenarios[0]!.targets.map((t) => t.source)).toEqual(['calls p99 < 10s / < 5s', 'agent count >= 100 / >= 100']);
  });

  it('the same seed gives the same simulated answers (token counts)', async () => {
    const { cwd, file } = scenarioIn(SMALL);
    const a = await runJson([file, '--seed', '3'], cwd);
    const b = await runJson([file, '--seed', '3'], cwd);
    expect(a.scenarios[0]!.phases[1]!.extra).toEqual(b.scenarios[0]!.phases[1]!.extra);
  });

  it('exits 1 when a target is red, 0 with --no-gate, and 1 on yellow only with --strict', async () => {
    const red = scenarioIn(SMALL.replace('calls p99 < 10s / < 5s', 'calls p99 < 1ns / < 1ns'));
    const yellow = scenarioIn(SMALL.replace('calls p99 < 10s / < 5s', 'calls p99 < 10s / < 1ns'));
    const code = async (s: { cwd: string; file: string }, ...flags: string[]): Promise<number> =>
      (await runInProcess(['run', s.file, '--no-save', '--set', 'phases.0.executor.iterations=20', ...flags], { cwd: s.cwd })).code;
    expect(await code(red)).toBe(1);
    expect(await code(red, '--no-gate')).toBe(0);
    expect(await code(yellow)).toBe(0);
    expect(await code(yellow, '--strict')).toBe(1);
  });

  describe('bad input: exit 2, nothing on stdout, one line on stderr', () => {
    const llmCall = path.join(BUILTIN_DIR, 'llm-call.yaml');
    const builtins = 'init, llm-call, store-retrieve, agent, concurrency, memory, stress, soak, all';
    const cases: Array<[string, string, string[], string]> = [
      ['unknown scenario name', SMALL, ['strss'], `unknown scenario "strss": not a built-in (${builtins}) and no such file`],
      ['malformed YAML', 'name: x\nphases: [\n  - {name: a\n', ['scenario.yaml'], 'scenario.yaml:4:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }'],
      [
        'unknown key',
        SMALL.replace('  llm: { latency: none }', '  llm: { latncy: none }'),
        ['scenario.yaml'],
        'scenario.yaml: providers.llm: unknown key "latncy" (allowed: model, latency, errorRate, timeoutRate, stallEvery, stallFor, slots, queueLimit, prefill, perToken, toolRounds, completionTokens, temperature, maxTokens, module, options, baseUrl, apiKeyEnv, connections, stream, timeout, retries, cache, pool)',
      ],
      [
        'bad --set value',
        SMALL,
        ['llm-call', '--set', 'providers.llm.latency=fast'],
        `${llmCall}: providers.llm.latency: "fast" is not a latency model (allowed: none, a fixed duration like 5ms, uniform(2ms,8ms), normal(5ms,1ms) or lognormal(p50,p99) like lognormal(5ms,20ms)) (from --set providers.llm.latency=fast)`,
      ],
      ['bad --set syntax', SMALL, ['llm-call', '--set', 'providers.llm.latency'], '--set "providers.llm.latency": expected PATH=VALUE, e.g. providers.llm.latency=5ms'],
      ['bad --set index', SMALL, ['llm-call', '--set', 'phases.9.warmup=1'], '--set "phases.9.warmup=1": phases is a list of 2; "9" is not an index in 0..1'],
      ['bad executor type', SMALL.replace('type: iterations', 'type: loop'), ['scenario.yaml'], 'scenario.yaml: phases.0.executor.type: expected an executor type (allowed: iterations, vus, rate)'],
      ['bad target phase', SMALL.replace('calls p99', 'cals p99'), ['scenario.yaml'], 'scenario.yaml: targets.0.expr: no phase named "cals" (phases: calls, agent)'],
      ['missing file', SMALL, ['./nope/missing.yaml'], `unknown scenario "./nope/missing.yaml": not a built-in (${builtins}) and no such file`],
      ['bad --seed', SMALL, ['llm-call', '--seed', 'abc'], '--seed "abc": expected a whole number from 0 to 4294967295'],
      ['bad --duration', SMALL, ['soak', '--duration', 'soon'], '--duration "soon": expected a duration such as 250us, 5ms, 1.5s, 10m or 1h'],
      ['bad --trials', SMALL, ['llm-call', '--trials', '0'], '--trials "0": expected a whole number from 1 to 100'],
    ];
    it.each(cases)('%s', async (_name, text, args, message) => {
      const { cwd } = scenarioIn(text);
      expect(await runInProcess(['run', ...args], { cwd })).toEqual({ code: 2, stdout: '', stderr: `cluster-bench: error: ${message}\n` });
    });

    it('an unknown option: commander says so, with the usage hint', async () => {
      expect(await runInProcess(['run', 'llm-call', '--sed', '1'])).toEqual({
        code: 2,
        stdout: '',
        stderr: "error: unknown option '--sed'\n(Did you mean one of --seed, --set?)\n(run with --help for usage)\n",
      });
    });
  });

  it('a plugin without a factory in the last scenario fails before the first one runs, and nothing is saved', async () => {
    const { cwd, file } = scenarioIn(SMALL.replace('  llm: { latency: none }', `  llm: { module: ${JSON.stringify(plugin('no-default.mjs'))} }`));
    const r = await runInProcess(['run', 'stress', file], { cwd });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `cluster-bench: error: providers.llm.module ${plugin('no-default.mjs')}: no default export; a plugin must \`export default\` a factory function that returns an LLM provider (it exports: createLLMProvider, version)\n`,
    });
    expect(existsSync(path.join(cwd, 'reports'))).toBe(false);
  });

  it('a plugin whose factory throws: the run failed (exit 3), one line', async () => {
    const { cwd, file } = scenarioIn(SMALL.replace('  llm: { latency: none }', `  llm: { module: ${JSON.stringify(plugin('factory-throws.mjs'))} }`));
    const r = await runInProcess(['run', file, '--no-save'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cluster-bench: error: providers.llm.module ${plugin('factory-throws.mjs')}: the factory threw: my-llm: options.endpoint is required\n`);
  });

  it('does not write a result file when the input is bad', async () => {
    const cwd = tempDir();
    const r = await runInProcess(['run', 'llm-call', '--set', 'phases.0.executor.iterations=-1', '--out', 'result.json'], { cwd });
    expect(r.code).toBe(2);
    expect(existsSync(path.join(cwd, 'result.json'))).toBe(false);
  });

  it('a remote baseUrl without its key is bad input, naming the variable (nothing is sent)', async () => {
    const r = await runInProcess(
      ['run', 'llm-call', '--set', 'providers.llm.baseUrl=https://api.deepseek.invalid/v1', '--set', 'providers.llm.apiKeyEnv=MY_LLM_KEY', '--no-save'],
      { env: { MY_LLM_KEY: undefined } },
    );
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cluster-bench: error: providers.llm.apiKeyEnv: environment variable MY_LLM_KEY is not set; it holds the API key for https://api.deepseek.invalid (keys are read from the environment only)\n',
    });
  });

  it('reads CI from the environment it is given, not from the test process', async () => {
    const { cwd, file } = scenarioIn(SMALL);
    const args = ['run', file, '--json', '--no-save', '--set', 'phases.0.executor.iterations=10'];
    const ci = await runInProcess(args, { cwd, env: { CI: '1' } });
    const local = await runInProcess(args, { cwd, env: { CI: undefined } });
    expect((JSON.parse(ci.stdout) as RunResult).environment.ci).toBe(true);
    expect((JSON.parse(local.stdout) as RunResult).environment.ci).toBe(false);
  });

  it('writes the JSON result it printed', async () => {
    const { cwd, file } = scenarioIn(SMALL);
    const r = await runInProcess(['run', file, '--json', '--no-save', '--out', 'r.json', '--set', 'phases.0.executor.iterations=10'], { cwd });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'r.json'), 'utf8')).toBe(r.stdout);
    expect(r.stderr).toContain('result written to r.json\n');
  });
});
