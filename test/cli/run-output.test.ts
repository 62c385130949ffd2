/**
 * What `run` writes and says, checked in-process: output paths are checked before anything
 * runs; the first line names the scenario exactly as written and every provider by its own
 * name; the report's Reproduce command reproduces the seed and the settings; an error that
 * quotes a newline back is still one line.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/cli/main.js';
import { quoteArgs, reproduceCommand } from '../../src/cli/reproduce.js';
import type { RunResult } from '../../src/results/types.js';
import { tempDir } from '../e2e/helpers.js';
import { runInProcess } from '../helpers/in-process.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));

function tiny(cwd: string, name = 'tiny', providers = ''): string {
  const file = path.join(cwd, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\ndescription: two phases\n${providers}phases:\n  - { name: calls, op: llm.call, executor: { type: iterations, iterations: 3 } }\n  - { name: stores, op: memory.store, params: { sessions: 5 }, executor: { type: iterations, iterations: 3 }, batch: off }\n`,
  );
  return file;
}

describe('output paths are checked before anything runs (exit 2, one line)', () => {
  it.each([
    [['--out', '.'], /--out \.: is a directory; give a file path/],
    [['--out', 'dir'], /--out dir: is a directory/],
    [['--report', 'dir'], /--report dir: is a directory/],
    [['--out', '/dev/null'], /--out \/dev\/null: is not a regular file/],
    [['--out', 'same.json', '--report', 'same.json'], /--report same\.json: the same file as --out/],
    [['--out', 'file.txt/r.json'], /--out file\.txt\/r\.json: .*file\.txt is not a directory/],
    [['--report', 'file.txt/deeper/r.md'], /--report file\.txt\/deeper\/r\.md: .*file\.txt is not a directory/],
    // Not there yet, but the run would make it the directory of its JSON (found by the fuzz test).
    [['--report', 'reports'], /--report reports: is the directory the run saves its other files in \(reports\/\); name a file, e\.g\. reports\/report\.md/],
    [['--out', './reports/'], /--out \.\/reports\/: is the directory the run saves its other files in/],
  ])('run %j', async (flags, message) => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'dir'));
    writeFileSync(path.join(cwd, 'file.txt'), 'x');
    const r = await runInProcess(['run', tiny(cwd), ...flags], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    // Nothing ran and nothing was written.
    expect(r.stderr).not.toContain('started');
    expect(existsSync(path.join(cwd, 'reports'))).toBe(false);
  });

  it('reports/ that is a file, and $GITHUB_STEP_SUMMARY that is a directory', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'reports'), 'not a directory');
    const a = await runInProcess(['run', tiny(cwd)], { cwd });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^cluster-bench: error: reports\/: exists and is not a directory/);
    // --out and --report elsewhere (or --no-save) need no reports/.
    const b = await runInProcess(['run', tiny(cwd), '--out', 'r.json', '--report', 'r.md'], { cwd });
    expect(b.code).toBe(0);
    const c = await runInProcess(['run', tiny(cwd), '--out', 'r2.json', '--report', 'r2.md'], { cwd, env: { GITHUB_STEP_SUMMARY: cwd } });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/\$GITHUB_STEP_SUMMARY .*: is a directory/);
    expect(existsSync(path.join(cwd, 'r2.json'))).toBe(false);
  });

  it('a fine path in a directory that does not exist yet is fine, and leaves no probe behind', async () => {
    const cwd = tempDir();
    const r = await runInProcess(['run', tiny(cwd), '--no-save', '--out', 'a/b/r.json'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, 'a', 'b', 'r.json'), 'utf8')).schemaVersion).toBe(1);
    expect(readdirSync(cwd).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('the header', () => {
  it('names the scenario exactly as written and every provider by its own name', async () => {
    const cwd = tempDir();
    const r = await runInProcess(['run', tiny(cwd, 'my-memory'), '--no-save', '--seed', '1'], { cwd });
    expect(r.code).toBe(0);
    const first = r.stderr.split('\n')[0] ?? '';
    expect(first.startsWith('my-memory: two phases [')).toBe(true);
    expect(first).toContain('LLM: deepseek, simulated in-process (latency none)');
    expect(first).toContain('memory: session-memory');
    expect(first).toContain('agent: react-agent');
    // The table says the same.
    expect(r.stdout).toContain('providers: LLM deepseek · memory session-memory · agent react-agent');
  });

  it('names plugins by their own names too', async () => {
    const cwd = tempDir();
    const providers = `providers:\n  llm: { module: ${path.join(FIXTURES, 'llm-ok.mjs')} }\n  memory: { module: ${path.join(FIXTURES, 'memory-ok.mjs')} }\n  agent: { module: ${path.join(FIXTURES, 'agent-ok.mjs')} }\n`;
    const r = await runInProcess(['run', tiny(cwd, 'plugged', providers), '--no-save', '--seed', '1', '--out', 'r.json'], { cwd });
    expect(r.stderr).not.toContain('internal error');
    const first = r.stderr.split('\n')[0] ?? '';
    expect(first).toMatch(/^plugged: two phases \[LLM: fixture-llm, plugin .*llm-ok\.mjs; memory: fixture-memory; agent: fixture-agent\]$/);
    const result = JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8')) as RunResult;
    expect(result.scenarios[0]?.providers.names).toEqual({ llm: 'fixture-llm', memory: 'fixture-memory', agent: 'fixture-agent' });
  });
});

/** Splits a command quoted by quoteArgs back into its arguments (single quotes only). */
function shellSplit(line: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  // quoteArgs writes an argument as one token: bare, or one single-quoted run.
  while ((m = re.exec(line)) !== null) out.push(m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : (m[2] as string));
  return out;
}

