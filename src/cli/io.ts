/**
 * The CLI's contact with the outside: colour decisions and atomic file writes.
 */
import { writeAtomic } from '../util/atomic-write.js';
import { CliError, ExitCode } from '../errors.js';

/** Colour only for a terminal, and never under NO_COLOR or TERM=dumb; FORCE_COLOR wins. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  const env = process.env;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

/** writeAtomic, with a failure turned into the CLI's one-line error (exit 3). */
export function writeFileAtomic(file: string, content: string): void {
  try {
    writeAtomic(file, content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CliError(`${file}: cannot write the file (${code})`, ExitCode.RUN_FAILED);
  }
}
