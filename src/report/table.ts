/**
 * Terminal output: per scenario its latency table, memory snapshots and target matrix,
 * then the gate line. cli-table3 is given empty head/border styles so that every colour
 * comes from our own Chalk instance and `color: false` yields plain text.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { RunResult, Status } from '../results/types.js';
import { ENVIRONMENT_ROWS, gateLine, shardLines, statusText } from './format.js';
import { floorNote } from './floor.js';
import { renderCapacityText } from './capacity.js';
import { LATENCY_HEAD, latencyRows, scenarioModel, sections, type ScenarioModel, type TargetRow, type TextTable } from './model.js';
import type { RenderOptions, Renderer } from './types.js';

// What the terminal shows of a scenario comes from the same model as the markdown and HTML
// reports (model.ts); this file only lays it out and colours it.

type Align = 'left' | 'right' | 'center';

function makeTable(c: ChalkInstance, head: readonly string[], colAligns: Align[]): Table.Table {
  return new Table({
    head: head.map((h) => c.bold(h)),
    colAligns,
    // Compact: a separator under every row doubles the height for no information.
    style: { head: [], border: [], compact: true },
  });
}

const ALIGN: Record<TextTable['align'][number], Align> = { l: 'left', r: 'right' };

const STATUS_COLOR: Record<Status, 'green' | 'yellow' | 'red'> = { green: 'green', yellow: 'yellow', red: 'red' };

function paintStatus(c: ChalkInstance, status: Status, text: string): string {
  return c[STATUS_COLOR[status]](text);
}

function phaseTable(c: ChalkInstance, m: ScenarioModel): string {
  const table = makeTable(c, LATENCY_HEAD, LATENCY_HEAD.map((_, i): Align => (i < 2 ? 'left' : 'right')));
  for (const row of latencyRows(m.scenario.phases)) {
    if (row.sub) {
      // Sub-rows are indented and dim under their phase.
      const [label = '', ...rest] = row.cells;
      table.push([c.dim(`  ${label}`), ...rest.map((v) => (v === '' ? v : c.dim(v)))]);
    } else {
      table.push(row.cells.map((v, i) => (i === 3 && row.errors > 0 ? c.red(v) : v)));
    }
  }
  return table.toString();
}

function memoryTable(c: ChalkInstance, memory: TextTable): string {
  // No heading above it in the terminal: the first column names the table.
  const table = makeTable(c, ['memory', ...memory.head.slice(1)], memory.align.map((a) => ALIGN[a]));
  for (const row of memory.rows) table.push(row);
  return table.toString();
}

function targetTable(c: ChalkInstance, targets: readonly TargetRow[]): string {
  const table = makeTable(
    c,
    ['metric', 'expression', 'measured', 'current', 'target', 'status'],
    ['left', 'left', 'right', 'right', 'right', 'left'],
  );
  for (const t of targets) {
    table.push([t.metric, t.source, paintStatus(c, t.status, t.measured), t.current, t.target, paintStatus(c, t.status, statusText(t.status))]);
  }
  return table.toString();
}

function renderScenario(c: ChalkInstance, m: ScenarioModel): string[] {
  const { scenario } = m;
  const lines: string[] = [];
  const title = c.bold(scenario.name);
  lines.push(m.description === '' ? title : `${title} — ${m.description}`);
  // The terminal keeps the start time as recorded (ISO); the reports print it as a date.
  lines.push(c.dim(`source ${m.source} · started ${scenario.startedAt} · took ${m.took}`));
  lines.push(m.llmLine);
  if (m.pluginLine !== undefined) lines.push(m.pluginLine);
  for (const line of m.executionLines) lines.push(c.dim(line));
  if (m.providersLine !== undefined) lines.push(c.dim(m.providersLine));
  if (m.failure !== undefined) lines.push(c.red.bold(`✖ failed: ${m.failure}`));

  if (scenario.phases.length > 0) {
    lines.push(phaseTable(c, m));
    if (m.batchFootnote !== undefined) lines.push(c.dim(m.batchFootnote));
    for (const note of m.notes) lines.push(c.yellow(note));
  }
  if (scenario.capacity !== undefined) lines.push(renderCapacityText(scenario.capacity, { color: c.level > 0 }));
  if (m.memory !== undefined) lines.push(memoryTable(c, m.memory));
  if (m.targets.length > 0) {
    lines.push(targetTable(c, m.targets));
    lines.push(`targets: ${m.targetCounts}`);
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

  for (const section of sections([result])) {
    out.push('');
    out.push(...renderScenario(c, scenarioModel(section)));
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
