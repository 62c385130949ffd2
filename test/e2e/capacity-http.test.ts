/**
 * The capacity reference over HTTP: the real `mock-llm` binary with --slots 4 and a 10 ms
 * service time (--ttft 10ms, the whole answer at once) in its own process, and a capacity
 * search against it through the pooled HTTP transport. 4 slots x 10 ms = 400 requests/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/types.js';
import { runInProcess } from '../helpers/in-process.js';
import { BIN, tempDir } from './helpers.js';

let mock: ChildProcess | undefined;
let baseUrl = '';

beforeAll(async () => {
  mock = spawn(process.execPath, [BIN, 'mock-llm', '--port', '0', '--slots', '4', '--ttft', '10ms', '--tokens', '8'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`mock-llm did not start: ${err}`)), 20_000);
    mock!.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    mock!.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]!.trim());
      }
    });
    mock!.on('exit', (code) => reject(new Error(`mock-llm exited with ${code}: ${err}`)));
  });
});

afterAll(async () => {
  if (mock && mock.exitCode === null) {
    const exited = new Promise((r) => mock!.on('exit', r));
    mock.kill('SIGTERM');
    await exited;
  }
});

describe('capacity over HTTP against mock-llm --slots 4 --ttft 10ms', () => {
  it('finds the knee within 10% of 400/s', async () => {
    const dir = tempDir();
    const r = await runInProcess(
      [
        'capacity', 'llm-call', '--phase', 'sequential',
        '--set', `providers.llm.baseUrl=${baseUrl}`,
        '--slo', 'p99 < 50ms',
        '--step-duration', '1.5s', '--warmup', '300ms', '--start-rate', '120',
        '--no-save', '--out', 'http.json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(path.join(dir, 'http.json'), 'utf8')) as RunResult;
    const s = result.scenarios[0]!;
    expect(s.providers.llm.simulated).toBe(false);
    const c = s.capacity!;
    expect(c.verdict, c.summary).toBe('found');
    expect(c.capacity!).toBeGreaterThan(360);
    expect(c.capacity!).toBeLessThan(440);
  }, 150_000);
});
