/**
 * The exit-code table (README "Exit codes", src/errors.ts) through the CLI in-process: every
 * way a command can end, and which code wins when several apply. CI reads nothing else, so
 * each case pins the exact code, not "non-zero".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CliError, ExitCode, badInput } from '../../src/errors.js';
import type { RunResult } from '../../src/results/types.js';
import { InputError } from '../../src/util/input-error.js';
import { ProviderSetupError } from '../../src/providers/provider-error.js';
import { tempDir } from '../e2e/helpers.js';
import { fakeProcess, runInProcess } from '../helpers/in-process.js';

const CRASHES = fileURLToPath(new URL('../fixtures/plugins/llm-crashes.mjs', import.meta.url));

/** A scenario of `iterations` no-ops with the given target expressions, in a fresh directory. */
function noopScenario(targets: string[], opts: { iterations?: number; llm?: string; extraPhases?: string } = {}): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, 'tiny.yaml');
  const targetText = targets.length > 0 ? `targets:\n${targets.map((t) => `  - metric: m\n    expr: "${t}"\n`).join('')}` : '';
  writeFileSync(
    file,
    `name: tiny\n${opts.llm ? `providers:\n  llm: ${opts.llm}\n` : ''}phases:\n  - name: n\n    op: noop\n    executor: { type: iterations, iterations: ${opts.iterations ?? 10} }\n${opts.extraPhases ?? ''}${targetText}`,
  );
  return { dir, file };
}

async function run(args: string[], cwd: string) {
  return runInProcess(['run', ...args, '--no-save', '--seed', '1'], { cwd });
}

describe('the exit-code table', () => {
  it('has the documented values', () => {
    expect(ExitCode).toEqual({ OK: 0, TARGET_MISSED: 1, BAD_INPUT: 2, RUN_FAILED: 3, INTERRUPTED: 130 });
  });

  it('a CliError carries its code (bad input by default) and its cause', () => {
    const cause = new Error('root');
    const e = new CliError('x', ExitCode.RUN_FAILED, { cause });
    expect([e.exitCode, e.name, e.message, e.cause]).toEqual([3, 'CliError', 'x', cause]);
    expect(new CliError('y').exitCode).toBe(2);
    expect(badInput('z')).toMatchObject({ exitCode: 2, message: 'z', name: 'CliError' });
    expect(badInput('z')).toBeInstanceOf(CliError);
  });
});

describe('run: targets and the gate', () => {
  it('0 when every target is met', async () => {
    const { dir, file } = noopScenario(['n count >= 10 / >= 10']);
    const r = await run([file], dir);
    expect(r.stderr).not.toContain('cluster-bench: error');
    expect(r.code).toBe(0);
  });

  it('1 when a target is red; 0 with --no-gate', async () => {
    const { dir, file } = noopScenario(['n count >= 11 / >= 11']);
    expect((await run([file], dir)).code).toBe(1);
    expect((await run([file, '--no-gate'], dir)).code).toBe(0);
  });

  it('yellow passes, but fails with --strict', async () => {
    const { dir, file } = noopScenario(['n count >= 10 / >= 11']);
    expect((await run([file], dir)).code).toBe(0);
    expect((await run([file, '--strict'], dir)).code).toBe(1);
  });
});

describe('run: the run itself fails', () => {
  it('3 when a provider crashes mid-run, even with a red target and with --no-gate', async () => {
    const phases = `  - name: calls\n    op: llm.call\n    executor: { type: iterations, iterations: 20 }\n`;
    const { dir, file } = noopScenario(['n count >= 11 / >= 11'], { llm: `{ module: ${CRASHES}, options: { crashAfter: 5 } }`, extraPhases: phases });
    const r = await run([file, '--out', 'r.json'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('tiny: FAILED: phase "calls": crashing-llm: internal table corrupted after 20 calls');
    expect(r.stderr).not.toContain('internal error');
    const saved = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as RunResult;
    expect(saved.scenarios[0]?.failure).toContain('crashing-llm');
    expect((await run([file, '--no-gate'], dir)).code).toBe(3);
  });

  it('3 when one of several scenarios crashes, though the others pass', async () => {
    const phases = `  - name: calls\n    op: llm.call\n    executor: { type: iterations, iterations: 20 }\n`;
    const crash = noopScenario([], { llm: `{ module: ${CRASHES}, options: { crashAfter: 5 } }`, extraPhases: phases });
    const fine = path.join(crash.dir, 'fine.yaml');
    writeFileSync(fine, 'name: fine\nphases:\n  - name: n\n    op: noop\n    executor: { type: iterations, iterations: 10 }\n');
    const r = await run([fine, crash.file], crash.dir);
    expect(r.stderr).toContain('tiny: FAILED');
    expect(r.code).toBe(3);
  });

  it('2 when the result could not be written, found before the run, with one line naming the file', async () => {
    const { dir, file } = noopScenario([]);
    writeFileSync(path.join(dir, 'blocker'), 'a file, not a directory');
    const r = await run([file, '--out', 'blocker/r.json'], dir);
    // Pre-flight: an output path that cannot be written is bad input, caught before any load.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cluster-bench: error: --out blocker\/r\.json: .*blocker is not a directory$/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('    at ');
  });
});

describe('run: interrupted', () => {
  it('130 after SIGINT, whatever the targets say, with the partial result written', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'long.yaml');
    writeFileSync(
      file,
      'name: long\nphases:\n  - name: spin\n    op: noop\n    executor: { type: vus, vus: 2, duration: 60s }\ntargets:\n  - metric: m\n    expr: "spin count >= 1000000000 / >= 1000000000"\n',
    );
    const r = await runInProcess(['run', file, '--no-save', '--out', 'r.json'], {
      cwd: dir,
      onStart: (p) => {
        const write = p.stderr.write.bind(p.stderr);
        let sent = false;
        p.stderr.write = (s: string) => {
          // Once the measured phase has started, as a user pressing Ctrl-C would.
          if (!sent && s.includes('long › spin: started')) {
            sent = true;
            setTimeout(() => p.signal('SIGINT'), 50);
          }
          return write(s);
        };
      },
    });
    expect(r.code).toBe(130);
    expect(r.exitCalled).toBeUndefined();
    const saved = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as RunResult;
    expect(saved.interrupted).toBe(true);
  });
});

