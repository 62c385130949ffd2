/**
 * Conversations files (JSONL, one conversation per line), read as streams: a file is never
 * held whole, whatever its size.
 *
 * Before a run, `scanDataset` reads the file once with readline: every line is validated (a
 * bad one is an InputError naming the file, the line and the field), and the file's line
 * count, record count and SHA-256 are taken for the result, so `compare` can tell when two
 * runs used different workloads. The scan is cached per file (path, size, mtime).
 *
 * During the run a `DatasetSource` streams the file again, a little ahead of the operations:
 * in order, or shuffled by the run's seed within a window of `SHUFFLE_WINDOW` records (a file
 * up to that size gets a full, uniform shuffle; a longer one the windowed shuffle that
 * streaming data loaders use). When the file runs out it starts over; conversations of the
 * later passes get session ids suffixed "#2", "#3"... so they start with an empty history.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Random } from '../providers/types.js';
import { InputError } from '../util/input-error.js';
import { parseRecord, RecordError, type Conversation } from './record.js';

export const SHUFFLE_WINDOW = 10_000;
/** The source keeps this many conversations read ahead, refilling below half of it. */
const READ_AHEAD = 64;

export interface DatasetInfo {
  /** Absolute path. */
  path: string;
  /** Lines in the file, blank ones included. */
  lines: number;
  /** Conversations (non-blank lines). */
  records: number;
  bytes: number;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
}

/** A bad dataset: one line naming the file, the line and the field. */
export class DatasetError extends InputError {
  readonly code = 'DATASET_INVALID';
}

/** Session id of a record that names none: the file's name and the line. */
export function defaultSessionId(file: string, line: number): string {
  return `${path.basename(file).replace(/\.[^.]*$/, '')}-${line}`;
}

function describeJsonError(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 120);
}

/** Parses line `line` of `display` (the name errors use); throws DatasetError. */
export function parseLine(text: string, line: number, file: string, display: string): Conversation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DatasetError(`${display}:${line}: (line): not valid JSON (${describeJsonError(e)}); expected one conversation per line`);
  }
  try {
    return parseRecord(raw, defaultSessionId(file, line));
  } catch (e) {
    if (e instanceof RecordError) throw new DatasetError(`${display}:${line}: ${e.field}: ${e.message}`);
    throw e;
  }
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function openLines(file: string): { rl: Interface; lines: AsyncIterator<string>; stream: ReturnType<typeof createReadStream> } {
  const stream = createReadStream(file);
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  return { rl, lines: rl[Symbol.asyncIterator](), stream };
}

function cannotRead(display: string, e: unknown): DatasetError {
  const code = (e as NodeJS.ErrnoException | null)?.code ?? describeJsonError(e);
  return new DatasetError(`${display}: cannot read the dataset (${code === 'ENOENT' ? 'no such file' : code})`);
}

const scans = new Map<string, { size: number; mtimeMs: number; info: Promise<DatasetInfo> }>();

/**
 * Validates every line of a conversations file and fingerprints it (streamed). `display` is
 * how errors name the file (as the user wrote it, or relative to the working directory).
 */
export function scanDataset(file: string, display: string = file): Promise<DatasetInfo> {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    return Promise.reject(cannotRead(display, e));
  }
  if (!stat.isFile()) return Promise.reject(new DatasetError(`${display}: not a file`));
  const cached = scans.get(file);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.info;
  const info = scan(file, display, stat.size);
  scans.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, info });
  // A failed scan is not remembered: the user may fix the file and run again in-process.
  info.catch(() => scans.delete(file));
  return info;
}

