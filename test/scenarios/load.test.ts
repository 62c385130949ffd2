import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { userErrorExitCode } from '../../src/errors.js';
import { InputError } from '../../src/util/input-error.js';
import { BUILTIN_NAMES, listBuiltins, loadScenario, resolveScenarioRefs } from '../../src/scenarios/load.js';
import { parseLatencyModel } from '../../src/scenarios/schema.js';
import { applySetOverride, parseSetOverride } from '../../src/scenarios/set-path.js';
import { SEED_MATRIX } from '../../src/targets/seed-matrix.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-load-'));
function file(text: string, name = 's.yaml'): string {
  const f = path.join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(f, text);
  return f;
}

const MINIMAL = `
name: mini
phases:
  - name: p
    op: llm.call
    executor: { type: iterations, iterations: 3 }
`;

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('built-in scenarios', () => {
  it.each(BUILTIN_NAMES.map((n) => [n]))('%s loads and validates', (name) => {
    const [f] = resolveScenarioRefs([name]);
    const s = loadScenario(f as string);
    expect(s.name).toBe(name);
    expect(s.phases.length).toBeGreaterThan(0);
    expect(s.targets.length).toBeGreaterThan(0);
    expect(s.description).not.toBe('');
  });

  it('"all" is every built-in but soak', () => {
    const files = resolveScenarioRefs(['all']).map((f) => path.basename(f, '.yaml'));
    expect(files).toEqual(BUILTIN_NAMES.filter((n) => n !== 'soak'));
  });

  it('together cover every row of the seed matrix', () => {
    const metrics = resolveScenarioRefs(['all']).flatMap((f) => loadScenario(f).targets.map((t) => t.metric.toLowerCase()));
    for (const row of SEED_MATRIX) {
      expect(metrics.some((m) => m.startsWith(row.metric.toLowerCase())), row.metric).toBe(true);
    }
  });

  it('reproduce the seed parameters', () => {
    const stress = loadScenario(resolveScenarioRefs(['stress'])[0] as string);
    expect(stress.phases[0]?.executor).toEqual({ kind: 'vus', vus: 1000, iterationsPerVu: 100 });
    const soak = loadScenario(resolveScenarioRefs(['soak'])[0] as string);
    expect(soak.phases[0]?.executor).toMatchObject({ kind: 'rate', rate: 50, durationMs: 3_600_000 });
    expect(soak.phases[0]?.progressEvery).toBe(100);
    const sr = loadScenario(resolveScenarioRefs(['store-retrieve'])[0] as string);
    expect(sr.phases[0]?.params).toMatchObject({ sessions: 100, content: 'Test message #{i}' });
    expect(sr.phases[1]?.params).toMatchObject({ sessions: 100, limit: 10 });
  });

  it('list gives each a one-line description', () => {
    const items = listBuiltins();
    // The seed's eight in their order, then any other scenario shipped in scenarios/.
    expect(items.slice(0, BUILTIN_NAMES.length).map((i) => i.name)).toEqual([...BUILTIN_NAMES]);
    expect(items.map((i) => i.name)).toContain('agent-sessions');
    for (const i of items) expect(i.description).toMatch(/^[^\n]{10,}$/);
  });
});

