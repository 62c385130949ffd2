import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { SMALL_SCENARIO } from '../helpers/scenarios.js';

const SMALL = SMALL_SCENARIO;

function writeScenario(text: string, name = 'scenario.yaml'): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/**
 * The real binary, spawned as a user runs it: the bin shim, the compiled CLI and the process
 * edge together. Command behaviour is tested in-process (test/cli/); these few check the whole.
 */
describe('cluster-bench binary', () => {
  it('prints its version', () => {
    const v = cli(['--version']);
    expect(v).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`, stderr: '' });
  });

  it('runs a small scenario file, prints the matrix and writes a parseable result', () => {
    const file = writeScenario(SMALL);
    const out = path.join(tempDir(), 'result.json');
    const r = cli(['run', file, '--seed', '7', '--out', out]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LLM call response');
    expect(r.stdout).toMatch(/simulated/i);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.schemaVersion).toBe(1);
    expect(result.seed).toBe(7);
    const [scenario] = result.scenarios;
    expect(scenario.phases.map((p: { name: string }) => p.name)).toEqual(['calls', 'agent']);
    expect(scenario.phases[0].count).toBe(200);
    expect(scenario.phases[1].count).toBe(100);
    expect(scenario.phases[0].latency.histogram).toMatch(/^HISTFAAA/);
    expect(scenario.targets.map((t: { status: string }) => t.status)).toEqual(['green', 'green']);
  });
});
