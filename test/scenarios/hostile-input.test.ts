/**
 * Inputs that used to reach an internal error or crash a run: an alias bomb, sizes the runner
 * allocates by, a fractional idle TTL. Each is now bad input (exit 2, one line naming the file
 * and field) or simply works.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { InputError } from '../../src/util/input-error.js';
import { loadScenario } from '../../src/scenarios/load.js';
import { SessionMemoryProvider } from '../../src/providers/memory/session-memory.js';
import { DEFAULT_PROVIDERS_CONFIG } from '../../src/providers/config.js';
import { createSimulatedTransport } from '../../src/providers/llm/simulated-transport.js';
import { createRandom } from '../../src/providers/random.js';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';
import { aliasBomb } from '../fuzz/arbitraries.js';

const BASE = 'name: t\nphases:\n  - { name: a, op: memory.store, executor: { type: iterations, iterations: 2 } }\n';

function file(text: string, name = 's.yaml'): string {
  const f = path.join(tempDir(), name);
  writeFileSync(f, text);
  return f;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CliError || e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected a one-line bad-input error');
}

describe('an alias bomb', () => {
  it('is exit 2 with one line naming the file, no stack trace', async () => {
    const f = file(aliasBomb(9), 'bomb.yaml');
    const r = await runInProcess(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe(`cluster-bench: error: ${f}: invalid YAML: too many alias expansions (more than 100): anchors and aliases nested like an "alias bomb"\n`);
  });

  it('inside a valid-looking scenario, and in a --set value', async () => {
    const f = file(`${BASE}description: &d [${'*x,'.repeat(3)}]\n`);
    expect(messageOf(() => loadScenario(f))).toMatch(/invalid YAML/);
    const ok = file(BASE);
    // A --set value that is not valid YAML is taken as the text itself (a prompt may well be
    // "[oops"), so the bomb is never expanded; here the field wants a mapping.
    const r = await runInProcess(['run', ok, '--no-save', '--set', `phases.0.params={${aliasBomb(6).trim().split('\n').join(', ')}}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('phases.0.params');
  });

  it('a few honest aliases are fine', () => {
    const f = file('name: t\nexecutor: &e { type: iterations, iterations: 2 }\nphases:\n  - { name: a, op: noop, executor: *e }\n  - { name: b, op: noop, executor: *e }\n'.replace('executor: &e', 'description: x\nx-unused: &e'));
    // x-unused is not a scenario key: the aliases resolved, then validation spoke.
    expect(messageOf(() => loadScenario(f))).toMatch(/unknown key "x-unused"/);
  });
});

describe('sizes the runner allocates by are bounded', () => {
  it.each([
    ['phases.0.params.sessions', '2000000', /phases\.0\.params\.sessions: expected at most 1,000,000 sessions/],
    ['phases.0.params.batchSize', '1e9', /phases\.0\.params\.batchSize: expected at most 100,000 messages per batch/],
    ['phases.0.executor.concurrency', '1e6', /phases\.0\.executor\.concurrency: expected at most 100,000 operations at a time/],
    ['phases.0.batch', '100000', /phases\.0\.batch: expected at most 65,536 operations per batch/],
    ['providers.llm.pool', '{size: 5000}', /providers\.llm\.pool\.size: expected at most 1,000 instances/],
    ['providers.llm.cache', '{max: 1e9}', /providers\.llm\.cache\.max: expected at most 1,000,000 entries/],
    ['providers.llm.completionTokens', '1e12', /providers\.llm\.completionTokens: expected at most 1,000,000 tokens/],
  ])('--set %s=%s', (field, value, message) => {
    expect(messageOf(() => loadScenario(file(BASE), { set: [`${field}=${value}`] }))).toMatch(message);
  });

  it('vus too', () => {
    const f = file('name: t\nphases:\n  - { name: a, op: noop, executor: { type: vus, vus: 1e9, iterationsPerVu: 1 } }\n');
    expect(messageOf(() => loadScenario(f))).toMatch(/phases\.0\.executor\.vus: expected at most 100,000 virtual users/);
  });
});

describe('a fractional idle TTL', () => {
  it('initializes (lru-cache takes whole milliseconds: rounded up)', async () => {
    const m = new SessionMemoryProvider({ ...DEFAULT_PROVIDERS_CONFIG.memory, idleTtlMs: 1.5 }, { clock: { now: () => 0 } });
    await expect(m.initialize()).resolves.toBeUndefined();
    await m.close();
  });
});

describe('a simulated latency longer than a Node timer can wait (~24.8 days)', () => {
  it('waits, without a TimeoutOverflowWarning; close() ends it', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const t = createSimulatedTransport({ ...DEFAULT_PROVIDERS_CONFIG.llm, latency: { model: 'fixed', ms: 3e9 } }, { random: createRandom(1) });
    let settled = false;
    const call = t.send(JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }] })).then(
      () => (settled = true),
      () => (settled = true),
    );
    // A timer of 3e9 ms used to fire after 1 ms (with a TimeoutOverflowWarning on stderr), and
    // the rest was then waited out one event-loop turn at a time.
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    await t.close();
    await call;
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
  });
});
