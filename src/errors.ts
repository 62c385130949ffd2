import { ProviderSetupError } from './providers/provider-error.js';
import { InputError } from './util/input-error.js';

/**
 * Exit codes and the one user-facing error class. Every non-zero exit of the CLI comes
 * from this file, so CI users have one table to read (README "Exit codes").
 */
export const ExitCode = {
  /** Every target met (or the gate was switched off). */
  OK: 0,
  /** A target missed (red; with --strict also yellow), or a regression was found. */
  TARGET_MISSED: 1,
  /** Bad input: command line, scenario file, --set, config. */
  BAD_INPUT: 2,
  /** The run itself failed (a provider crashed during setup, a file could not be written...). */
  RUN_FAILED: 3,
  /** SIGINT/SIGTERM; the partial result was written first. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the user: printed as one line (no stack) and mapped to its exit code.
 * Anything that is not a CliError is a bug and is printed with its stack.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.BAD_INPUT, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function badInput(message: string): CliError {
  return new CliError(message, ExitCode.BAD_INPUT);
}

/**
 * The exit code of an error meant for the user (printed as one line, no stack), or undefined
 * for anything else (a bug). Modules outside the CLI never see exit codes: they throw
 * InputError (bad input) or their own classes, and this is where those become exit codes.
 */
export function userErrorExitCode(e: unknown): ExitCode | undefined {
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof InputError) return ExitCode.BAD_INPUT;
  if (e instanceof ProviderSetupError) return ExitCode.RUN_FAILED;
  return undefined;
}
