import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/providers/random.js';
import { DatasetError, DatasetSource, scanDataset, SHUFFLE_WINDOW, stripedSource, type ConversationSource } from '../../src/workload/dataset.js';
import type { Conversation } from '../../src/workload/record.js';
import { tempDir } from '../e2e/helpers.js';

function write(lines: string[], name = 'conv.jsonl'): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const line = (n: number, turns = 2): string =>
  JSON.stringify({ session: `s${n}`, messages: Array.from({ length: turns }, (_, k) => ({ role: 'user', content: `turn ${k} of ${n}` })) });

async function drain(source: ConversationSource, n: number): Promise<Conversation[]> {
  const out: Conversation[] = [];
  while (out.length < n) {
    const c = source.next();
    if (c === undefined) await source.ready();
    else out.push(c);
  }
  return out;
}

describe('scanDataset', () => {
  it('counts lines and records, hashes the bytes, skips blank lines', async () => {
    const file = write([line(1), '', line(2), '   ', line(3)]);
    const info = await scanDataset(file);
    expect(info).toMatchObject({ path: file, lines: 5, records: 3 });
    expect(info.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(info.bytes).toBe(readFileSync(file).length);
  });

  it('reads CRLF files and a leading byte-order mark', async () => {
    const file = path.join(tempDir(), 'crlf.jsonl');
    writeFileSync(file, `\uFEFF${line(1)}\r\n${line(2)}\r\n`);
    expect(await scanDataset(file)).toMatchObject({ lines: 2, records: 2 });
  });

  it.each([
    [[line(1), '{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b", "thinkTime": "-3s"}]}'], 'conv.jsonl:2: messages.1.thinkTime: think time "-3s" is negative'],
    [[line(1), line(2), '{"messages": [ broken'], 'conv.jsonl:3: (line): not valid JSON'],
    [['{"messages": [{"role": "user", "content": 5}]}'], 'conv.jsonl:1: messages.0.content: expected the message text'],
    [['[]'], 'conv.jsonl:1: (record): expected a JSON object'],
    [[''], 'conv.jsonl: no conversations'],
  ])('a bad line is one message naming the file, the line and the field', async (lines, message) => {
    const file = write(lines);
    const err = await scanDataset(file, 'conv.jsonl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message.startsWith(message)).toBe(true);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a missing file names it', async () => {
    const err = await scanDataset(path.join(tempDir(), 'nope.jsonl'), 'data/nope.jsonl').catch((e: unknown) => e);
    expect((err as Error).message).toBe('data/nope.jsonl: cannot read the dataset (no such file)');
  });

  it('caches a scan until the file changes', async () => {
    const file = write([line(1)]);
    const a = await scanDataset(file);
    expect(await scanDataset(file)).toBe(a);
    writeFileSync(file, [line(1), line(2)].join('\n'));
    expect((await scanDataset(file)).records).toBe(2);
  });
});

describe('DatasetSource', () => {
  it('in order: the file order, then another pass with fresh session ids', async () => {
    const file = write([line(1), line(2), line(3)]);
    const source = new DatasetSource(file, { order: 'sequential', random: createRandom(1) });
    await source.start();
    const got = await drain(source, 7);
    expect(got.map((c) => c.session)).toEqual(['s1', 's2', 's3', 's1#2', 's2#2', 's3#2', 's1#3']);
    expect(got[0]?.turns.map((t) => t.user.content)).toEqual(['turn 0 of 1', 'turn 1 of 1']);
    source.close();
  });

  it('split into parts (threads, shards): each takes its stripe of the one shuffled sequence, disjoint, together exactly it', async () => {
    const file = write(Array.from({ length: 30 }, (_, n) => line(n)));
    const sequence = async (part?: { index: number; count: number }, n = 30): Promise<string[]> => {
      const whole = new DatasetSource(file, { order: 'shuffle', random: createRandom(9) });
      await whole.start();
      const got = (await drain(part ? stripedSource(whole, part) : whole, n)).map((c) => c.session);
      whole.close();
      return got;
    };
    const one = await sequence();
    const parts = await Promise.all([0, 1, 2].map((index) => sequence({ index, count: 3 }, 10)));
    expect(parts.map((p, index) => p.every((s, k) => s === one[index + 3 * k]))).toEqual([true, true, true]);
    expect(parts.flat().sort()).toEqual([...one].sort());
    // More parts than conversations: the stripe runs on into the next pass.
    const late = await sequence({ index: 2, count: 40 }, 2);
    expect(late).toEqual([one[2], expect.stringMatching(/#2$/)]);
  });

  it('shuffled: a permutation of the records each pass, the same for the same seed', async () => {
    const file = write(Array.from({ length: 50 }, (_, n) => line(n)));
    const order = async (seed: number): Promise<string[]> => {
      const source = new DatasetSource(file, { order: 'shuffle', random: createRandom(seed) });
      await source.start();
      const got = (await drain(source, 100)).map((c) => c.session);
      source.close();
      return got;
    };
    const a = await order(3);
    const first = a.slice(0, 50);
    expect([...first].sort()).toEqual(Array.from({ length: 50 }, (_, n) => `s${n}`).sort());
    expect(first).not.toEqual(Array.from({ length: 50 }, (_, n) => `s${n}`));
    expect(a.slice(50).every((s) => s.endsWith('#2'))).toBe(true);
    expect(await order(3)).toEqual(a);
    expect(await order(4)).not.toEqual(a);
  });

  it('streams a large file: reads ahead of use, not the whole file', async () => {
    // 30,000 conversations (~2 MB): more than the shuffle window.
    const file = write(Array.from({ length: 30_000 }, (_, n) => line(n, 1)), 'big.jsonl');
    expect((await scanDataset(file)).records).toBe(30_000);
    const source = new DatasetSource(file, { order: 'sequential', random: createRandom(1) });
    await source.start();
    expect(source.linesRead).toBeLessThan(200);
    const got = await drain(source, 500);
    expect(got[499]?.session).toBe('s499');
    expect(source.linesRead).toBeLessThan(700);
    source.close();
    const shuffled = new DatasetSource(file, { order: 'shuffle', random: createRandom(1) });
    await shuffled.start();
    // Shuffling fills a window first, then reads one line per conversation handed out.
    expect(shuffled.linesRead).toBeLessThanOrEqual(SHUFFLE_WINDOW + 100);
    expect(shuffled.linesRead).toBeGreaterThanOrEqual(SHUFFLE_WINDOW);
    shuffled.close();
  });

  it('a file that changed during the run fails the operations that need it, with a code', async () => {
    const file = write([line(1)]);
    const source = new DatasetSource(file, { order: 'sequential', random: createRandom(1) });
    writeFileSync(file, 'not json\n');
    const err = await source.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATASET_CHANGED' });
    source.close();
  });
});
