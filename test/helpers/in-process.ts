/**
 * Runs the CLI in this process against a fake process edge: output is captured, the
 * environment is the test's own (never process.env), signals are sent by the test.
 * Most command tests use this; a few end-to-end tests still spawn the real binary.
 */
import { EventEmitter } from 'node:events';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliProcess, SignalName } from '../../src/cli/process.js';
import { tempDir } from './temp-dir.js';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the CLI asked for a hard exit (a second Ctrl-C). */
  exitCalled?: number;
}

export interface FakeProcess extends CliProcess {
  out: string[];
  err: string[];
  /** Delivers a signal as the OS would to the main thread. */
  signal(name: SignalName): void;
  /** An exception escaping every operation, as Node would report it (uncaughtException). */
  escape(error: unknown): void;
  exitCalled?: number;
}

/** Environment of an in-process run: no colour, CI mode, a private calibration cache. */
const CACHE_DIR = tempDir();
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { NO_COLOR: '1', CI: '1', CLUSTER_BENCH_CACHE_DIR: CACHE_DIR, CLUSTER_BENCH_CALIBRATION: 'off', ...extra };
}

export function fakeProcess(argv: readonly string[], opts: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {}): FakeProcess {
  const out: string[] = [];
  const err: string[] = [];
  const emitter = new EventEmitter();
  const fp: FakeProcess = {
    argv,
    env: baseEnv(opts.env),
    cwd: opts.cwd ?? tempDir(),
    stdout: { write: (s: string) => out.push(s), isTTY: opts.tty === true, columns: opts.tty === true ? 80 : 0 },
    stderr: { write: (s: string) => err.push(s), isTTY: opts.tty === true, columns: opts.tty === true ? 80 : 0 },
    signals: {
      on: (s, l) => emitter.on(s, l),
      off: (s, l) => emitter.off(s, l),
    },
    escapes: {
      on: (l) => emitter.on('escape', l),
      off: (l) => emitter.off('escape', l),
    },
    exit: (code) => {
      fp.exitCalled = code;
    },
    out,
    err,
    signal: (name) => void emitter.emit(name, name),
    escape: (error) => void emitter.emit('escape', error),
  };
  return fp;
}

/** Runs `cluster-bench ARGS` in-process and returns the exit code and captured output. */
export async function runInProcess(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; onStart?: (p: FakeProcess) => void } = {},
): Promise<InProcessRun> {
  const p = fakeProcess(args, opts);
  opts.onStart?.(p);
  const code = await main(p);
  return { code, stdout: p.out.join(''), stderr: p.err.join(''), ...(p.exitCalled !== undefined ? { exitCalled: p.exitCalled } : {}) };
}

/** Bad input as the user must see it: exit 2, nothing on stdout, this one line on stderr. */
export function expectOneLineError(r: InProcessRun, message: string): void {
  expect(r).toEqual({ code: 2, stdout: '', stderr: `cluster-bench: error: ${message}\n` });
}
