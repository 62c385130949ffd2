/**
 * Plugins: loading, validation messages, path resolution, runs through the run command, and
 * the example in docs/plugins.md run end to end with the real binary.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { userErrorExitCode } from '../../src/errors.js';
import { DEFAULT_PROVIDERS_CONFIG, type ProvidersConfig } from '../../src/providers/config.js';
import { createProviderAsync, createProvidersAsync, initializeAll } from '../../src/providers/registry.js';
import { loadScenario } from '../../src/scenarios/load.js';
import { InputError } from '../../src/util/input-error.js';
import { cli, ROOT } from '../e2e/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runInProcess } from '../helpers/in-process.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));
const fixture = (name: string): string => path.join(FIXTURES, name);

function withModules(mods: { llm?: string; memory?: string; agent?: string }): ProvidersConfig {
  const d = DEFAULT_PROVIDERS_CONFIG;
  return {
    llm: { ...d.llm, ...(mods.llm ? { module: mods.llm, options: { reply: 'pong' } } : {}) },
    memory: { ...d.memory, ...(mods.memory ? { module: mods.memory } : {}) },
    agent: { ...d.agent, ...(mods.agent ? { module: mods.agent, options: { prefix: '> ' } } : {}) },
  };
}

/** The error a bad plugin fails with; only errors the CLI turns into an exit code count. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    if (userErrorExitCode(error) !== undefined) return error as Error;
    throw error;
  }
  throw new Error('expected an error meant for the user');
}

describe('loading plugins', () => {
  it('builds all three providers from plugin modules; the agent gets the run llm and memory', async () => {
    const p = await createProvidersAsync(
      withModules({ llm: fixture('llm-ok.mjs'), memory: fixture('memory-ok.mjs'), agent: fixture('agent-ok.mjs') }),
      { seed: 42 },
    );
    await initializeAll(p);
    expect([p.llm.name, p.memory.name, p.agent.name]).toEqual(['fixture-llm', 'fixture-memory', 'fixture-agent']);
    expect(p.transport.description).toBe(`plugin ${fixture('llm-ok.mjs')}`);
    expect(p.llm.simulated).toBe(true);
    const r = await p.agent.execute([{ role: 'user', content: 'hi' }], { sessionId: 's1' });
    expect(r.output).toBe('> pong seed=42');
    expect(await p.memory.retrieve('s1', 10)).toHaveLength(2);
    expect(p.llm.counters?.()).toEqual({ fixtureCalls: 1 });
    await p.close();
  });

  it('mixes a plugin LLM with the reference memory and agent, cache included', async () => {
    const cfg = withModules({ llm: fixture('llm-ok.mjs') });
    cfg.llm.cache = { max: 10, ttlMs: 0 };
    const p = await createProvidersAsync(cfg, { seed: 1 });
    await initializeAll(p);
    const out = await p.agent.execute([{ role: 'user', content: 'What is 1 + 1?' }]);
    expect(out.state.toolCalls).toBe(1);
    await p.llm.call([{ role: 'user', content: 'x' }]);
    await p.llm.call([{ role: 'user', content: 'x' }]);
    expect(p.llm.counters?.()).toMatchObject({ cacheHits: 1 });
    await p.close();
  });

  it('builds fresh owned instances for the init scenario', async () => {
    const cfg = withModules({ llm: fixture('llm-ok.mjs'), memory: fixture('memory-ok.mjs'), agent: fixture('agent-ok.mjs') });
    const agent = await createProviderAsync('agent', cfg, { seed: 1 });
    await agent.initialize();
    expect((await agent.execute([{ role: 'user', content: 'hi' }])).output).toBe('> pong seed=1');
    await agent.close();
    const llm = await createProviderAsync('llm', cfg, { seed: 1 });
    await expect(llm.call([{ role: 'user', content: 'x' }])).rejects.toMatchObject({ code: 'PROVIDER_NOT_READY' });
  });

  const bad: Array<{ file: string; kind: 'llm' | 'memory' | 'agent'; exit: number; message: RegExp }> = [
    { file: 'missing.mjs', kind: 'llm', exit: 2, message: /providers\.llm\.module .*missing\.mjs: no such file/ },
    { file: 'no-default.mjs', kind: 'llm', exit: 2, message: /no default export; a plugin must `export default` a factory function that returns an LLM provider \(it exports: createLLMProvider, version\)/ },
    { file: 'default-object.mjs', kind: 'memory', exit: 2, message: /the default export is an object, expected a factory function returning a memory provider/ },
    { file: 'lacks-methods.mjs', kind: 'llm', exit: 2, message: /lacks call\(\), close\(\) \(an LLM provider needs name, simulated, initialize\(\), call\(\), close\(\)\)/ },
    { file: 'lacks-methods.mjs', kind: 'memory', exit: 2, message: /lacks store\(\), storeBatch\(\), retrieve\(\), sweep\(\), stats\(\), close\(\)/ },
    { file: 'syntax-error.mjs', kind: 'agent', exit: 2, message: /providers\.agent\.module .*syntax-error\.mjs: cannot be loaded: / },
    { file: 'factory-throws.mjs', kind: 'llm', exit: 3, message: /the factory threw: my-llm: options\.endpoint is required/ },
  ];
  for (const b of bad) {
    it(`${b.kind} plugin ${b.file}: exit ${b.exit}, one line`, async () => {
      const e = await failure(createProvidersAsync(withModules({ [b.kind]: fixture(b.file) }), { seed: 1 }));
      expect(userErrorExitCode(e)).toBe(b.exit);
      expect(e.message).toMatch(b.message);
      expect(e.message).toContain(fixture(b.file));
      expect(e.message).not.toContain('\n');
    });
  }
});

describe('module paths in scenario files', () => {
  const dir = tempDir();
  const scenario = (providers: string): string => {
    const file = path.join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `name: p\nproviders:\n${providers}\nphases:\n  - name: a\n    op: llm.call\n    executor: { type: iterations, iterations: 1 }\n`);
    return file;
  };

  it('resolves relative to the scenario file', () => {
    writeFileSync(path.join(dir, 'mine.mjs'), 'export default () => ({})');
    const s = loadScenario(scenario('  llm: { module: ./mine.mjs }'));
    expect(s.providers.llm.module).toBe(path.join(dir, 'mine.mjs'));
  });

  it('resolves --set values relative to the working directory', () => {
    const s = loadScenario(scenario('  llm: {}'), { set: [`providers.llm.module=${path.relative(process.cwd(), fixture('llm-ok.mjs'))}`] });
    expect(s.providers.llm.module).toBe(fixture('llm-ok.mjs'));
  });

  it('a missing file is bad input at load, naming the scenario file and field', () => {
    const file = scenario('  memory: { module: ./nope.js }');
    expect(() => loadScenario(file)).toThrow(InputError);
    expect(() => loadScenario(file)).toThrow(`${file}: providers.memory.module: no such file ${path.join(dir, 'nope.js')}`);
  });

  it('rejects unknown keys and bad values in the new llm fields', () => {
    expect(() => loadScenario(scenario('  llm: { baseUrl: "http://u:p@127.0.0.1/v1" }'))).toThrow(/providers\.llm\.baseUrl: must not contain credentials/);
    expect(() => loadScenario(scenario('  llm: { stream: true }'))).toThrow(/providers\.llm\.stream: streaming needs providers\.llm\.baseUrl/);
    expect(() => loadScenario(scenario('  llm: { apiKeyEnv: "sk-abc" }'))).toThrow(/apiKeyEnv: expected the name of an environment variable/);
    expect(() => loadScenario(scenario('  llm: { cache: { size: 3 } }'))).toThrow(/unknown key "size" \(allowed: max, ttl\)/);
    const s = loadScenario(scenario('  llm: { baseUrl: "http://127.0.0.1:1/v1", retries: 3, cache: { max: 5, ttl: 1m }, timeout: 2s, pool: { size: 2 } }'));
    expect(s.providers.llm).toMatchObject({
      retries: { max: 3, backoffMs: 100, maxBackoffMs: 2000 },
      cache: { max: 5, ttlMs: 60_000 },
      timeoutMs: 2_000,
      pool: { size: 2 },
      connections: 100,
      apiKeyEnv: 'DEEPSEEK_API_KEY',
    });
    const r = loadScenario(scenario('  llm: { retries: { max: 2, backoff: 50ms, maxBackoff: 1s } }'));
    expect(r.providers.llm.retries).toEqual({ max: 2, backoffMs: 50, maxBackoffMs: 1_000 });
  });
});

describe('plugins through the run command', () => {
  it('runs a plugin LLM and reports its ttft / chunk gaps (under the old itlNs name too) and counters', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'plugin.yaml');
    writeFileSync(
      file,
      `name: plug\nproviders:\n  llm: { module: ${fixture('llm-ok.mjs')} }\nphases:\n  - name: calls\n    op: llm.call\n    executor: { type: iterations, iterations: 50 }\n    warmup: 5\n`,
    );
    const out = path.join(dir, 'r.json');
    const r = await runInProcess(['run', file, '--no-gate', '--no-save', '--seed', '77', '--out', out]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const phase = JSON.parse(readFileSync(out, 'utf8')).scenarios[0].phases[0];
    expect(phase.errors).toBe(0);
    expect(phase.ttft.count).toBe(50);
    expect(phase.chunkGap.count).toBe(100);
    expect(phase.itl).toBeUndefined();
    expect(phase.ttft.p50).toBeGreaterThan(1.9e6);
    expect(phase.extra.fixtureCalls).toBe(50);
    // The timings the plugin reported, replayed from the seed: 5 warm-up calls (not reported),
    // then the 50 measured ones, one at a time, in order. The report must give back what was
    // drawn, to the histogram's precision (3 significant digits: 0.1 %, 0.2 % allowed).
    const { streamTiming } = (await import(fixture('llm-ok.mjs'))) as { streamTiming: (seed: number) => () => { ttftNs: number; itlNs: number[] } };
    const next = streamTiming(77);
    const drawn = Array.from({ length: 55 }, () => next()).slice(5);
    const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    const ttft = sorted(drawn.map((d) => d.ttftNs));
    const itl = sorted(drawn.flatMap((d) => d.itlNs));
    const near = (reported: number, expected: number): void => expect(Math.abs(reported / expected - 1)).toBeLessThan(0.002);
    near(phase.ttft.min, ttft[0]!);
    near(phase.ttft.p50, ttft[24]!);
    near(phase.ttft.max, ttft[49]!);
    near(phase.chunkGap.p50, itl[49]!);
    near(phase.chunkGap.max, itl[99]!);
  });

  it('a plugin that crashes mid-run: exit 3, the failure named, the phases before it kept', () => {
    const dir = tempDir();
    const file = path.join(dir, 'crash.yaml');
    const calls = (name: string, n: number): string => `  - name: ${name}\n    op: llm.call\n    executor: { type: iterations, iterations: ${n} }\n`;
    writeFileSync(
      file,
      `name: crash\nproviders:\n  llm: { module: ${fixture('llm-crashes.mjs')}, options: { crashAfter: 10 } }\n` +
        `targets:\n  - metric: calls\n    expr: "first count >= 1 / >= 1"\n` +
        `phases:\n${calls('first', 5)}${calls('second', 20)}${calls('third', 5)}`,
    );
    const out = path.join(dir, 'r.json');
    const r = cli(['run', file, '--no-save', '--out', out]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('crashing-llm: internal table corrupted after 25 calls');
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const s = result.scenarios[0];
    expect(s.failure).toBe('phase "second": crashing-llm: internal table corrupted after 25 calls');
    expect(s.phases.map((p: { name: string }) => p.name)).toEqual(['first']);
    expect(result.gate.passed).toBe(false);
  });

  it('a bad plugin is exit 2 with one line on stderr', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, `name: bad\nproviders:\n  llm: { module: ${fixture('lacks-methods.mjs')} }\nphases:\n  - name: a\n    op: llm.call\n    executor: { type: iterations, iterations: 1 }\n`);
    expect(await runInProcess(['run', file, '--no-save'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `cluster-bench: error: providers.llm.module ${fixture('lacks-methods.mjs')}: the provider its factory returned lacks call(), close() (an LLM provider needs name, simulated, initialize(), call(), close())\n`,
    });
  });
});

describe('docs/plugins.md', () => {
  // A user's project: cluster-bench installed in node_modules (a link to this package, built).
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('its complete example runs as written', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'plugins.md'), 'utf8');
    const blocks = [...doc.matchAll(/```\w+ file=(\S+)\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1])).toEqual(['my-llm.js', 'my-scenario.yaml']);
    mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'cluster-bench'), 'dir');
    // .js files are ES modules only in a "type": "module" package, as the page says.
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    for (const [, name, text] of blocks) writeFileSync(path.join(dir, name as string), text as string);
    const out = path.join(dir, 'result.json');
    const r = cli(['run', './my-scenario.yaml', '--seed', '1', '--out', out, '--no-save'], { cwd: dir });
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const [calls, agent] = result.scenarios[0].phases;
    expect(calls.count).toBe(1000);
    expect(calls.errors).toBe(0);
    expect(calls.extra.ruleCalls).toBe(1000);
    expect(agent.count).toBe(200);
    expect(agent.errors).toBe(0);
    expect(agent.extra.toolCallsPerExecution).toBe(1);
    expect(result.scenarios[0].providers.llm.transport).toContain('my-llm.js');
    expect(r.stdout).toMatch(/simulated/i);
  });
});
