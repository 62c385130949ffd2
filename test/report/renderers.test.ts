import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/input-error.js';
import type { RunResult } from '../../src/results/types.js';
import { FORMATS, FORMAT_CHOICES, findFormat, loadRenderer } from '../../src/report/registry.js';
import type { Renderer } from '../../src/report/types.js';
import { benchmarkEntries } from '../../src/report/benchmark-action.js';
import { renderMarkdownReport } from '../../src/report/markdown.js';
import { MAX_CHART_POINTS, niceMax } from '../../src/report/markdown.js';
import { bucketIntervals } from '../../src/report/model.js';
import { FIXTURE, FIXTURE_B } from './fixture.js';
import { goldenFiles } from '../helpers/golden.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

// UPDATE_GOLDEN=1 npx vitest run test/report  rewrites the files; review the diff before committing.
const golden = goldenFiles(import.meta.url);

// Every registered renderer, loaded once (the registry loads them on demand).
const LOADED = new Map<string, Renderer>(await Promise.all(FORMATS.map(async (f): Promise<[string, Renderer]> => [f.name, await f.load()])));
function getRenderer(name: string): Renderer {
  const r = LOADED.get(name);
  if (r === undefined) throw new Error(`no renderer ${name}`);
  return r;
}
const RENDERER_NAMES = FORMATS.map((f) => f.name);

const GOLDENS: Array<[string, string]> = [
  ['table', 'table.txt'],
  ['markdown', 'report.md'],
  ['json', 'result.json'],
  ['benchmark-action', 'benchmark-action-smaller.json'],
];

