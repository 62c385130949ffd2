/**
 * A markdown report shaped like the seed's document: environment, then scenario by
 * scenario what it did and its results, then the target-metrics matrix with the seed's
 * status levels, and the command that reproduces it. One or several results make one
 * report (several: a column per run in the environment, scenario sections numbered on).
 * Colour never applies: the output is a file.
 */
import type { PhaseInterval, PhaseResult, RunResult, ScenarioResult } from '../results/types.js';
import { SEED_MATRIX, measuresRow, seedCoverage } from '../targets/seed-matrix.js';
import { formatBytes, formatNs } from '../util/units.js';
import {
  BATCH_MARK,
  STATUS_EMOJI,
  STATUS_MEANING,
  STATUS_WORD,
  STAT_COLUMNS,
  batchFootnote,
  countStatuses,
  errorsCell,
  formatBytesDelta,
  formatCount,
  formatCounts,
  formatMeasured,
  formatMs,
  formatThreshold,
  formatValue,
  gateLine,
  heapDeltaFromBaseline,
  latencyCells,
  llmLine,
  providersLine,
  phaseNotes,
  secondaryDistributions,
  statusText,
  summaryCells,
} from './format.js';
import { floorNote } from './floor.js';
import type { RenderOptions, Renderer } from './types.js';

