/**
 * The CLI's contact with the outside: colour decisions and atomic file writes.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode } from '../errors.js';

/** Colour only for a terminal, and never under NO_COLOR or TERM=dumb; FORCE_COLOR wins. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  const env = process.env;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

/**
 * Writes via a temporary file in the same directory and a rename, so a reader (or a crash)
 * never sees half a file.
 */
export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CliError(`${file}: cannot write the file (${code})`, ExitCode.RUN_FAILED);
  }
}
