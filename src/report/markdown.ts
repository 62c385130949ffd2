/**
 * A markdown report shaped like the seed's document: environment, then scenario by
 * scenario its results, then the target-metrics matrix with the seed's status levels.
 * Colour never applies: the output is a file.
 */
import type { PhaseResult, RunResult, ScenarioResult } from '../result.js';
import { SEED_MATRIX, seedCoverage } from '../targets/seed-matrix.js';
import { formatBytes } from '../util/units.js';
import {
  BATCH_MARK,
  STATUS_EMOJI,
  STATUS_MEANING,
  STATUS_WORD,
  STAT_COLUMNS,
  batchFootnote,
  countStatuses,
  environmentRows,
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
  phaseNotes,
  statusText,
} from './format.js';
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

function anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
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

function scenarioSection(scenario: ScenarioResult, index: number): string[] {
  const out: string[] = [`## ${index + 1}. ${scenario.name}`, ''];
  if (scenario.description !== '') out.push(scenario.description, '');
  out.push(`- **Source**: ${code(scenario.source)}`);
  out.push(`- **Started**: ${formatDate(scenario.startedAt)}, took ${formatMs(scenario.durationMs)}`);
  out.push('', `> ${llmLine(scenario.providers.llm)}`, '');
  if (scenario.failure !== undefined) out.push(`> 🔴 **Failed**: ${scenario.failure}`, '');

  if (scenario.phases.length > 0) {
    out.push('### Latency', '');
    const head = ['phase', 'op', 'count', 'errors', 'throughput', ...STAT_COLUMNS.map((s) => s.label)];
    const align = head.map((_, i): 'l' | 'r' => (i < 2 ? 'l' : 'r'));
    out.push(...table(head, scenario.phases.map(phaseRow), align), '');
    const described = scenario.phases.filter((p) => p.description !== '');
    if (described.length > 0) {
      for (const p of described) out.push(`- ${code(p.name)}: ${p.description}`);
      out.push('');
    }
    const footnote = batchFootnote(scenario.phases);
    const notes = scenario.phases.flatMap(phaseNotes);
    if (footnote !== undefined) out.push(footnote, '');
    if (notes.length > 0) {
      for (const n of notes) out.push(`- ${n}`);
      out.push('');
    }
  }

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

function seedMatrixSection(result: RunResult): string[] {
  const out: string[] = ['## Target-metrics matrix', ''];
  out.push('The rows of the seed report\'s matrix and the targets of this run that measure them.', '');
  const rows = seedCoverage(result.scenarios).flatMap(({ row, targets }) => {
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
  const seedNames = new Set(SEED_MATRIX.map((r) => r.metric));
  const own = result.scenarios.flatMap((s) => s.targets.filter((t) => !seedNames.has(t.metric)).map((t) => `${t.metric} (${s.name})`));
  if (own.length > 0) out.push(`Targets outside the seed matrix: ${[...new Set(own)].join(', ')}.`, '');
  out.push('### Status levels', '');
  for (const s of ['green', 'yellow', 'red'] as const) {
    out.push(`- ${STATUS_EMOJI[s]} **${STATUS_WORD[s]}**: ${STATUS_MEANING[s]}`);
  }
  out.push('');
  return out;
}

function renderMarkdown(result: RunResult, _opts: RenderOptions): string {
  const out: string[] = [`# ${result.tool.name} performance report`, ''];
  out.push(`- **Date**: ${formatDate(result.startedAt)} (finished ${formatDate(result.finishedAt)})`);
  out.push(`- **Tool**: ${result.tool.name} ${result.tool.version}, result schema v${result.schemaVersion}`);
  out.push(`- **Command**: ${code(result.command)}`);
  out.push(`- **Seed**: ${result.seed}`);
  out.push('');
  if (result.interrupted) out.push('> ⚠️ **Interrupted**: this is a partial result; later scenarios or phases are missing.', '');

  out.push('## Test environment', '');
  out.push(...table(['', 'value'], environmentRows(result.environment)), '');

  out.push('## Summary', '');
  const summary = result.scenarios.map((s, i) => {
    const counts = countStatuses(s.targets);
    const counted = s.targets.length === 0 ? 'no targets' : formatCounts(counts);
    const verdict = s.failure !== undefined ? `🔴 failed; ${counted}` : counted;
    return [`[${s.name}](#${anchor(`${i + 1}. ${s.name}`)})`, formatCount(s.phases.length), formatMs(s.durationMs), verdict];
  });
  out.push(...table(['scenario', 'phases', 'duration', 'targets'], summary, ['l', 'r', 'r', 'l']), '');
  out.push(`**${gateLine(result.gate, result.scenarios)}**`, '');

  result.scenarios.forEach((s, i) => out.push(...scenarioSection(s, i)));
  out.push(...seedMatrixSection(result));
  out.push('---', '', `Reproduce: ${code(result.command)}`, '');
  return out.join('\n');
}

export const markdownRenderer: Renderer = { name: 'markdown', render: renderMarkdown };
