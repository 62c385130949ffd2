/**
 * End to end: `cluster-bench mock-llm` in one process, `cluster-bench run` against it in
 * another, both the real binary, loopback only. Checks the "done when": a streamed
 * llm-call run exits 0 without errors, has TTFT, TPOT, chunk-gap and token-gap histograms, and
 * the API key appears in no output at all; against a known per-token time, TPOT and the gap
 * per token come out within 10 % of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const KEY = `sk-test-SECRET-${process.pid}-7f3a9c1e5b`;

interface Mock {
  child: ChildProcess;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startMock(args: string[], env: Record<string, string> = {}): Promise<Mock> {
  const child = spawn(process.execPath, [BIN, 'mock-llm', '--port', '0', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise<Mock>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock-llm did not start: ${err}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        resolve({ child, baseUrl: line.trim(), stdout: () => out, stderr: () => err, exited });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock-llm exited with ${code}: ${err}`));
    });
  });
}

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('cluster-bench mock-llm + run over HTTP', () => {
  let mock: Mock;
  beforeAll(async () => {
    // The mock demands the key: a request without it (or with another) is a 401 and would show as errors.
    mock = await startMock(['--ttft', '2ms', '--tokens-per-second', '2000', '--tokens', '6', '--api-key-env', 'DEEPSEEK_API_KEY'], {
      DEEPSEEK_API_KEY: KEY,
    });
  });
  afterAll(async () => {
    if (mock.child.exitCode === null) {
      mock.child.kill('SIGKILL');
      await mock.exited;
    }
  });

  it('prints its base URL and answers health checks', async () => {
    expect(mock.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(mock.baseUrl.replace(/\/v1$/, '/'));
    expect(res.status).toBe(200);
    expect(mock.stderr()).toContain('API key required');
  });

  it('streams llm-call with no errors, ttft and chunk-gap histograms, and the key in no output', () => {
    const dir = tempDir();
    const out = path.join(dir, 'F.json');
    const r = cli(
      [
        'run',
        'llm-call',
        '--set',
        `providers.llm.baseUrl=${mock.baseUrl}`,
        '--set',
        'providers.llm.stream=true',
        // Fewer calls than the built-in's 1,000 + 1,000: this is a test, not the benchmark.
        '--set',
        'phases.0.executor.iterations=150',
        '--set',
        'phases.1.executor.iterations=300',
        '--no-gate',
        '--out',
        out,
        '--json',
      ],
      { cwd: dir, env: { DEEPSEEK_API_KEY: KEY, GITHUB_STEP_SUMMARY: path.join(dir, 'step-summary.md') } },
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);

    const result = JSON.parse(readFileSync(out, 'utf8'));
    const scenario = result.scenarios[0];
    expect(scenario.failure).toBeUndefined();
    expect(scenario.providers.llm.simulated).toBe(false);
    expect(scenario.providers.llm.transport).toContain('streaming');
    for (const phase of scenario.phases) {
      expect(phase.errors).toBe(0);
      expect(phase.errorsByKind).toEqual({});
    }
    const first = scenario.phases[0];
    expect(Object.keys(first.ttft).sort()).toEqual(Object.keys(first.latency).sort());
    expect(Object.keys(first.chunkGap).sort()).toEqual(Object.keys(first.latency).sort());
    expect(first.itl).toBeUndefined();
    expect(first.ttft.count).toBe(first.count);
    // Six tokens a call: five gaps each.
    expect(first.chunkGap.count).toBe(first.count * 5);
    expect(first.tpot.count).toBe(first.count);
    expect(first.ttft.histogram).toMatch(/^HISTFAAA/);
    expect(first.ttft.p50).toBeGreaterThanOrEqual(2e6);
    expect(first.ttft.p50).toBeLessThan(first.latency.p50);
    expect(first.tokens).toMatchObject({ source: 'usage', operations: first.count, estimated: 0, outputTotal: first.count * 6 });
    expect(first.tokens.output).toMatchObject({ unit: 'tokens', min: 6, max: 6 });
    expect(first.extra.retries).toBe(0);
    expect(first.extra.httpRequests).toBe(first.count);

    // The key: not in stdout, stderr, the result, the reports, the step summary, nor the mock's output.
    const files = filesUnder(dir);
    expect(files.some((f) => f.includes(`${path.sep}reports${path.sep}`))).toBe(true);
    expect(files).toContain(out);
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(KEY);
    expect(r.stdout).not.toContain(KEY);
    expect(r.stderr).not.toContain(KEY);
    expect(mock.stdout()).not.toContain(KEY);
    expect(mock.stderr()).not.toContain(KEY);
  });

  it('counts a wrong key as HTTP_401 errors, and prints neither key', () => {
    const wrong = `sk-test-WRONG-${process.pid}`;
    const dir = tempDir();
    const out = path.join(dir, 'F.json');
    const r = cli(
      ['run', 'llm-call', '--set', `providers.llm.baseUrl=${mock.baseUrl}`, '--set', 'phases.0.executor.iterations=5', '--set', 'phases.1.executor.iterations=5', '--no-gate', '--no-save', '--out', out],
      { cwd: dir, env: { DEEPSEEK_API_KEY: wrong } },
    );
    expect(r.code).toBe(0);
    const phase = JSON.parse(readFileSync(out, 'utf8')).scenarios[0].phases[0];
    expect(phase.errorsByKind).toEqual({ HTTP_401: 5 });
    for (const text of [r.stdout, r.stderr, readFileSync(out, 'utf8')]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(KEY);
    }
  });

  it('stops cleanly on SIGINT', async () => {
    mock.child.kill('SIGINT');
    expect(await mock.exited).toBe(0);
    expect(mock.stderr()).toMatch(/SIGINT: stopping \(\d+ chat requests served\)/);
  });
});

describe('streaming metrics against a known per-token time', () => {
  let mock: Mock;
  // 50 tokens/s after the first: 20 ms per token, one token per chunk. Long enough that a
  // stall of the loaded machine moves a gap, not the median.
  const PER_TOKEN_NS = 20e6;
  beforeAll(async () => {
    mock = await startMock(['--ttft', '20ms', '--tokens-per-second', '50', '--tokens', '10']);
  });
  afterAll(async () => {
    if (mock.child.exitCode === null) {
      mock.child.kill('SIGKILL');
      await mock.exited;
    }
  });

  it('TPOT and the gap per token come out within 10 % of it; the gap between chunks is labelled per chunk', () => {
    const dir = tempDir();
    const out = path.join(dir, 'tpot.json');
    const r = cli(
      [
        'run',
        'llm-call',
        '--set',
        `providers.llm.baseUrl=${mock.baseUrl}`,
        '--set',
        'providers.llm.stream=true',
        '--set',
        'phases.0.executor.iterations=15',
        '--set',
        'phases.1.executor.iterations=15',
        '--set',
        'phases.1.executor.concurrency=5',
        '--set',
        'phases.0.warmup=2',
        '--set',
        'phases.1.warmup=2',
        '--no-gate',
        '--no-save',
        '--out',
        out,
      ],
      { cwd: dir },
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const phases = JSON.parse(readFileSync(out, 'utf8')).scenarios[0].phases;
    for (const p of phases) {
      expect(p.errors).toBe(0);
      expect(p.tokens.source).toBe('usage');
      // Per call: (last chunk - first chunk) / 9 tokens; the first token is not in it.
      expect(Math.abs(p.tpot.p50 / PER_TOKEN_NS - 1), `${p.name}: TPOT p50 ${p.tpot.p50} ns`).toBeLessThan(0.1);
      // Per token: every gap over the tokens it carried (one each here).
      expect(p.tokenGap.count).toBe(p.count * 9);
      expect(Math.abs(p.tokenGap.p50 / PER_TOKEN_NS - 1), `${p.name}: token gap p50 ${p.tokenGap.p50} ns`).toBeLessThan(0.1);
      expect(p.chunkGap.count).toBe(p.count * 9);
      expect(p.ttft.p50).toBeGreaterThanOrEqual(20e6);
    }
    expect(r.stdout).toContain('time per output token (TPOT)');
    expect(r.stdout).toContain('gap between chunks (per chunk)');
    expect(r.stdout).toContain('gap per token');
    expect(r.stdout).toContain('time to first token (TTFT)');
  });
});
