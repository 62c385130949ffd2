/**
 * Arrival traces: JSONL, one arrival per line, replayed by the rate executor
 * (`arrival: trace`):
 *
 *   {"timestamp": 0}
 *   {"timestamp": 12.5, "session": "user-7"}
 *
 * `timestamp` is in milliseconds, non-decreasing (Mooncake's and AIPerf's trace files use
 * the same key and unit; their other keys are ignored). Only the gaps matter: the replay
 * starts at the first timestamp. `session`, optional, is a payload reference: that arrival
 * continues the named session's conversation (with a dataset or synthetic workload).
 *
 * A trace is read once (streamed with readline) and kept as a Float64Array, 8 bytes an
 * arrival; the read is cached per file (path, size, mtime).
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../util/input-error.js';

export interface Trace {
  path: string;
  /** Arrival times as written, ms. */
  timestampsMs: Float64Array;
  /** Payload references, by arrival; undefined when the trace has none. */
  sessions: ReadonlyArray<string | undefined> | undefined;
  lines: number;
  sha256: string;
  /** Last timestamp minus the first, ms. */
  spanMs: number;
}

/** A bad trace file: one line naming the file, the line and the field. */
export class TraceError extends InputError {
  readonly code = 'TRACE_INVALID';
}

const loaded = new Map<string, { size: number; mtimeMs: number; trace: Promise<Trace>; value?: Trace }>();

/** The trace if it has been loaded already and the file is unchanged (sync: for planning). */
export function loadedTrace(file: string): Trace | undefined {
  return loaded.get(file)?.value;
}

/** Reads and validates a trace file; errors name the file, the line and the field. */
export function loadTrace(file: string, display: string = file): Promise<Trace> {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    return Promise.reject(new TraceError(`${display}: cannot read the trace (${code === 'ENOENT' ? 'no such file' : code})`));
  }
  const cached = loaded.get(file);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.trace;
  const entry: { size: number; mtimeMs: number; trace: Promise<Trace>; value?: Trace } = { size: stat.size, mtimeMs: stat.mtimeMs, trace: read(file, display) };
  loaded.set(file, entry);
  entry.trace.then(
    (t) => (entry.value = t),
    () => loaded.delete(file),
  );
  return entry.trace;
}

async function read(file: string, display: string): Promise<Trace> {
  const stream = createReadStream(file);
  const hash = createHash('sha256');
  stream.on('data', (c) => hash.update(c));
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let times = new Float64Array(1024);
  let sessions: Array<string | undefined> | undefined;
  let n = 0;
  let line = 0;
  const bad = (field: string, what: string): TraceError => new TraceError(`${display}:${line}: ${field}: ${what}`);
  try {
    for await (const raw of rl) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        throw bad('(line)', 'not valid JSON; expected {"timestamp": <ms>} on every line');
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('(line)', 'expected a JSON object like {"timestamp": 12.5}');
      const o = v as Record<string, unknown>;
      const t = o['timestamp'];
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw bad('timestamp', `expected a number of ms >= 0, got ${JSON.stringify(t)}`);
      if (n > 0 && t < (times[n - 1] as number)) throw bad('timestamp', `${t} is earlier than the line before (${times[n - 1]}): a trace must be in time order`);
      const s = o['session'];
      if (s !== undefined && (typeof s !== 'string' || s === '')) throw bad('session', 'expected a session id (a non-empty string)');
      if (n === times.length) {
        const grown = new Float64Array(times.length * 2);
        grown.set(times);
        times = grown;
      }
      times[n] = t;
      if (s !== undefined) (sessions ??= [])[n] = s;
      n++;
    }
  } catch (e) {
    if (e instanceof TraceError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new TraceError(`${display}: cannot read the trace (${code})`);
  } finally {
    rl.close();
    stream.destroy();
  }
  if (n === 0) throw new TraceError(`${display}: no arrivals (expected one {"timestamp": <ms>} per line)`);
  if (sessions !== undefined) sessions.length = n;
  const timestampsMs = times.slice(0, n);
  return {
    path: file,
    timestampsMs,
    sessions,
    lines: line,
    sha256: hash.digest('hex'),
    spanMs: (timestampsMs[n - 1] as number) - (timestampsMs[0] as number),
  };
}
