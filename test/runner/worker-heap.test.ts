import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { sizeWorkerHeaps, workerSemiSpaceMb } from '../../src/runner/workers.js';

const GiB = 2 ** 30;

/** The new-space size (MB) a worker isolate started now gets. */
function newSpaceOfAWorker(): Promise<number> {
  const code = `const v8 = require('node:v8');
const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
require('node:worker_threads').parentPort.postMessage(s.space_size);`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('error', reject);
    w.once('message', (bytes: number) => {
      void w.terminate();
      resolve(bytes / 2 ** 20);
    });
  });
}

describe('worker young generation', () => {
  it('is 128 MB per worker where memory allows, shrinks with many workers, and never drops below 16 MB', () => {
    expect(workerSemiSpaceMb(2, 24 * GiB)).toBe(128);
    // An eighth of 4 GiB over 4 workers, two semi-spaces each: 64 MB.
    expect(workerSemiSpaceMb(4, 4 * GiB)).toBe(64);
    expect(workerSemiSpaceMb(64, 16 * GiB)).toBe(16);
    expect(workerSemiSpaceMb(1, 0.5 * GiB)).toBe(32);
    expect(workerSemiSpaceMb(0, 0.5 * GiB)).toBe(32);
  });

  it('reaches the worker isolates started afterwards, at the size it returns', async () => {
    // 2 GiB over 8 workers: 16 MB; 4 GiB over 4: 64 MB. Both differ from V8's own start (1-2 MB).
    expect(sizeWorkerHeaps(8, 2 * GiB)).toBe(16);
    expect(await newSpaceOfAWorker()).toBe(16);
    expect(sizeWorkerHeaps(4, 4 * GiB)).toBe(64);
    expect(await newSpaceOfAWorker()).toBe(64);
  });
});