async function scan(file: string, display: string, bytes: number): Promise<DatasetInfo> {
  const { rl, stream } = openLines(file);
  const hash = createHash('sha256');
  // Both readline and the hash see every chunk: one pass over the file.
  stream.on('data', (chunk) => hash.update(chunk));
  let lines = 0;
  let records = 0;
  try {
    for await (const text of rl) {
      lines++;
      if (isBlank(text)) continue;
      parseLine(lines === 1 ? text.replace(/^\uFEFF/, '') : text, lines, file, display);
      records++;
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw cannotRead(display, e);
  } finally {
    rl.close();
    stream.destroy();
  }
  if (records === 0) throw new DatasetError(`${display}: no conversations (the file is empty; expected one JSON conversation per line)`);
  return { path: file, lines, records, bytes, sha256: hash.digest('hex') };
}

/** Where turns get new conversations from: a file (asynchronous, read ahead) or a generator. */
export interface ConversationSource {
  /** The next conversation if one is at hand (undefined: wait for `ready()`). */
  next(): Conversation | undefined;
  /** Resolves when next() has a conversation again; rejects if the source failed. */
  ready(): Promise<void>;
  /** Passes over the data started so far (1 for the first). */
  readonly passes: number;
  close(): void;
}

/**
 * This part's stripe of a source (worker threads, shards): conversations k, k+N, k+2N, ... of
 * the one sequence every part draws alike (same file, same shuffle seed). The parts then
 * replay different conversations, and together exactly those one thread would, instead of
 * each replaying the same first ones at the same time.
 */
export function stripedSource(source: ConversationSource, part: { index: number; count: number }): ConversationSource {
  if (part.count <= 1) return source;
  let g = 0;
  return {
    next() {
      for (;;) {
        const c = source.next();
        if (c === undefined) return undefined;
        if (g++ % part.count === part.index) return c;
      }
    },
    ready: () => source.ready(),
    get passes() {
      return source.passes;
    },
    close: () => source.close(),
  };
}

export type DatasetOrder = 'sequential' | 'shuffle';

/** Streams a scanned dataset's conversations, read ahead of the operations that take them. */
export class DatasetSource implements ConversationSource {
  private readonly file: string;
  private readonly display: string;
  private readonly order: DatasetOrder;
  private readonly random: Random;
  private readonly window: number;
  private readonly queue: Conversation[] = [];
  private head = 0;
  private pool: Conversation[] = [];
  private reader: ReturnType<typeof openLines> | undefined;
  private line = 0;
  private eof = false;
  private filling: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;
  private read = 0;
  passes = 0;

  /** Lines read from the file so far, over all passes (it reads ahead, not the whole file). */
  get linesRead(): number {
    return this.read;
  }

  constructor(file: string, opts: { order: DatasetOrder; random: Random; display?: string; window?: number }) {
    this.file = file;
    this.display = opts.display ?? file;
    this.order = opts.order;
    this.random = opts.random;
    this.window = opts.order === 'shuffle' ? Math.max(1, opts.window ?? SHUFFLE_WINDOW) : 1;
  }

  next(): Conversation | undefined {
    if (this.failure !== undefined) throw this.failure;
    const available = this.queue.length - this.head;
    if (available <= READ_AHEAD / 2) void this.fill();
    if (available === 0) return undefined;
    const c = this.queue[this.head] as Conversation;
    this.queue[this.head++] = undefined as unknown as Conversation;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return c;
  }

  async ready(): Promise<void> {
    while (this.queue.length - this.head === 0) {
      if (this.failure !== undefined) throw this.failure;
      await this.fill();
    }
  }

  /** Starts reading; resolves once the first conversations are at hand. */
  start(): Promise<void> {
    return this.ready();
  }

  private fill(): Promise<void> {
    this.filling ??= this.pump().finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed && this.queue.length - this.head < READ_AHEAD) {
        const c = await this.produce();
        if (this.closed) return;
        this.queue.push(c);
      }
    } catch (e) {
      this.failure = e;
    }
  }

  /** Reads one conversation of the current pass; undefined at the end of the file. */
  private async readOne(): Promise<Conversation | undefined> {
    for (;;) {
      if (this.reader === undefined) {
        this.reader = openLines(this.file);
        this.line = 0;
        this.eof = false;
        this.passes++;
      }
      let r: IteratorResult<string>;
      try {
        r = await this.reader.lines.next();
      } catch (e) {
        throw Object.assign(cannotRead(this.display, e), { code: 'DATASET_UNREADABLE' });
      }
      if (r.done === true) {
        this.reader.rl.close();
        this.reader.stream.destroy();
        this.reader = undefined;
        this.eof = true;
        return undefined;
      }
      this.line++;
      this.read++;
      const text = this.line === 1 ? r.value.replace(/^\uFEFF/, '') : r.value;
      if (isBlank(text)) continue;
      let c: Conversation;
      try {
        c = parseLine(text, this.line, this.file, this.display);
      } catch (e) {
        // Validated before the run: the file changed underneath it.
        throw Object.assign(e as Error, { code: 'DATASET_CHANGED' });
      }
      if (this.passes > 1) c.session = `${c.session}#${this.passes}`;
      return c;
    }
  }

  private async produce(): Promise<Conversation> {
    for (let emptyPasses = 0; ; ) {
      // Fill the shuffle window (1 in order: read one, hand it out).
      while (!this.eof && this.pool.length < this.window) {
        const c = await this.readOne();
        if (c === undefined) break;
        this.pool.push(c);
      }
      if (this.pool.length > 0) {
        const j = this.order === 'shuffle' ? Math.floor(this.random.next() * this.pool.length) : 0;
        const c = this.pool[j] as Conversation;
        this.pool[j] = this.pool[this.pool.length - 1] as Conversation;
        this.pool.pop();
        return c;
      }
      // The pass is over and its window drained: start the next one.
      if (++emptyPasses > 1) throw Object.assign(new DatasetError(`${this.display}: no conversations left (the file was emptied during the run)`), { code: 'DATASET_CHANGED' });
      this.eof = false;
    }
  }

  close(): void {
    this.closed = true;
    if (this.reader) {
      this.reader.rl.close();
      this.reader.stream.destroy();
      this.reader = undefined;
    }
  }
}
