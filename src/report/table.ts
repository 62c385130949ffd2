/**
 * Terminal output: per scenario its latency table, memory snapshots and target matrix,
 * then the gate line. cli-table3 is given empty head/border styles so that every colour
 * comes from our own Chalk instance and `color: false` yields plain text.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { RunResult, ScenarioResult, Status } from '../results/types.js';
import { formatBytes, formatBytesDelta, formatCount, formatMs } from '../util/units.js';
import {
  batchFootnote,
  countStatuses,
  ENVIRONMENT_ROWS,
  errorsCell,
  executionLines,
  formatCounts,
  formatMeasured,
  formatThreshold,
  formatValue,
  gateLine,
  heapDeltaFromBaseline,
  latencyCells,
  llmLine,
  providersLine,
  phaseLabel,
  phaseNotes,
  pluginLine,
  secondaryDistributions,
  shardLines,
  STAT_COLUMNS,
  statusText,
  summaryCells,
} from './format.js';
import { floorNote } from './floor.js';
import { renderCapacityText } from './capacity.js';
import type { RenderOptions, Renderer } from './types.js';

type Align = 'left' | 'right' | 'center';

function makeTable(c: ChalkInstance, head: string[], colAligns: Align[]): Table.Table {
  return new Table({
    head: head.map((h) => c.bold(h)),
    colAligns,
    // Compact: a separator under every row doubles the height for no information.
    style: { head: [], border: [], compact: true },
  });
}

const STATUS_COLOR: Record<Status, 'green' | 'yellow' | 'red'> = { green: 'green', yellow: 'yellow', red: 'red' };

function paintStatus(c: ChalkInstance, status: Status, text: string): string {
  return c[STATUS_COLOR[status]](text);
}

function phaseTable(c: ChalkInstance, scenario: ScenarioResult): string {
  const head = ['phase', 'op', 'count', 'errors', 'throughput', ...STAT_COLUMNS.map((s) => s.label)];
  const aligns: Align[] = ['left', 'left', ...head.slice(2).map((): Align => 'right')];
  const table = makeTable(c, head, aligns);
  for (const phase of scenario.phases) {
    const errors = errorsCell(phase);
    table.push([
      phaseLabel(phase),
      phase.op,
      formatCount(phase.count),
      phase.errors > 0 ? c.red(errors) : errors,
      formatValue('per_s', phase.throughput),
      ...latencyCells(phase),
    ]);
    for (const { label, summary } of secondaryDistributions(phase)) {
      table.push([c.dim(`  ↳ ${label}`), '', c.dim(formatCount(summary.count)), '', '', ...summaryCells(summary).map((v) => c.dim(v))]);
    }
  }
  return table.toString();
}

function memoryTable(c: ChalkInstance, scenario: ScenarioResult): string {
  const table = makeTable(c, ['memory', 'heap used', 'rss', 'heap vs baseline'], ['left', 'right', 'right', 'right']);
  for (const snap of scenario.memory) {
    const delta = heapDeltaFromBaseline(scenario, snap.heapUsed);
    table.push([snap.label, formatBytes(snap.heapUsed), formatBytes(snap.rss), delta === undefined ? '-' : formatBytesDelta(delta)]);
  }
  return table.toString();
}

function targetTable(c: ChalkInstance, scenario: ScenarioResult): string {
  const table = makeTable(
    c,
    ['metric', 'expression', 'measured', 'current', 'target', 'status'],
    ['left', 'left', 'right', 'right', 'right', 'left'],
  );
  for (const t of scenario.targets) {
    table.push([
      t.metric,
      t.source,
      paintStatus(c, t.status, formatMeasured(t)),
      formatThreshold(t.comparator, t.unit, t.current),
      formatThreshold(t.comparator, t.unit, t.target),
      paintStatus(c, t.status, statusText(t.status)),
    ]);
  }
  return table.toString();
}

function renderScenario(c: ChalkInstance, scenario: ScenarioResult): string[] {
  const lines: string[] = [];
  const title = c.bold(scenario.name);
  lines.push(scenario.description === '' ? title : `${title} — ${scenario.description}`);
  lines.push(c.dim(`source ${scenario.source} · started ${scenario.startedAt} · took ${formatMs(scenario.durationMs)}`));
  lines.push(llmLine(scenario.providers.llm));
  const plugins = pluginLine(scenario.providers);
  if (plugins !== undefined) lines.push(plugins);
  for (const line of executionLines(scenario)) lines.push(c.dim(line));
  const names = providersLine(scenario.providers);
  if (names !== undefined) lines.push(c.dim(names));
  if (scenario.failure !== undefined) lines.push(c.red.bold(`✖ failed: ${scenario.failure}`));

  if (scenario.phases.length > 0) {
    lines.push(phaseTable(c, scenario));
    const footnote = batchFootnote(scenario.phases);
    if (footnote !== undefined) lines.push(c.dim(footnote));
    for (const phase of scenario.phases) {
      for (const note of phaseNotes(phase)) lines.push(c.yellow(note));
    }
  }
  if (scenario.capacity !== undefined) lines.push(renderCapacityText(scenario.capacity, { color: c.level > 0 }));
  if (scenario.memory.length > 0) lines.push(memoryTable(c, scenario));
  if (scenario.targets.length > 0) {
    lines.push(targetTable(c, scenario));
    lines.push(`targets: ${formatCounts(countStatuses(scenario.targets))}`);
  }
  return lines;
}

/** Environment rows the terminal output has elsewhere: the first line (tool, seed) and each scenario's LLM line. */
const SHOWN_ELSEWHERE: ReadonlySet<string> = new Set(['tool', 'seed', 'LLM']);

function renderTable(result: RunResult, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  out.push(c.bold(`${result.tool.name} ${result.tool.version}`) + c.dim(` · seed ${result.seed} · ${result.startedAt}`));
  const known = ENVIRONMENT_ROWS.filter((row) => !SHOWN_ELSEWHERE.has(row.label)).flatMap((row) => {
    const value = row.value(result);
    return value === undefined ? [] : [`${row.label} ${value}`];
  });
  out.push(c.dim(known.join(' · ')));
  if (result.checkpoint) out.push(c.yellow.bold('checkpoint: saved during the run, which was still going (or stopped without writing its final result)'));
  else if (result.interrupted) out.push(c.yellow.bold('run interrupted: partial result, later scenarios or phases are missing'));
  for (const line of shardLines(result)) out.push(c.yellow(line));

  for (const scenario of result.scenarios) {
    out.push('');
    out.push(...renderScenario(c, scenario));
  }

  const floor = floorNote(result);
  if (floor !== undefined) out.push('', c.dim(floor));
  out.push('');
  const line = gateLine(result.gate, result.scenarios);
  out.push(!result.gate.enabled ? c.dim(line) : result.gate.passed ? c.green.bold(line) : c.red.bold(line));
  return out.join('\n') + '\n';
}

export const tableRenderer: Renderer = {
  render: renderTable,
  renderAll: (results, opts) => results.map((r) => renderTable(r, opts)).join('\n'),
};