describe('the Reproduce line', () => {
  it('quotes what a shell would split, and splits back to the same arguments', () => {
    const args = ['cluster-bench', 'run', 'a b.yaml', "it's", '', 'x=1', 'phases.0.params={a: 1}'];
    expect(shellSplit(quoteArgs(args))).toEqual(args);
    expect(reproduceCommand(['stress'], 7, { set: ['a=1'], gate: false, strict: true, duration: '1s', trials: '3' })).toBe(
      'cluster-bench run stress --seed 7 --set a=1 --duration 1s --trials 3 --strict --no-gate',
    );
  });

  it('running it gives the same seed and the same settings, and writes nowhere the original did', async () => {
    const cwd = tempDir();
    tiny(cwd);
    const sets = ['providers.llm.latency=uniform(0ms, 1ms)', 'phases.1.params.content=hello {i}', 'phases.0.executor.iterations=2'];
    const first = await runInProcess(['run', 'tiny.yaml', '--out', 'first.json', '--report', 'first.md', '--no-gate', ...sets.flatMap((s) => ['--set', s])], { cwd });
    expect(first.code).toBe(0);
    const a = JSON.parse(readFileSync(path.join(cwd, 'first.json'), 'utf8')) as RunResult;
    const md = readFileSync(path.join(cwd, 'first.md'), 'utf8');
    const line = /^Reproduce: `(.*)`$/m.exec(md)?.[1];
    expect(line).toBe(a.reproduce);
    const argv = shellSplit(line as string);
    expect(argv.slice(0, 3)).toEqual(['cluster-bench', 'run', 'tiny.yaml']);
    expect(argv).toContain('--seed');
    expect(argv).not.toContain('--out');
    expect(argv).not.toContain('--report');

    const again = await runInProcess([...argv.slice(1), '--out', 'again.json'], { cwd });
    expect(again.code).toBe(0);
    const b = JSON.parse(readFileSync(path.join(cwd, 'again.json'), 'utf8')) as RunResult;
    expect(b.seed).toBe(a.seed);
    expect(b.gate.enabled).toBe(false);
    const settings = (r: RunResult) => {
      const s = r.scenarios[0]!;
      return { providers: s.providers.llm.config, phases: s.phases.map((p) => ({ name: p.name, executor: p.executor, description: p.description, warmup: p.warmup })) };
    };
    expect(settings(b)).toEqual(settings(a));
    expect(settings(a).phases[0]?.executor).toMatchObject({ iterations: 2 });
    expect(b.reproduce).toBe(a.reproduce);
  });
});

describe('one line per error', () => {
  it('escapes control characters the message quotes back', () => {
    expect(oneLine('--set "a=1\nb": bad\ttab\r\u0000')).toBe('--set "a=1\\nb": bad\\ttab\\r\\u0000');
    expect(oneLine('plain')).toBe('plain');
  });

  it('a --set value with a newline is reported on one line', async () => {
    const cwd = tempDir();
    const r = await runInProcess(['run', tiny(cwd), '--no-save', '--set', 'name=- a\n- b'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('name=- a\\n- b');
  });
});