describe('loadScenario', () => {
  it('fills defaults and resolves units', () => {
    const s = loadScenario(file(MINIMAL));
    expect(s.providers.llm.latency).toEqual({ model: 'none' });
    expect(s.providers.memory.idleTtlMs).toBe(30 * 60_000);
    expect(s.phases[0]).toMatchObject({ warmup: 0, timeoutMs: 30_000, batch: 'auto', executor: { kind: 'iterations', iterations: 3, concurrency: 1 } });
  });

  it('applies --set before validation, numbers and strings alike', () => {
    const s = loadScenario(file(MINIMAL), { set: ['providers.llm.latency=5ms', 'phases.0.executor.concurrency=4', 'phases.0.params.prompt=hi there'] });
    expect(s.providers.llm.latency).toEqual({ model: 'fixed', ms: 5 });
    expect(s.phases[0]?.executor).toMatchObject({ concurrency: 4 });
    expect(s.phases[0]?.params.prompt).toBe('hi there');
  });

  it('--duration overrides duration-based phases only', () => {
    const s = loadScenario(resolveScenarioRefs(['soak'])[0] as string, { durationMs: 12_000 });
    expect(s.phases[0]?.executor).toMatchObject({ kind: 'rate', durationMs: 12_000 });
    const st = loadScenario(resolveScenarioRefs(['stress'])[0] as string, { durationMs: 12_000 });
    expect(st.phases[0]?.executor).toEqual({ kind: 'vus', vus: 1000, iterationsPerVu: 100 });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unknown top-level key', MINIMAL + 'extra: 1\n', /: \(top level\): unknown key "extra" \(allowed: name, description, providers, phases, targets, workers\)/],
    ['unknown op', MINIMAL.replace('llm.call', 'llm.cal'), /phases\.0\.op: expected an operation \(allowed: llm\.init, .*noop\)/],
    ['negative iterations', MINIMAL.replace('iterations: 3', 'iterations: -3'), /phases\.0\.executor\.iterations: expected a number > 0/],
    ['vus without a length', MINIMAL.replace('{ type: iterations, iterations: 3 }', '{ type: vus, vus: 3 }'), /phases\.0\.executor: a vus executor needs exactly one of iterationsPerVu or duration/],
    ['bad duration', MINIMAL.replace('    executor:', '    timeout: soon\n    executor:'), /phases\.0\.timeout: "soon" is not a duration/],
    ['bad phase name', MINIMAL.replace('name: p', 'name: P Q'), /phases\.0\.name: expected lower-case letters/],
    ['duplicate phase', MINIMAL + `  - name: p\n    op: noop\n    executor: { type: iterations, iterations: 1 }\n`, /phases\.1\.name: duplicate phase name "p"/],
    ['bad target stat', MINIMAL + 'targets:\n  - { metric: m, expr: "p p98 < 1ms / < 1ms" }\n', /targets\.0\.expr: .*unknown statistic "p98"/],
    ['no phases', 'name: x\nphases: []\n', /phases: a scenario needs at least one phase/],
    ['not a mapping', '- a\n- b\n', /\(top level\): expected a mapping/],
    ['errorRate out of range', MINIMAL + 'providers:\n  llm: { errorRate: 2 }\n', /providers\.llm\.errorRate: expected a fraction between 0 and 1/],
    ['a zero timeout', MINIMAL.replace('    executor:', '    timeout: 0ms\n    executor:'), /phases\.0\.timeout: expected a duration above 0/],
    ['no worker threads', MINIMAL + 'workers: 0\n', /workers: expected auto \(one per core\) or a number of worker threads from 1 to 1024$/],
    ['workers as words', MINIMAL + 'workers: all\n', /workers: expected auto \(one per core\) or a number of worker threads from 1 to 1024$/],
  ];

  it('workers: auto or a number; the stress scenario asks for every core, the others for none', () => {
    expect(loadScenario(file(MINIMAL + 'workers: 3\n')).workers).toBe(3);
    expect(loadScenario(file(MINIMAL + 'workers: auto\n')).workers).toBe('auto');
    expect('workers' in loadScenario(file(MINIMAL))).toBe(false);
    for (const name of BUILTIN_NAMES) {
      expect(loadScenario(resolveScenarioRefs([name])[0] as string).workers).toBe(name === 'stress' ? 'auto' : undefined);
    }
  });
  it.each(bad)('rejects %s with file, path and what is allowed', (_n, text, message) => {
    const f = file(text);
    const e = errorOf(() => loadScenario(f));
    expect(userErrorExitCode(e)).toBe(2);
    expect(e.message.startsWith(f)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('names the --set that caused a validation error', () => {
    const e = errorOf(() => loadScenario(file(MINIMAL), { set: ['providers.llm.latncy=5ms'] }));
    expect(e.message).toMatch(/providers\.llm: unknown key "latncy" .*\(from --set providers\.llm\.latncy=5ms\)/);
  });

  it('rejects an unreadable file with exit 2', () => {
    const e = errorOf(() => loadScenario(path.join(dir, 'missing.yaml')));
    expect(e.message).toMatch(/missing\.yaml: cannot read the file \(ENOENT\)/);
  });
});

describe('latency models', () => {
  const cases: Array<[string, unknown]> = [
    ['none', { model: 'none' }],
    ['0ms', { model: 'none' }],
    ['5ms', { model: 'fixed', ms: 5 }],
    ['250us', { model: 'fixed', ms: 0.25 }],
    ['uniform(2ms, 8ms)', { model: 'uniform', minMs: 2, maxMs: 8 }],
    ['normal(5ms,1ms)', { model: 'normal', meanMs: 5, stddevMs: 1 }],
    ['lognormal(5ms, 20ms)', { model: 'lognormal', p50Ms: 5, p99Ms: 20 }],
  ];
  it.each(cases)('%s', (text, model) => expect(parseLatencyModel(text)).toEqual(model));
  it.each([
    ['fast', /^"fast" is not a latency model \(allowed: none, a fixed duration like 5ms, /],
    ['uniform(8ms,2ms)', /^"uniform\(8ms,2ms\)": uniform\(min,max\) needs min <= max$/],
    ['lognormal(20ms,5ms)', /^"lognormal\(20ms,5ms\)": lognormal\(p50,p99\) needs 0 < p50 < p99$/],
    ['lognormal(0ms,5ms)', /^"lognormal\(0ms,5ms\)": lognormal\(p50,p99\) needs 0 < p50 < p99$/],
    ['gamma(1ms,2ms)', /^"gamma\(1ms,2ms\)" is not a latency model/],
    ['normal(5ms)', /^"normal\(5ms\)" is not a latency model/],
    ['normal(5,1ms)', /^"normal\(5,1ms\)": both arguments must be durations \(allowed: /],
  ])('rejects %s, saying why', (text, why) => {
    expect(parseLatencyModel(text)).toMatch(why);
  });
});

describe('--set paths', () => {
  it('creates missing objects, replaces array elements by index', () => {
    const doc: Record<string, unknown> = { phases: [{ a: 1 }] };
    applySetOverride(doc, parseSetOverride('providers.llm.latency=5ms'));
    applySetOverride(doc, parseSetOverride('phases.0.a=2'));
    applySetOverride(doc, parseSetOverride('phases.0.list=[1, 2]'));
    expect(doc).toEqual({ providers: { llm: { latency: '5ms' } }, phases: [{ a: 2, list: [1, 2] }] });
  });
  it.each([
    ['noequals', /expected PATH=VALUE/],
    ['a..b=1', /is not a dotted path/],
    ['phases.3.a=1', /phases is a list of 1; "3" is not an index/],
    ['phases.0.a.b=1', /cannot set a field inside phases\.0\.a, which is a number/],
    ['__proto__.polluted=1', /names an object's prototype/],
  ])('rejects %s', (text, message) => {
    expect(() => {
      const doc: Record<string, unknown> = { phases: [{ a: 1 }] };
      applySetOverride(doc, parseSetOverride(text));
    }).toThrow(message);
  });
});

describe('README', () => {
  it('its annotated scenario example is valid', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const s = loadScenario(file(block as string, 'readme.yaml'));
    expect(s.phases.map((p) => p.name)).toEqual(['warm', 'load', 'steady']);
    expect(s.providers.llm.latency).toEqual({ model: 'lognormal', p50Ms: 20, p99Ms: 120 });
  });
});
