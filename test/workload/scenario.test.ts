/**
 * Workloads through the CLI (in-process): the shipped dataset scenario, datasets and synthetic
 * conversations on each operation, trace replay with --speed, bad input, and compare.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PhaseResult, RunResult } from '../../src/results/types.js';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';

const SAMPLE = path.resolve('scenarios/data/conversations.jsonl');

async function run(args: string[], cwd: string): Promise<{ result: RunResult; stdout: string; stderr: string; code: number }> {
  const out = path.join(cwd, `r-${Math.random().toString(36).slice(2)}.json`);
  const r = await runInProcess(['run', ...args, '--no-gate', '--no-save', '--out', out, '--seed', '7'], { cwd });
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return { result: JSON.parse(readFileSync(out, 'utf8')) as RunResult, stdout: r.stdout, stderr: r.stderr, code: r.code };
}

function phase(result: RunResult, name: string): PhaseResult {
  const p = result.scenarios[0]?.phases.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no phase ${name}`);
  return p;
}

function scenario(dir: string, body: string, name = 's.yaml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('the shipped dataset scenario (agent-sessions)', () => {
  it('runs agent sessions from the sample dataset: prompt tokens spread p99/p50 > 3x, sessions hold several turns in memory', async () => {
    const dir = tempDir();
    const { result, stdout } = await run(['agent-sessions', '--set', 'phases.0.executor.iterations=600', '--set', 'phases.0.warmup=50', '--duration', '1s'], dir);
    const p = phase(result, 'sessions');
    expect(p.errors).toBe(0);
    const prompt = p.tokens?.prompt;
    if (prompt === undefined) throw new Error('no prompt tokens');
    expect(p.tokens?.source).toBe('usage');
    expect(prompt.count).toBe(600);
    expect(prompt.p99 / prompt.p50).toBeGreaterThan(3);
    const extra = p.extra ?? {};
    // A turn of an agent with one tool round stores 4 messages: user, tool call, tool result, answer.
    expect((extra['messagesPerSession'] ?? 0) / 4).toBeGreaterThanOrEqual(3);
    expect(extra['turnsPerConversation'] ?? 0).toBeGreaterThanOrEqual(3);
    expect(extra['historyPerTurn'] ?? 0).toBeGreaterThan(4);
    // The dataset, as the result records it: path, line count, content hash.
    const bytes = readFileSync(SAMPLE);
    expect(p.workload).toMatchObject({
      source: 'dataset',
      dataset: { path: SAMPLE, lines: 100, records: 100, sha256: createHash('sha256').update(bytes).digest('hex'), order: 'shuffle' },
      sessions: 40,
      historyLimit: 40,
    });
    const open = phase(result, 'arrivals');
    expect(open.schedule?.arrivals?.pattern).toBe('poisson');
    expect(open.tokens?.prompt?.count).toBe(open.count - open.errors);
    expect(stdout).toContain('prompt tokens per op');
  });

  it('the sample dataset is what scripts/make-sample-dataset.mjs writes (same seed, same bytes)', async () => {
    const out = path.join(tempDir(), 'regen.jsonl');
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['scripts/make-sample-dataset.mjs', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(SAMPLE));
  });
});

describe('datasets and synthetic conversations on each operation', () => {
  const conversations = (dir: string): string => {
    const file = path.join(dir, 'conv.jsonl');
    const lines = Array.from({ length: 12 }, (_, n) =>
      JSON.stringify({
        session: `user-${n}`,
        messages: Array.from({ length: 4 }, (_, k) => ({ role: 'user', content: `question ${k} of ${n}: ${'word '.repeat(5 + n * k * 3)}`, ...(k > 0 ? { thinkTime: '2ms' } : {}) })),
      }),
    );
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };

  it('llm.call takes turns with the session history from memory and stores each turn back', async () => {
    const dir = tempDir();
    conversations(dir);
    const file = scenario(
      dir,
      `name: chat
providers: { llm: { completionTokens: 500 } }
phases:
  - name: chat
    op: llm.call
    params: { dataset: ./conv.jsonl, sessions: 4, limit: 20, thinkTimeScale: 0 }
    executor: { type: iterations, iterations: 48 }
  - name: thinking
    op: llm.call
    params: { dataset: ./conv.jsonl, sessions: 2, limit: 20 }
    executor: { type: iterations, iterations: 8 }
`,
    );
    const { result } = await run([file], dir);
    const p = phase(result, 'chat');
    expect(p.errors).toBe(0);
    // 48 turns of 4-turn conversations, 4 open at a time, in turn: 12 conversations, every turn.
    expect(p.extra).toMatchObject({ conversations: 12, turnsPerConversation: 4, sessionsInMemory: 12, messagesPerSession: 8 });
    // Turn k sees 2k messages of history: (0 + 2 + 4 + 6) / 4 = 3 on average.
    expect(p.extra?.['historyPerTurn']).toBe(3);
    expect(Object.keys(p.steps ?? {}).sort()).toEqual(['history', 'llm', 'memory']);
    expect(p.tokens?.prompt?.max).toBeGreaterThan((p.tokens?.prompt?.min ?? 0) * 3);
    expect(p.description).toContain('llm.call turns of conv.jsonl (in order) over 4 sessions');
    // Two conversations, one worker: each turn after the first waits out its 2 ms of think time first.
    const t = phase(result, 'thinking');
    expect(t.extra?.['thinkWaits']).toBeGreaterThan(0);
    expect(t.extra?.['thinkWaitMsPerWait']).toBeLessThanOrEqual(2);
  });

  it('memory.store then memory.retrieve: the second phase reads what the first stored, session by session', async () => {
    const dir = tempDir();
    conversations(dir);
    const file = scenario(
      dir,
      `name: mem
phases:
  - name: store
    op: memory.store
    params: { dataset: ./conv.jsonl, sessions: 12, thinkTimeScale: 0 }
    executor: { type: iterations, iterations: 48 }
  - name: retrieve
    op: memory.retrieve
    params: { dataset: ./conv.jsonl, sessions: 12, limit: 10, thinkTimeScale: 0 }
    executor: { type: iterations, iterations: 12 }
`,
    );
    const { result } = await run([file], dir);
    expect(phase(result, 'store').extra).toMatchObject({ sessionsInMemory: 12, messagesPerSession: 4 });
    // The first turn of each of the 12 conversations: its session holds the 4 stored messages.
    expect(phase(result, 'retrieve').extra?.['messagesPerRetrieve']).toBe(4);
  });

  it('synthetic conversations (seeded) when there is no file; the result says which distributions', async () => {
    const dir = tempDir();
    const file = scenario(
      dir,
      `name: syn
phases:
  - name: agent
    op: agent.execute
    params:
      synthetic:
        promptTokens: lognormal(30,400)
        answerTokens: 40
        turns: fixed(3)
        thinkTime: 0
      sessions: 10
      popularity: zipf(1.1)
      limit: 30
    executor: { type: iterations, iterations: 90, concurrency: 3 }
  - name: batch
    op: memory.store-batch
    params: { synthetic: true, batchSize: 20 }
    executor: { type: iterations, iterations: 5 }
`,
    );
    const { result } = await run([file], dir);
    const p = phase(result, 'agent');
    expect(p.errors).toBe(0);
    expect(p.workload).toMatchObject({ source: 'synthetic', synthetic: { promptTokens: 'lognormal(30,400)', turns: 'fixed(3)' }, popularity: 'zipf(1.1)' });
    expect(p.workload?.fingerprint).toMatch(/^synthetic:promptTokens=lognormal\(30,400\)/);
    expect(p.extra?.['turnsPerConversation']).toBeGreaterThan(2);
    expect(phase(result, 'batch').errors).toBe(0);
  });

  it('a trace replays its arrivals --speed times faster; named sessions continue their conversations', async () => {
    const dir = tempDir();
    conversations(dir);
    // 30 arrivals over 5.8 s, of 3 users; replayed at 20x: about 0.3 s.
    writeFileSync(path.join(dir, 'arrivals.jsonl'), Array.from({ length: 30 }, (_, k) => JSON.stringify({ timestamp: 1000 + k * 200, session: `u${k % 3}` })).join('\n'));
    const file = scenario(
      dir,
      `name: replay
phases:
  - name: replay
    op: llm.call
    params: { dataset: ./conv.jsonl, sessions: 2 }
    executor: { type: rate, arrival: trace, trace: ./arrivals.jsonl }
`,
    );
    const t0 = performance.now();
    const { result } = await run([file, '--speed', '20'], dir);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const p = phase(result, 'replay');
    expect(p.count).toBe(30);
    expect(p.executor).toMatchObject({ kind: 'rate', arrival: 'trace', speed: 20 });
    expect(p.schedule?.arrivals).toMatchObject({ pattern: 'trace', scheduled: 30, trace: { arrivals: 30, lines: 30, speed: 20, spanMs: 5800 } });
    expect(p.durationMs).toBeGreaterThan(5800 / 20 - 5);
    // Three named users, each through its 4-turn conversations in order.
    expect(p.extra?.['conversations']).toBeLessThanOrEqual(12);
    expect(p.description).toContain('trace replay of arrivals.jsonl at 20x speed');
    expect(p.schedule?.arrivals?.scheduled).toBe(30);
  });
});

describe('bad input: exit 2, one line naming the file and the line', () => {
  async function bad(files: Record<string, string>, phaseYaml: string): Promise<string> {
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const file = scenario(dir, `name: bad\nphases:\n  - name: a\n${phaseYaml}`);
    const r = await runInProcess(['run', file, '--no-save'], { cwd: dir });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return lines[0] as string;
  }
  const ok = '{"messages": [{"role": "user", "content": "hi"}]}';

  it('a malformed dataset line', async () => {
    const line = await bad({ 'c.jsonl': `${ok}\n${ok}\n{"messages": [{"role": "user", "content": "a"}, {"role": "user" "content": "b"}]}\n` }, '    op: agent.execute\n    params: { dataset: ./c.jsonl }\n    executor: { type: iterations, iterations: 1 }\n');
    expect(line).toMatch(/^cluster-bench: error: c\.jsonl:3: \(line\): not valid JSON/);
  });

  it('a missing dataset file', async () => {
    const line = await bad({}, '    op: llm.call\n    params: { dataset: ./missing.jsonl }\n    executor: { type: iterations, iterations: 1 }\n');
    expect(line).toMatch(/^cluster-bench: error: .*s\.yaml: phases\.0\.params\.dataset: no such file \.\/missing\.jsonl/);
  });

  it('a negative think time', async () => {
    const line = await bad(
      { 'c.jsonl': `${ok}\n{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b", "thinkTime": -250}]}\n` },
      '    op: agent.execute\n    params: { dataset: ./c.jsonl }\n    executor: { type: iterations, iterations: 1 }\n',
    );
    expect(line).toBe('cluster-bench: error: c.jsonl:2: messages.1.thinkTime: think time -250 is negative (expected a duration >= 0)');
  });

  it('a negative synthetic think time, in the scenario', async () => {
    const line = await bad({}, '    op: agent.execute\n    params: { synthetic: { thinkTime: -1 } }\n    executor: { type: iterations, iterations: 1 }\n');
    expect(line).toMatch(/s\.yaml: phases\.0\.params\.synthetic\.thinkTime: -1 is negative/);
  });

  it('a trace line out of time order, and a missing trace', async () => {
    const line = await bad({ 't.jsonl': '{"timestamp": 5}\n{"timestamp": 9}\n{"timestamp": 7}\n' }, '    op: noop\n    executor: { type: rate, arrival: trace, trace: ./t.jsonl }\n');
    expect(line).toBe('cluster-bench: error: t.jsonl:3: timestamp: 7 is earlier than the line before (9): a trace must be in time order');
    const missing = await bad({}, '    op: noop\n    executor: { type: rate, arrival: trace, trace: ./none.jsonl }\n');
    expect(missing).toMatch(/phases\.0\.executor\.trace: no such file \.\/none\.jsonl/);
  });

  it.each([
    ['    op: noop\n    params: { dataset: ./c.jsonl }\n    executor: { type: iterations, iterations: 1 }\n', 'phases.0.params.dataset: noop does not take conversations'],
    ['    op: noop\n    executor: { type: rate, rate: 10 }\n', 'phases.0.executor.duration: expected a duration'],
    ['    op: noop\n    executor: { type: rate, rate: 10, duration: 1s, burst: 2 }\n', 'phases.0.executor.burst: burst applies to arrival: poisson only'],
    ['    op: noop\n    executor: { type: rate, arrival: trace }\n', 'phases.0.executor.trace: arrival: trace needs trace'],
    ['    op: noop\n    executor: { type: rate, rate: 5, duration: 1s, arrival: uniform }\n', 'phases.0.executor.arrival: expected an arrival pattern (allowed: constant, poisson, trace)'],
    ['    op: llm.call\n    params: { synthetic: { turns: lots } }\n    executor: { type: iterations, iterations: 1 }\n', 'phases.0.params.synthetic.turns: "lots" is not a distribution'],
  ])('scenario fields: %#', async (yaml, message) => {
    expect(await bad({ 'c.jsonl': `${ok}\n` }, yaml)).toContain(message);
  });

  it('--speed must be a number > 0', async () => {
    const r = await runInProcess(['run', 'llm-call', '--speed', 'fast', '--no-save']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('cluster-bench: error: --speed "fast": expected how many times faster to replay trace arrivals, a number > 0 like 2 or 0.5');
  });
});

describe('compare flags runs that used different workloads', () => {
  it('different datasets (content hash) and arrival patterns are noted; the same workload is not', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    writeFileSync(a, Array.from({ length: 5 }, (_, n) => JSON.stringify({ messages: [{ role: 'user', content: `a ${n}` }] })).join('\n'));
    writeFileSync(b, Array.from({ length: 6 }, (_, n) => JSON.stringify({ messages: [{ role: 'user', content: `b ${n}` }] })).join('\n'));
    const body = (ds: string, arrival: string) =>
      `name: cmp\nphases:\n  - name: p\n    op: llm.call\n    params: { dataset: ${ds} }\n    executor: { type: rate, rate: 200, duration: 300ms${arrival} }\n`;
    const files = [
      ['base', body('./a.jsonl', '')],
      ['same', body('./a.jsonl', '')],
      ['other', body('./b.jsonl', ', arrival: poisson')],
    ] as const;
    const results: string[] = [];
    for (const [name, text] of files) {
      const file = scenario(dir, text, `${name}.yaml`);
      const out = path.join(dir, `${name}.json`);
      const r = await runInProcess(['run', file, '--no-gate', '--no-save', '--out', out, '--seed', '1'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      results.push(out);
    }
    const same = await runInProcess(['compare', results[0] as string, results[1] as string, '--json'], { cwd: dir });
    expect(JSON.parse(same.stdout).workloadNotes).toBeUndefined();
    const other = await runInProcess(['compare', results[0] as string, results[2] as string], { cwd: dir });
    expect(other.stdout).toMatch(/note: cmp › p: different workloads: dataset a\.jsonl \(5 conversations, sha256 [0-9a-f]{12}, sequential\) vs dataset b\.jsonl \(6 conversations, sha256 [0-9a-f]{12}, sequential\); evenly spaced arrivals vs Poisson arrivals/);
  });
});

describe('--help', () => {
  it('points to docs/metrics.md and shows the workload and arrival settings', async () => {
    const r = await runInProcess(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('docs/metrics.md');
    expect(r.stdout).toContain('arrival: poisson');
    expect(r.stdout).toContain('params.dataset');
    expect(r.stdout).toContain('--speed <x>');
    const mock = await runInProcess(['mock-llm', '--help']);
    expect(mock.stdout).toContain('docs/metrics.md');
  });
});
