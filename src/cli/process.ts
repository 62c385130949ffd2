/**
 * The CLI's process edge, as a parameter (size-limit's `run(process)` pattern): arguments,
 * environment, working directory, output streams, signals and the hard exit. The bin shim
 * passes the real process; tests pass their own and check output and exit code exactly,
 * in-process, without spawning or mutating `process.env`.
 */
import path from 'node:path';

/** What the CLI writes to: a TTY, a pipe, or a test's buffer. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  on?(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
}

export type SignalName = 'SIGINT' | 'SIGTERM';

export interface CliSignals {
  on(signal: SignalName, listener: (signal: SignalName) => void): unknown;
  off(signal: SignalName, listener: (signal: SignalName) => void): unknown;
}

/**
 * Exceptions that escape every operation (thrown from a timer, or a rejection nobody awaits).
 * Listening replaces Node's default (a stack trace and exit 1) for as long as a run lasts.
 */
export interface CliEscapes {
  on(listener: (error: unknown) => void): unknown;
  off(listener: (error: unknown) => void): unknown;
}

export interface CliProcess {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are relative to this. */
  cwd: string;
  stdout: OutStream;
  stderr: OutStream;
  signals: CliSignals;
  escapes?: CliEscapes;
  /** Leaves at once (a second Ctrl-C). Tests record the code instead. */
  exit(code: number): void;
}

/** The real process, for the bin shim. */
export function nodeProcess(): CliProcess {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: {
      on: (s, l) => process.on(s, l),
      off: (s, l) => process.off(s, l),
    },
    escapes: {
      on: (l) => process.on('uncaughtException', l).on('unhandledRejection', l),
      off: (l) => process.off('uncaughtException', l).off('unhandledRejection', l),
    },
    exit: (code) => process.exit(code),
  };
}

/** A path from the command line, made absolute against the CLI's working directory. */
export function resolvePath(io: CliProcess, file: string): string {
  return path.resolve(io.cwd, file);
}
