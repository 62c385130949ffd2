import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import type { RunResult } from '../../src/result.js';
import { RENDERERS, RENDERER_NAMES, getRenderer } from '../../src/report/index.js';
import { FIXTURE } from './fixture.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
// UPDATE_GOLDEN=1 npx vitest run test/report  rewrites the files; review the diff before committing.
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

function golden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const GOLDENS: Array<[string, string]> = [
  ['table', 'table.txt'],
  ['markdown', 'report.md'],
  ['json', 'result.json'],
];

describe('renderers against golden files', () => {
  it.each(GOLDENS)('%s', (name, file) => {
    golden(file, getRenderer(name).render(FIXTURE, { color: false }));
  });
});

describe('colour', () => {
  it.each(RENDERER_NAMES.map((n) => [n]))('%s has no ANSI escapes with color: false', (name) => {
    expect(getRenderer(name).render(FIXTURE, { color: false })).not.toMatch(ANSI);
  });

  it('table has ANSI escapes with color: true, and the same text once stripped', () => {
    const colored = getRenderer('table').render(FIXTURE, { color: true });
    expect(colored).toMatch(ANSI);
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(getRenderer('table').render(FIXTURE, { color: false }));
  });

  it('markdown and json never colour', () => {
    for (const name of ['markdown', 'json']) {
      expect(getRenderer(name).render(FIXTURE, { color: true })).not.toMatch(ANSI);
    }
  });
});

describe('table', () => {
  const render = (r: RunResult): string => getRenderer('table').render(r, { color: false });

  it('says plainly that the LLM is simulated', () => {
    expect(render(FIXTURE)).toContain('LLM: simulated in-process (latency none) — no model behind it: figures measure the harness and providers');
  });

  it('marks batch-timed phases and explains the mark', () => {
    const out = render(FIXTURE);
    expect(out).toMatch(/│ store † /);
    expect(out).toContain('† batch-timed (store: batches of 64, retrieve: batches of 100)');
  });

  it('shows a failed scenario and the gate line', () => {
    const out = render(FIXTURE);
    expect(out).toContain('✖ failed: phase "sequential" crashed');
    expect(out.trimEnd().split('\n').at(-1)).toBe('gate: failed (4 green, 4 yellow, 3 red; 1 scenario failed)');
  });

  it.each<[string, RunResult['gate'], string]>([
    ['passed', { strict: false, enabled: true, passed: true, counts: { green: 7, yellow: 1, red: 0 } }, 'gate: passed (7 green, 1 yellow, 0 red)'],
    ['strict', { strict: true, enabled: true, passed: false, counts: { green: 7, yellow: 1, red: 0 } }, 'gate (strict, yellow fails): failed (7 green, 1 yellow, 0 red)'],
    ['off', { strict: false, enabled: false, passed: true, counts: { green: 0, yellow: 0, red: 2 } }, 'gate: off (0 green, 0 yellow, 2 red; not enforced)'],
  ])('gate line: %s', (_name, gate, line) => {
    const result: RunResult = { ...FIXTURE, scenarios: FIXTURE.scenarios.filter((s) => s.failure === undefined), gate };
    expect(render(result).trimEnd().split('\n').at(-1)).toBe(line);
  });

  it('says when a run was interrupted', () => {
    expect(render({ ...FIXTURE, interrupted: true })).toContain('run interrupted: partial result');
  });

  it('describes a real (not simulated) transport', () => {
    const first = FIXTURE.scenarios[0]!;
    const real = { ...first, providers: { ...first.providers, llm: { simulated: false, transport: 'http', config: {} } } };
    expect(render({ ...FIXTURE, scenarios: [real] })).toContain("LLM: http transport (not simulated) — figures include the model's own latency");
  });
});

describe('json', () => {
  it('round-trips', () => {
    expect(JSON.parse(getRenderer('json').render(FIXTURE, { color: false }))).toEqual(FIXTURE);
  });
});

describe('registry', () => {
  it('lists the renderers by name', () => {
    expect(RENDERERS.map((r) => r.name)).toEqual(['table', 'markdown', 'json']);
  });

  it('rejects an unknown name with the allowed ones', () => {
    expect(() => getRenderer('html')).toThrow(CliError);
    expect(() => getRenderer('html')).toThrow('unknown report format "html" (allowed: table, markdown, json)');
  });
});
