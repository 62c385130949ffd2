/**
 * A markdown report shaped like the seed's document: environment, then scenario by
 * scenario what it did and its results, then the target-metrics matrix with the seed's
 * status levels, and the command that reproduces it. One or several results make one
 * report (several: a column per run in the environment, scenario sections numbered on).
 * Colour never applies: the output is a file. What it says comes from model.ts, which the
 * HTML report shares; this file only gives it markdown form (and the mermaid charts).
 */
import { formatCount, significant } from '../util/units.js';
import type { RunResult, ScenarioResult } from '../results/types.js';
import { statusText } from './format.js';
import { renderCapacityMarkdown } from './capacity.js';
import { bucketIntervals, reportModel, type MatrixModel, type ReportModel, type ScenarioModel, type SummaryRow, type TextTable } from './model.js';
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

function table(head: string[], rows: string[][], align?: ReadonlyArray<'l' | 'r'>): string[] {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${sep.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

function textTable(t: TextTable): string[] {
  return table(t.head, t.rows, t.align);
}

/** Most points a chart gets; longer series are merged (bucketIntervals: throughput their rate, p99 the worst). */
export const MAX_CHART_POINTS = 60;

/** 3 significant figures, as a plain number mermaid can read. */
function num(v: number): string {
  return String(significant(v, 3));
}

/** A round axis top above the largest value: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const target = max * 1.1;
  const pow = Math.pow(10, Math.floor(Math.log10(target)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= target) return significant(m * pow, 3);
  return significant(10 * pow, 3);
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
    const { points, span } = bucketIntervals(intervals, MAX_CHART_POINTS);
    const xs = points.map((p) => num(p.tS));
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

function scenarioSection(m: ScenarioModel): string[] {
  const out: string[] = [`## ${m.heading}`, ''];
  if (m.description !== '') out.push(m.description, '');
  out.push(`- **Source**: ${code(m.source)}`);
  out.push(`- **Started**: ${m.started}, took ${m.took}`);
  if (m.trials !== undefined) out.push(`- **Trials**: ${m.trials}`);
  out.push('', `> ${m.llmLine}`, '');
  if (m.providersLine !== undefined) out.push(`> ${m.providersLine}`, '');
  if (m.pluginLine !== undefined) out.push(`> ${m.pluginLine}`, '');
  for (const line of m.executionLines) out.push(`> ${line}`, '');
  if (m.failure !== undefined) out.push(`> 🔴 **Failed**: ${m.failure}`, '');

  if (m.latency !== undefined) {
    out.push('### What it did', '', ...m.whatItDid.map((w) => `- ${code(w.phase)} (${w.op}): ${w.text}`), '');
    out.push('### Latency', '', ...textTable(m.latency), '');
    if (m.batchFootnote !== undefined) out.push(m.batchFootnote, '');
    if (m.notes.length > 0) {
      for (const n of m.notes) out.push(`- ${n}`);
      out.push('');
    }
  }
  if (m.trialsTable !== undefined) out.push('### Trials', '', m.trialsTable.intro, '', ...textTable(m.trialsTable.table), '');
  out.push(...intervalCharts(m.scenario));
  if (m.capacity !== undefined) out.push(...renderCapacityMarkdown(m.capacity));

  if (m.memory !== undefined) out.push('### Memory', '', ...textTable(m.memory), '');

  if (m.targets.length > 0) {
    out.push('### Targets', '');
    const rows = m.targets.map((t) => [t.metric, t.measured, t.current, t.target, statusText(t.status), code(t.source)]);
    out.push(...table(['metric', 'measured', 'current', 'target', 'status', 'source'], rows, ['l', 'r', 'r', 'r', 'l', 'l']), '');
    out.push(`Targets: ${m.targetCounts}.`, '');
  }
  return out;
}

function seedMatrixSection(matrix: MatrixModel): string[] {
  const out: string[] = ['## Target-metrics matrix', ''];
  out.push("The rows of the seed report's matrix and the targets of this report that measure them.", '');
  const rows = matrix.rows.map((r) => [
    r.metric,
    r.seedCurrent,
    r.seedTarget,
    r.measuredBy === undefined ? 'not covered' : `${r.measuredBy.scenario}: ${code(r.measuredBy.source)}`,
    r.measured,
    r.status === undefined ? '-' : statusText(r.status),
  ]);
  out.push(...table(['metric', 'seed current', 'seed target', 'measured by', 'measured', 'status'], rows, ['l', 'r', 'r', 'l', 'r', 'l']), '');
  if (matrix.outside.length > 0) out.push(`Targets outside the seed matrix: ${matrix.outside.join(', ')}.`, '');
  out.push('### Status levels', '');
  for (const l of matrix.levels) out.push(`- ${l.emoji} **${l.word}**: ${l.meaning}`);
  out.push('');
  return out;
}

function summarySection(model: ReportModel): string[] {
  const multi = model.multi;
  const out: string[] = ['## Summary', ''];
  const rows = model.summary.map((s: SummaryRow) => [
    ...(s.run !== undefined ? [String(s.run)] : []),
    `[${s.scenario}](#${s.anchor})`,
    s.phases,
    s.duration,
    s.verdict,
  ]);
  const head = [...(multi ? ['run'] : []), 'scenario', 'phases', 'duration', 'targets'];
  const align: Array<'l' | 'r'> = [...(multi ? ['r' as const] : []), 'l', 'r', 'r', 'l'];
  out.push(...table(head, rows, align), '');
  for (const g of model.gates) out.push(`**${g.run !== undefined ? `run ${g.run}: ` : ''}${g.line}**`, '');
  return out;
}

/** The report of one or more results. */
export function renderMarkdownReport(results: readonly RunResult[]): string {
  if (results.length === 0) return '';
  const model = reportModel(results);
  const out: string[] = [`# ${model.title}`, ''];
  out.push(`- **Date**: ${model.date}`);
  if (!model.multi) {
    out.push(`- **Command**: ${code(model.runs[0]!.command)}`);
  } else {
    out.push(`- **Runs**: ${model.runs.length}`);
    for (const r of model.runs) out.push(`  - run ${r.run}: ${code(r.command)}, ${r.started}`);
  }
  out.push('');
  for (const n of model.notices) out.push(`> ⚠️ **${n.kind}**${n.run !== undefined ? ` (run ${n.run})` : ''}: ${n.text}`, '');
  for (const n of model.shardNotes) out.push(`> ${n.run !== undefined ? `run ${n.run}: ` : ''}${n.text}`, '');

  out.push('## Test environment', '', ...textTable(model.environment), '');
  for (const f of model.floorNotes) out.push(`> ${f.run !== undefined ? `run ${f.run}: ` : ''}${f.text}`, '');
  out.push(...summarySection(model));
  for (const s of model.scenarios) out.push(...scenarioSection(s));
  out.push(...seedMatrixSection(model.matrix));
  out.push('---', '');
  for (const r of model.reproduce) out.push(`Reproduce${r.run !== undefined ? ` run ${r.run}` : ''}: ${code(r.command)}`, '');
  return out.join('\n');
}

export const markdownRenderer: Renderer = {
  render: (result: RunResult, _opts: RenderOptions) => renderMarkdownReport([result]),
  renderAll: (results: readonly RunResult[], _opts: RenderOptions) => renderMarkdownReport(results),
};