/** Cell text: a "|" would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  // Inline code cannot escape a backtick; a longer fence can hold it.
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): string[] {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${sep.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** "2026-11-25T10:00:00.000Z" -> "2026-11-25 10:00:00 UTC", without the reader's time zone. */
function formatDate(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** A scenario of one of the results, and the heading it gets. */
interface Section {
  run: number;
  result: RunResult;
  scenario: ScenarioResult;
  heading: string;
}

function sections(results: readonly RunResult[]): Section[] {
  const multi = results.length > 1;
  let n = 0;
  return results.flatMap((result, r) =>
    result.scenarios.map((scenario) => {
      n += 1;
      return { run: r + 1, result, scenario, heading: `${n}. ${scenario.name}${multi ? ` (run ${r + 1})` : ''}` };
    }),
  );
}

/** What the LLM of a run was, over all its scenarios. */
function llmSummary(result: RunResult): string {
  const simulated = [...new Set(result.scenarios.filter((s) => s.providers.llm.simulated).map((s) => s.providers.llm.transport))];
  const real = [...new Set(result.scenarios.filter((s) => !s.providers.llm.simulated).map((s) => s.providers.llm.transport))];
  if (simulated.length === 0 && real.length === 0) return '-';
  const sim = simulated.map((t) => t.replace(/^simulated\s*/, '')).join('; ');
  if (real.length === 0) return `simulated, no model behind it: ${sim}`;
  if (simulated.length === 0) return `not simulated: ${real.join('; ')}`;
  return `mixed: simulated (${sim}) and not simulated (${real.join('; ')})`;
}

const ENV_ROWS: ReadonlyArray<[string, (r: RunResult) => string]> = [
  ['CPU', (r) => r.environment.cpu],
  ['cores', (r) => String(r.environment.cores)],
  ['memory', (r) => formatBytes(r.environment.memoryBytes)],
  ['OS', (r) => `${r.environment.os} ${r.environment.arch}`],
  ['Node.js', (r) => `${r.environment.node} (V8 ${r.environment.v8})`],
  ['tool', (r) => `${r.tool.name} ${r.tool.version} (result schema v${r.schemaVersion})`],
  ['git commit', (r) => r.environment.gitCommit ?? 'not in a git repository'],
  ['seed', (r) => String(r.seed)],
  ['LLM', llmSummary],
  ['host', (r) => r.environment.hostname ?? '-'],
  ['CI', (r) => (r.environment.ci ? 'yes' : 'no')],
];

function environmentSection(results: readonly RunResult[]): string[] {
  const head = results.length === 1 ? ['', 'value'] : ['', ...results.map((_, i) => `run ${i + 1}`)];
  const rows = ENV_ROWS.map(([label, get]) => [label, ...results.map(get)]);
  return ['## Test environment', '', ...table(head, rows), ''];
}

function warmupWords(phase: PhaseResult): string {
  return phase.warmup > 0 ? `; after ${formatCount(phase.warmup)} warm-up operation${phase.warmup === 1 ? '' : 's'}, not recorded` : '';
}

/** The executor in words, for phases the runner left without a description. */
export function executorWords(phase: PhaseResult): string {
  const e = phase.executor;
  switch (e.kind) {
    case 'iterations':
      return `${formatCount(e.iterations)} operations, ${e.concurrency > 1 ? `${formatCount(e.concurrency)} at a time` : 'one at a time'}`;
    case 'vus': {
      const each = e.iterationsPerVu !== undefined ? `${formatCount(e.iterationsPerVu)} operations each` : `for ${formatMs(e.durationMs ?? 0)}`;
      return `${formatCount(e.vus)} virtual users, ${each}`;
    }
    case 'rate':
      return `${formatCount(e.rate)} operations/s for ${formatMs(e.durationMs)} (open model, at most ${formatCount(e.maxInFlight)} in flight)`;
  }
}

function whatItDid(phases: readonly PhaseResult[]): string[] {
  return phases.map((p) => `- ${code(p.name)} (${p.op}): ${p.description !== '' ? p.description : executorWords(p)}${warmupWords(p)}`);
}

function phaseRow(phase: PhaseResult): string[] {
  return [
    phase.batchTimed ? `${phase.name} ${BATCH_MARK}` : phase.name,
    phase.op,
    formatCount(phase.count),
    errorsCell(phase),
    formatValue('per_s', phase.throughput),
    ...latencyCells(phase),
  ];
}

function trialsSection(scenario: ScenarioResult): string[] {
  const trials = scenario.trials;
  if (trials === undefined || trials.length < 2) return [];
  const rows = trials.flatMap((t, i) =>
    t.phases.map((p) => [
      String(i + 1),
      p.name,
      formatCount(p.count),
      formatCount(p.errors),
      formatValue('per_s', p.throughput),
      p.count > p.errors ? formatNs(p.p50) : '-',
      p.count > p.errors ? formatNs(p.p90) : '-',
      p.count > p.errors ? formatNs(p.p99) : '-',
    ]),
  );
  return [
    '### Trials',
    '',
    `${trials.length} trials; the figures above pool every trial (latency from the merged histograms, throughput = all operations / all phase time). Each trial on its own:`,
    '',
    ...table(['trial', 'phase', 'count', 'errors', 'throughput', 'p50', 'p90', 'p99'], rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
  ];
}

/** Most points a chart gets; longer series are averaged (throughput) or maxed (p99) per point. */
export const MAX_CHART_POINTS = 60;

interface ChartPoint {
  tMs: number;
  throughput: number;
  p99: number;
  heapUsed?: number;
}

/**
 * Fewer points for long series: each point spans several intervals; its throughput is their
 * operation-weighted rate, its p99 the worst of theirs (percentiles cannot be averaged, and
 * the worst is the honest bound), its heap the last reading.
 */
export function downsample(intervals: readonly PhaseInterval[], max = MAX_CHART_POINTS): ChartPoint[] {
  const group = Math.max(1, Math.ceil(intervals.length / max));
  const points: ChartPoint[] = [];
  for (let i = 0; i < intervals.length; i += group) {
    const slice = intervals.slice(i, i + group);
    const last = slice[slice.length - 1]!;
    // tMs is the end of each interval, counted from the start of the phase.
    const prevT = i > 0 ? intervals[i - 1]!.tMs : 0;
    const spanS = (last.tMs - prevT) / 1000;
    const count = slice.reduce((a, s) => a + s.count, 0);
    const throughput = group === 1 ? last.throughput : spanS > 0 ? count / spanS : last.throughput;
    const point: ChartPoint = { tMs: last.tMs, throughput, p99: Math.max(...slice.map((s) => s.p99)) };
    if (last.heapUsed !== undefined) point.heapUsed = last.heapUsed;
    points.push(point);
  }
  return points;
}

/** 3 significant figures, as a plain number mermaid can read. */
function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  return String(Number(v.toPrecision(3)));
}

/** A round axis top above the largest value: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const target = max * 1.1;
  const pow = Math.pow(10, Math.floor(Math.log10(target)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= target) return Number((m * pow).toPrecision(3));
  return Number((10 * pow).toPrecision(3));
}

function mermaidTitle(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

function xychart(title: string, xs: string[], yLabel: string, values: number[]): string[] {
  return [
    '```mermaid',
    'xychart-beta',
    `    title ${mermaidTitle(title)}`,
    `    x-axis "time (s)" [${xs.join(', ')}]`,
    `    y-axis ${mermaidTitle(yLabel)} 0 --> ${num(niceMax(Math.max(...values)))}`,
    `    line [${values.map(num).join(', ')}]`,
    '```',
  ];
}

function intervalCharts(scenario: ScenarioResult): string[] {
  const phases = scenario.phases.filter((p) => (p.intervals?.length ?? 0) >= 2);
  if (phases.length === 0) return [];
  const out: string[] = ['### Over time', ''];
  for (const phase of phases) {
    const intervals = phase.intervals ?? [];
    const points = downsample(intervals);
    const xs = points.map((p) => num(p.tMs / 1000));
    const span = Math.ceil(intervals.length / points.length);
    out.push(`#### ${phase.name}`, '');
    out.push(
      `${formatCount(intervals.length)} intervals${span > 1 ? `, ${span} per point (throughput: their rate; p99: the worst of them)` : ''}; time from the start of the phase.`,
      '',
    );
    out.push(...xychart(`${phase.name}: throughput (operations/s)`, xs, 'operations/s', points.map((p) => p.throughput)), '');
    out.push(...xychart(`${phase.name}: p99 latency (ms)`, xs, 'ms', points.map((p) => p.p99 / 1e6)), '');
    if (points.every((p) => p.heapUsed !== undefined)) {
      out.push(...xychart(`${phase.name}: heap used (MB)`, xs, 'MB', points.map((p) => (p.heapUsed ?? 0) / 1024 ** 2)), '');
    }
  }
  return out;
}

function scenarioSection(section: Section): string[] {
  const { scenario } = section;
  const out: string[] = [`## ${section.heading}`, ''];
  if (scenario.description !== '') out.push(scenario.description, '');
  out.push(`- **Source**: ${code(scenario.source)}`);
  out.push(`- **Started**: ${formatDate(scenario.startedAt)}, took ${formatMs(scenario.durationMs)}`);
  if (scenario.trials !== undefined && scenario.trials.length > 1) out.push(`- **Trials**: ${scenario.trials.length}`);
  out.push('', `> ${llmLine(scenario.providers.llm)}`, '');
  const names = providersLine(scenario.providers);
  if (names !== undefined) out.push(`> ${names}`, '');
  if (scenario.failure !== undefined) out.push(`> 🔴 **Failed**: ${scenario.failure}`, '');

  if (scenario.phases.length > 0) {
    out.push('### What it did', '', ...whatItDid(scenario.phases), '');
    out.push('### Latency', '');
    const head = ['phase', 'op', 'count', 'errors', 'throughput', ...STAT_COLUMNS.map((s) => s.label)];
    const align = head.map((_, i): 'l' | 'r' => (i < 2 ? 'l' : 'r'));
    // Service time, time to first token, agent steps...: sub-rows under their phase.
    const rows = scenario.phases.flatMap((p) => [
      phaseRow(p),
      ...secondaryDistributions(p).map(({ label, summary }) => [`↳ ${label}`, '', formatCount(summary.count), '', '', ...summaryCells(summary)]),
    ]);
    out.push(...table(head, rows, align), '');
    const footnote = batchFootnote(scenario.phases);
    const notes = scenario.phases.flatMap(phaseNotes);
    if (footnote !== undefined) out.push(footnote, '');
    if (notes.length > 0) {
      for (const n of notes) out.push(`- ${n}`);
      out.push('');
    }
  }
  out.push(...trialsSection(scenario));
  out.push(...intervalCharts(scenario));

  if (scenario.memory.length > 0) {
    out.push('### Memory', '');
    const rows = scenario.memory.map((m) => {
      const delta = heapDeltaFromBaseline(scenario, m.heapUsed);
      return [m.label, formatBytes(m.heapUsed), formatBytes(m.rss), delta === undefined ? '-' : formatBytesDelta(delta)];
    });
    out.push(...table(['snapshot', 'heap used', 'rss', 'heap vs baseline'], rows, ['l', 'r', 'r', 'r']), '');
  }

  if (scenario.targets.length > 0) {
    out.push('### Targets', '');
    const rows = scenario.targets.map((t) => [
      t.metric,
      formatMeasured(t),
      formatThreshold(t.comparator, t.unit, t.current),
      formatThreshold(t.comparator, t.unit, t.target),
      statusText(t.status),
      code(t.source),
    ]);
    out.push(...table(['metric', 'measured', 'current', 'target', 'status', 'source'], rows, ['l', 'r', 'r', 'r', 'l', 'l']), '');
    out.push(`Targets: ${formatCounts(countStatuses(scenario.targets))}.`, '');
  }
  return out;
}

function seedMatrixSection(all: readonly Section[], multi: boolean): string[] {
  const out: string[] = ['## Target-metrics matrix', ''];
  out.push("The rows of the seed report's matrix and the targets of this report that measure them.", '');
  const named = all.map((s) => ({ ...s.scenario, name: multi ? `${s.scenario.name} (run ${s.run})` : s.scenario.name }));
  const rows = seedCoverage(named).flatMap(({ row, targets }) => {
    if (targets.length === 0) return [[row.metric, row.current, row.target, 'not covered', '-', '-']];
    return targets.map(({ scenario, target }) => [
      row.metric,
      row.current,
      row.target,
      `${scenario}: ${code(target.source)}`,
      formatMeasured(target),
      statusText(target.status),
    ]);
  });
  out.push(...table(['metric', 'seed current', 'seed target', 'measured by', 'measured', 'status'], rows, ['l', 'r', 'r', 'l', 'r', 'l']), '');
  const own = named.flatMap((s) =>
    s.targets.filter((t) => !SEED_MATRIX.some((r) => measuresRow(t.metric, r.metric))).map((t) => `${t.metric} (${s.name})`),
  );
  if (own.length > 0) out.push(`Targets outside the seed matrix: ${[...new Set(own)].join(', ')}.`, '');
  out.push('### Status levels', '');
  for (const s of ['green', 'yellow', 'red'] as const) {
    out.push(`- ${STATUS_EMOJI[s]} **${STATUS_WORD[s]}**: ${STATUS_MEANING[s]}`);
  }
  out.push('');
  return out;
}

function summarySection(all: readonly Section[], results: readonly RunResult[]): string[] {
  const multi = results.length > 1;
  const out: string[] = ['## Summary', ''];
  const rows = all.map((s) => {
    const counts = countStatuses(s.scenario.targets);
    const counted = s.scenario.targets.length === 0 ? 'no targets' : formatCounts(counts);
    const verdict = s.scenario.failure !== undefined ? `🔴 failed; ${counted}` : counted;
    const link = `[${s.scenario.name}](#${anchor(s.heading)})`;
    return [...(multi ? [String(s.run)] : []), link, formatCount(s.scenario.phases.length), formatMs(s.scenario.durationMs), verdict];
  });
  const head = [...(multi ? ['run'] : []), 'scenario', 'phases', 'duration', 'targets'];
  const align: Array<'l' | 'r'> = [...(multi ? ['r' as const] : []), 'l', 'r', 'r', 'l'];
  out.push(...table(head, rows, align), '');
  results.forEach((r, i) => out.push(`**${multi ? `run ${i + 1}: ` : ''}${gateLine(r.gate, r.scenarios)}**`, ''));
  return out;
}

/** The report of one or more results. */
export function renderMarkdownReport(results: readonly RunResult[]): string {
  if (results.length === 0) return '';
  const multi = results.length > 1;
  const first = results[0]!;
  const out: string[] = [`# ${first.tool.name} performance report`, ''];
  if (!multi) {
    out.push(`- **Date**: ${formatDate(first.startedAt)} (finished ${formatDate(first.finishedAt)})`);
    out.push(`- **Command**: ${code(first.command)}`);
  } else {
    const starts = results.map((r) => r.startedAt).sort();
    const ends = results.map((r) => r.finishedAt).sort();
    out.push(`- **Date**: ${formatDate(starts[0]!)} to ${formatDate(ends[ends.length - 1]!)}`);
    out.push(`- **Runs**: ${results.length}`);
    results.forEach((r, i) => out.push(`  - run ${i + 1}: ${code(r.command)}, ${formatDate(r.startedAt)}`));
  }
  out.push('');
  results.forEach((r, i) => {
    if (r.checkpoint) out.push(`> ⚠️ **Checkpoint**${multi ? ` (run ${i + 1})` : ''}: saved during the run, which was still going (or stopped without writing its final result).`, '');
    else if (r.interrupted) out.push(`> ⚠️ **Interrupted**${multi ? ` (run ${i + 1})` : ''}: this is a partial result; later scenarios or phases are missing.`, '');
  });

  out.push(...environmentSection(results));
  for (const [i, r] of results.entries()) {
    const floor = floorNote(r);
    if (floor !== undefined) out.push(`> ${multi ? `run ${i + 1}: ` : ''}${floor}`, '');
  }
  const all = sections(results);
  out.push(...summarySection(all, results));
  for (const s of all) out.push(...scenarioSection(s));
  out.push(...seedMatrixSection(all, multi));
  out.push('---', '');
  for (const [i, r] of results.entries()) out.push(`Reproduce${multi ? ` run ${i + 1}` : ''}: ${code(r.reproduce ?? r.command)}`, '');
  return out.join('\n');
}

export const markdownRenderer: Renderer = {
  name: 'markdown',
  render: (result: RunResult, _opts: RenderOptions) => renderMarkdownReport([result]),
  renderAll: (results: readonly RunResult[], _opts: RenderOptions) => renderMarkdownReport(results),
};