describe('run --baseline: a regression is 1', () => {
  it('slower than the baseline in every trial: 1; faster: 0', async () => {
    const { dir, file } = noopScenario([], { iterations: 200 });
    const first = await run([file, '--trials', '4', '--out', 'base.json'], dir);
    expect(first.code).toBe(0);
    const base = JSON.parse(readFileSync(path.join(dir, 'base.json'), 'utf8')) as RunResult;
    // The same result with every trial made implausibly fast (1 ns, 10^12 ops/s) or slow (1 s, 1 op/s).
    const scaled = (p50: number, throughput: number): string => {
      const copy = structuredClone(base);
      for (const t of copy.scenarios[0]?.trials ?? []) for (const p of t.phases) Object.assign(p, { p50, p90: p50, p99: p50, throughput });
      return JSON.stringify(copy);
    };
    writeFileSync(path.join(dir, 'fast.json'), scaled(1, 1e12));
    writeFileSync(path.join(dir, 'slow.json'), scaled(1e9, 1));
    const regressed = await run([file, '--trials', '4', '--baseline', 'fast.json'], dir);
    expect(regressed.stdout).toMatch(/slower/);
    expect(regressed.code).toBe(1);
    const improved = await run([file, '--trials', '4', '--baseline', 'slow.json'], dir);
    expect(improved.stdout).toMatch(/faster/);
    expect(improved.code).toBe(0);
  });
});

describe('main: how an error becomes an exit code', () => {
  it('help and version are 0', async () => {
    for (const args of [['--help'], ['--version'], ['run', '--help'], ['help', 'run']]) {
      expect((await runInProcess(args)).code, args.join(' ')).toBe(0);
    }
  });

  it('a command line commander rejects is 2', async () => {
    for (const args of [['run', 'stress', '--no-such-flag'], ['no-such-command'], ['run']]) {
      const r = await runInProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^error: /);
    }
  });

  it('a CliError prints one line and exits with its own code', async () => {
    const r = await runInProcess(['run', 'stress', '--seed', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cluster-bench: error: --seed "abc": expected a whole number from 0 to 4294967295\n');
  });

  /** `cluster-bench list` with a stdout whose write throws `error`. */
  async function listThrowing(error: unknown) {
    const p = fakeProcess(['list']);
    p.stdout.write = () => {
      throw error;
    };
    const code = await main(p);
    return { code, stderr: p.err.join('') };
  }

  it('an InputError from a module is 2, one line, no stack', async () => {
    const r = await listThrowing(new InputError('s.yaml: phases.0.op: unknown operation "x" (allowed: noop)'));
    expect(r).toEqual({ code: 2, stderr: 'cluster-bench: error: s.yaml: phases.0.op: unknown operation "x" (allowed: noop)\n' });
  });

  it('a CliError of a failed run is 3, one line', async () => {
    const r = await listThrowing(new CliError('out.json: cannot write the file (ENOSPC)', ExitCode.RUN_FAILED));
    expect(r).toEqual({ code: 3, stderr: 'cluster-bench: error: out.json: cannot write the file (ENOSPC)\n' });
  });

  it('a provider that cannot be set up is a failed run: 3, one line, no stack', async () => {
    const r = await listThrowing(new ProviderSetupError('llm plugin ./crash.mjs: initialize() failed: connection refused'));
    expect(r).toEqual({ code: 3, stderr: 'cluster-bench: error: llm plugin ./crash.mjs: initialize() failed: connection refused\n' });
  });

  it('anything else is a bug: 3, with its stack', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const r = await listThrowing(bug);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`cluster-bench: internal error (a bug — please report it):\n${bug.stack}\n`);
    const thrown = await listThrowing('a string');
    expect(thrown).toEqual({ code: 3, stderr: 'cluster-bench: internal error (a bug — please report it):\na string\n' });
    const noStack = Object.assign(new Error('no stack here'), { stack: undefined });
    expect((await listThrowing(noStack)).stderr).toBe('cluster-bench: internal error (a bug — please report it):\nno stack here\n');
  });
});