describe('renderers against golden files', () => {
  it.each(GOLDENS)('%s', (name, file) => {
    golden(file, getRenderer(name).render(FIXTURE, { color: false }));
  });

  it('markdown of two results', () => {
    golden('report-two-runs.md', getRenderer('markdown').renderAll([FIXTURE, FIXTURE_B], { color: false }));
  });

  it('benchmark-action, bigger is better', () => {
    golden('benchmark-action-bigger.json', getRenderer('benchmark-action').render(FIXTURE, { color: false, benchmarkTool: 'customBiggerIsBetter' }));
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
  it('lists every name --format takes, an alias before its name', () => {
    expect(FORMAT_CHOICES).toEqual(expect.arrayContaining(['md', 'markdown', 'json', 'benchmark-action', 'table']));
    expect(FORMAT_CHOICES.indexOf('md')).toBe(FORMAT_CHOICES.indexOf('markdown') - 1);
    expect(new Set(FORMAT_CHOICES).size).toBe(FORMAT_CHOICES.length);
  });

  it('finds a format by its name or an alias', async () => {
    expect(findFormat('md')).toBe(findFormat('markdown'));
    expect(await loadRenderer('md')).toBe(getRenderer('markdown'));
  });

  it('rejects an unknown name with the allowed ones', async () => {
    expect(() => findFormat('pdf')).toThrow(InputError);
    expect(() => findFormat('pdf', '--format')).toThrow(`--format "pdf": unknown format (allowed: ${FORMAT_CHOICES.join(', ')})`);
    await expect(loadRenderer('pdf')).rejects.toThrow(`report format "pdf": unknown format (allowed: ${FORMAT_CHOICES.join(', ')})`);
  });

  it('render(one) is renderAll([one])', () => {
    for (const r of LOADED.values()) expect(r.renderAll([FIXTURE], { color: false })).toBe(r.render(FIXTURE, { color: false }));
  });
});

describe('markdown', () => {
  const md = renderMarkdownReport([FIXTURE]);

  it('names the environment: CPU, cores, memory, OS, Node.js, tool, commit, seed, simulated LLM', () => {
    for (const row of ['| CPU | AMD EPYC 7B13 |', '| cores | 2 |', '| memory | 8GB |', '| OS | linux 6.8.0 x64 |', '| Node.js | v20.20.2 (V8 11.3.244.8-node.33) |', '| tool | cluster-bench 0.1.0 (result schema v1) |', '| git commit | 3f2c1ab |', '| seed | 42 |']) {
      expect(md).toContain(row);
    }
    expect(md).toMatch(/^\| LLM \| simulated, no model behind it: in-process \(latency none\) \|$/m);
  });

  it('says what each phase did, with the warm-up', () => {
    expect(md).toContain('- `sequential` (llm.call): 1,000 operations, one at a time; after 50 warm-up operations, not recorded');
    expect(md).toContain('- `open-load` (llm.call): 500 calls per second for 5 s');
    expect(md).toContain('- `load` (agent.execute): 1,000 virtual users, 100 operations each');
  });

  it('has the percentile table with p99.9 and the target matrix with its source text and status', () => {
    expect(md).toContain('| phase | op | count | errors | throughput | min | p50 | p90 | p95 | p99 | p99.9 | max |');
    expect(md).toContain('| agent execution | 780ms | < 100ms | < 50ms | 🔴 needs work | `load p99 < 100ms / < 50ms` |');
  });

  it('charts the intervals of a phase in mermaid xychart-beta blocks', () => {
    const charts = md.match(/```mermaid\nxychart-beta\n[^`]*```/g) ?? [];
    expect(charts).toHaveLength(3);
    expect(charts[0]).toContain('x-axis "time (s)" [5, 10, 15, 20, 25, 30]');
    expect(charts[0]).toContain('line [1620, 1920, 1890, 1900, 1880, 1910]');
    expect(charts[0]).toContain('y-axis "operations/s" 0 --> 2500');
    expect(charts[1]).toContain('line [690, 760, 775, 790, 1020, 770]');
    expect(charts[2]).toContain('title "load: heap used (MB)"');
  });

  it('lists the trials', () => {
    expect(md).toContain('3 trials; the figures above pool every trial');
    expect(md).toContain('| 2 | open-load | 332 | 2 | 498/s | 2.22ms | 5.2ms | 33.1ms |');
  });

  it('ends with the reproduce line', () => {
    expect(md.trimEnd().split('\n').at(-1)).toBe('Reproduce: `cluster-bench run store-retrieve llm-call stress agent --seed 42`');
  });

  it('of two results: a column per run, sections numbered on, a reproduce line each', () => {
    const two = renderMarkdownReport([FIXTURE, FIXTURE_B]);
    expect(two).toContain('|  | run 1 | run 2 |');
    expect(two).toContain('| git commit | 3f2c1ab | 9e8d7c6 |');
    expect(two).toContain('## 5. store-retrieve (run 2)');
    expect(two).toContain('[store-retrieve](#5-store-retrieve-run-2)');
    expect(two).toContain('Reproduce run 2: `cluster-bench run store-retrieve --seed 43`');
    expect(two).toContain('**run 2: gate: passed (2 green, 1 yellow, 0 red)**');
  });

  it('a phase without a description gets its executor in words', () => {
    const first = FIXTURE.scenarios[1]!;
    const phase = { ...first.phases[1]!, description: '' };
    const out = renderMarkdownReport([{ ...FIXTURE, scenarios: [{ ...first, phases: [phase] }] }]);
    expect(out).toContain('- `open-load` (llm.call): 500 operations/s for 2s (open model, at most 200 in flight)');
  });
});

describe('chart helpers', () => {
  it.each([
    [1872, 2500],
    [900, 1000],
    [0.4, 0.5],
    [95, 200],
    [0, 1],
  ])('niceMax(%f) = %f', (max, top) => {
    expect(niceMax(max)).toBe(top);
  });

  it('charts of long series get at most MAX_CHART_POINTS points: throughput is the rate over the span, p99 the worst', () => {
    const intervals = Array.from({ length: 130 }, (_, i) => ({ tMs: (i + 1) * 1000, count: 100 + i, errors: 0, throughput: 100 + i, p50: 1, p99: i === 5 ? 999 : 10 }));
    const { points, span } = bucketIntervals(intervals, MAX_CHART_POINTS);
    expect(span).toBe(3);
    expect(points).toHaveLength(44);
    expect(points[0]).toEqual({ tS: 3, count: 303, errors: 0, throughput: (100 + 101 + 102) / 3, p50: 1, p99: 10 });
    expect(points[1]!.p99).toBe(999);
    expect(points.at(-1)).toEqual({ tS: 130, count: 229, errors: 0, throughput: 229, p50: 1, p99: 10 });
  });
});

describe('benchmark-action', () => {
  it('smaller is better: p50 and p99 in ms of every phase that has latency, with the trials\' spread', () => {
    const entries = benchmarkEntries([FIXTURE], 'customSmallerIsBetter');
    expect(entries.map((e) => e.name)).toEqual([
      'store-retrieve/store p50',
      'store-retrieve/store p99',
      'store-retrieve/batch-100 p50',
      'store-retrieve/batch-100 p99',
      'store-retrieve/retrieve p50',
      'store-retrieve/retrieve p99',
      'llm-call/sequential p50',
      'llm-call/sequential p99',
      'llm-call/open-load p50',
      'llm-call/open-load p99',
      'stress/load p50',
      'stress/load p99',
    ]);
    expect(entries.every((e) => e.unit === 'ms')).toBe(true);
    expect(entries.find((e) => e.name === 'llm-call/sequential p99')).toMatchObject({ value: 11.8, range: '± 0.611' });
    expect(entries.find((e) => e.name === 'stress/load p50')?.range).toBeUndefined();
  });

  it('bigger is better: throughput of every phase', () => {
    const entries = benchmarkEntries([FIXTURE], 'customBiggerIsBetter');
    expect(entries.every((e) => e.unit === 'ops/s' && e.name.endsWith(' throughput'))).toBe(true);
    expect(entries.find((e) => e.name === 'stress/load throughput')?.value).toBe(1873);
  });

  it('keeps names unique over several results', () => {
    const names = benchmarkEntries([FIXTURE, FIXTURE_B], 'customSmallerIsBetter').map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('store-retrieve/store p50 (2)');
  });
});
