/**
 * The CLI's contact with files and terminals: colour decisions, atomic writes, and reading
 * saved results. Paths are resolved against the CLI process's working directory.
 */
import { readFileSync } from 'node:fs';
import { writeAtomic } from '../util/atomic-write.js';
import { CliError, ExitCode, badInput } from '../errors.js';
import { parseRunResult } from '../results/parse.js';
import type { RunResult } from '../results/types.js';
import { resolvePath, type CliProcess, type OutStream } from './process.js';

/** Colour only for a terminal, and never under NO_COLOR or TERM=dumb; FORCE_COLOR wins. */
export function useColor(stream: OutStream, env: CliProcess['env']): boolean {
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

/** writeAtomic, with a failure turned into the CLI's one-line error (exit 3). `file` is as the user gave it. */
export function writeFileAtomic(io: CliProcess, file: string, content: string): void {
  try {
    writeAtomic(resolvePath(io, file), content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CliError(`${file}: cannot write the file (${code})`, ExitCode.RUN_FAILED);
  }
}

/**
 * Reads and checks a saved result; every failure is one line naming the file (exit 2). A
 * shard file is refused unless `shards` allows it (only `merge` reads shards): its figures
 * are one part of a run, and a report or comparison of a part would misread as the whole.
 */
export function readResultFile(io: CliProcess, file: string, opts: { shards?: boolean } = {}): RunResult {
  let text: string;
  try {
    text = readFileSync(resolvePath(io, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a result file' : `cannot read the file (${code ?? String(e)})`;
    throw badInput(`${file}: ${why}`);
  }
  const result = parseRunResult(text, file);
  if (result.shard !== undefined && opts.shards !== true) {
    const s = result.shard;
    throw badInput(`${file}: shard ${s.index} of ${s.total} of run ${s.runId}, one part of a sharded run: merge the shards first (cluster-bench merge <files or dir>)`);
  }
  return result;
}
