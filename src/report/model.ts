/**
 * What a report says, before it is said in a format: the header (dates, commands, notices,
 * environment, floor notes, summary and gate), each scenario's tables and notes, the
 * seed's target-metrics matrix and the lines that reproduce the runs. The markdown and the
 * HTML renderers both draw from this one model, so a figure, a verdict or a matrix row can
 * never read differently in the two: they differ only in markup.
 *
 * Cells are plain text, except where a format has markup for it: target sources and
 * commands are `code`, scenario names in the summary link to their section.
 */
import type { IntervalSample, PhaseResult, RunResult, ScenarioResult, Status } from '../results/types.js';
import { SEED_MATRIX, measuresRow, seedCoverage } from '../targets/seed-matrix.js';
import { formatBytes, formatBytesDelta, formatCount, formatMs, formatNs } from '../util/units.js';
import {
  STATUS_EMOJI,
  STATUS_MEANING,
  STATUS_WORD,
  STAT_COLUMNS,
  batchFootnote,
  countStatuses,
  errorsCell,
  formatCounts,
  formatMeasured,
  formatThreshold,
  formatValue,
  gateLine,
  heapDeltaFromBaseline,
  latencyCells,
  ENVIRONMENT_ROWS,
  llmLine,
  executionLines,
  shardLines,
  phaseNotes,
  phaseLabel,
  pluginLine,
  providersLine,
  secondaryDistributions,
  summaryCells,
} from './format.js';
import { capacityModel, type CapacityModel } from './capacity.js';
import { floorNote } from './floor.js';
import { describeExecutor } from '../results/describe.js';

export type Align = 'l' | 'r';

/** A table of plain-text cells. */
export interface TextTable {
  head: string[];
  rows: string[][];
  align: Align[];
}

/** "2026-11-25T10:00:00.000Z" -> "2026-11-25 10:00:00 UTC", without the reader's time zone. */
export function formatDate(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. Used as HTML ids too. */
export function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** A scenario of one of the results, and the heading it gets. */
export interface Section {
  /** 1-based index of the result it belongs to. */
  run: number;
  result: RunResult;
  scenario: ScenarioResult;
  heading: string;
  anchor: string;
}

export function sections(results: readonly RunResult[]): Section[] {
  const multi = results.length > 1;
  let n = 0;
  return results.flatMap((result, r) =>
    result.scenarios.map((scenario) => {
      n += 1;
      const heading = `${n}. ${scenario.name}${multi ? ` (run ${r + 1})` : ''}`;
      return { run: r + 1, result, scenario, heading, anchor: anchor(heading) };
    }),
  );
}


export function environmentTable(results: readonly RunResult[]): TextTable {
  const head = results.length === 1 ? ['', 'value'] : ['', ...results.map((_, i) => `run ${i + 1}`)];
  const rows = ENVIRONMENT_ROWS.map((row) => [row.label, ...results.map((r) => row.value(r) ?? row.unknown ?? '-')]);
  return { head, rows, align: head.map((): Align => 'l') };
}

function warmupWords(phase: PhaseResult): string {
  return phase.warmup > 0 ? `; after ${formatCount(phase.warmup)} warm-up operation${phase.warmup === 1 ? '' : 's'}, not recorded` : '';
}

/** One line of "what it did": the phase (code), its op, and the words. */
export interface PhaseWords {
  phase: string;
  op: string;
  text: string;
}

export interface TargetRow {
  metric: string;
  measured: string;
  current: string;
  target: string;
  status: Status;
  /** The expression as written in the scenario. */
  source: string;
}

export interface ScenarioModel extends Section {
  description: string;
  source: string;
  started: string;
  took: string;
  /** Number of trials when more than one. */
  trials?: number;
  llmLine: string;
  /** Which providers are plugins, by their own names; undefined when none is. */
  pluginLine?: string;
  /** The providers by their own names (llm, memory, agent). */
  providersLine?: string;
  /** How the scenario ran: worker threads, or why it stayed on the main thread. */
  executionLines: string[];
  failure?: string;
  whatItDid: PhaseWords[];
  /** Phases with their secondary distributions as "↳ label" sub-rows; undefined without phases. */
  latency?: TextTable;
  batchFootnote?: string;
  notes: string[];
  trialsTable?: { intro: string; table: TextTable };
  memory?: TextTable;
  targets: TargetRow[];
  /** "2 green, 1 yellow, 0 red". */
  targetCounts: string;
  /** `cluster-bench capacity`: the search, its steps and curve. */
  capacity?: CapacityModel;
}

/** A row of the latency table: a phase, or one of its secondary distributions under it. */
export interface LatencyRow {
  cells: string[];
  /** A secondary distribution (service time, time to first token, agent steps...): labelled "↳ ...". */
  sub: boolean;
  /** Failed operations of the phase (0 on sub-rows): the terminal paints the cell red. */
  errors: number;
}

export const LATENCY_HEAD: readonly string[] = ['phase', 'op', 'count', 'errors', 'throughput', ...STAT_COLUMNS.map((s) => s.label)];

/** The latency table's rows, phase by phase with its sub-rows; every renderer's one source of them. */
export function latencyRows(phases: readonly PhaseResult[]): LatencyRow[] {
  return phases.flatMap((p) => [
    { cells: [phaseLabel(p), p.op, formatCount(p.count), errorsCell(p), formatValue('per_s', p.throughput), ...latencyCells(p)], sub: false, errors: p.errors },
    ...secondaryDistributions(p).map(({ label, summary }) => ({ cells: [`↳ ${label}`, '', formatCount(summary.count), '', '', ...summaryCells(summary)], sub: true, errors: 0 })),
  ]);
}

function latencyTable(phases: readonly PhaseResult[]): TextTable {
  const head = [...LATENCY_HEAD];
  const align = head.map((_, i): Align => (i < 2 ? 'l' : 'r'));
  return { head, rows: latencyRows(phases).map((r) => r.cells), align };
}

function trialsTable(scenario: ScenarioResult): ScenarioModel['trialsTable'] {
  const trials = scenario.trials;
  if (trials === undefined || trials.length < 2) return undefined;
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
  return {
    intro: `${trials.length} trials; the figures above pool every trial (latency from the merged histograms, throughput = all operations / all phase time). Each trial on its own:`,
    table: {
      head: ['trial', 'phase', 'count', 'errors', 'throughput', 'p50', 'p90', 'p99'],
      rows,
      align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    },
  };
}

function memoryTable(scenario: ScenarioResult): TextTable | undefined {
  if (scenario.memory.length === 0) return undefined;
  const rows = scenario.memory.map((m) => {
    const delta = heapDeltaFromBaseline(scenario, m.heapUsed);
    return [m.label, formatBytes(m.heapUsed), formatBytes(m.rss), delta === undefined ? '-' : formatBytesDelta(delta)];
  });
  return { head: ['snapshot', 'heap used', 'rss', 'heap vs baseline'], rows, align: ['l', 'r', 'r', 'r'] };
}

export function scenarioModel(section: Section): ScenarioModel {
  const { scenario } = section;
  const model: ScenarioModel = {
    ...section,
    description: scenario.description,
    source: scenario.source,
    started: formatDate(scenario.startedAt),
    took: formatMs(scenario.durationMs),
    llmLine: llmLine(scenario.providers.llm),
    executionLines: executionLines(scenario),
    whatItDid: scenario.phases.map((p) => ({ phase: p.name, op: p.op, text: `${p.description !== '' ? p.description : describeExecutor(p.executor)}${warmupWords(p)}` })),
    notes: scenario.phases.flatMap(phaseNotes),
    targets: scenario.targets.map((t) => ({
      metric: t.metric,
      measured: formatMeasured(t),
      current: formatThreshold(t.comparator, t.unit, t.current),
      target: formatThreshold(t.comparator, t.unit, t.target),
      status: t.status,
      source: t.source,
    })),
    targetCounts: formatCounts(countStatuses(scenario.targets)),
  };
  if (scenario.trials !== undefined && scenario.trials.length > 1) model.trials = scenario.trials.length;
  if (scenario.failure !== undefined) model.failure = scenario.failure;
  if (scenario.phases.length > 0) model.latency = latencyTable(scenario.phases);
  const footnote = batchFootnote(scenario.phases);
  if (footnote !== undefined) model.batchFootnote = footnote;
  const trials = trialsTable(scenario);
  if (trials !== undefined) model.trialsTable = trials;
  const memory = memoryTable(scenario);
  if (memory !== undefined) model.memory = memory;
  const plugins = pluginLine(scenario.providers);
  if (plugins !== undefined) model.pluginLine = plugins;
  const names = providersLine(scenario.providers);
  if (names !== undefined) model.providersLine = names;
  if (scenario.capacity !== undefined) model.capacity = capacityModel(scenario.capacity);
  return model;
}

/** One row of the seed matrix: a seed metric and one target of the report that measures it (or none). */
export interface MatrixRow {
  metric: string;
  seedCurrent: string;
  seedTarget: string;
  /** Undefined: no target of the report measures this row ("not covered"). */
  measuredBy?: { scenario: string; source: string };
  measured: string;
  status?: Status;
}

export interface MatrixModel {
  rows: MatrixRow[];
  /** Targets that measure no seed row, "metric (scenario)". */
  outside: string[];
  levels: Array<{ status: Status; emoji: string; word: string; meaning: string }>;
}

function matrixModel(all: readonly Section[], multi: boolean): MatrixModel {
  const named = all.map((s) => ({ ...s.scenario, name: multi ? `${s.scenario.name} (run ${s.run})` : s.scenario.name }));
  const rows = seedCoverage(named).flatMap(({ row, targets }): MatrixRow[] => {
    if (targets.length === 0) return [{ metric: row.metric, seedCurrent: row.current, seedTarget: row.target, measured: '-' }];
    return targets.map(({ scenario, target }) => ({
      metric: row.metric,
      seedCurrent: row.current,
      seedTarget: row.target,
      measuredBy: { scenario, source: target.source },
      measured: formatMeasured(target),
      status: target.status,
    }));
  });
  const own = named.flatMap((s) =>
    s.targets.filter((t) => !SEED_MATRIX.some((r) => measuresRow(t.metric, r.metric))).map((t) => `${t.metric} (${s.name})`),
  );
  const levels = (['green', 'yellow', 'red'] as const).map((status) => ({
    status,
    emoji: STATUS_EMOJI[status],
    word: STATUS_WORD[status],
    meaning: STATUS_MEANING[status],
  }));
  return { rows, outside: [...new Set(own)], levels };
}

export interface SummaryRow {
  /** Set when the report holds several results. */
  run?: number;
  scenario: string;
  anchor: string;
  phases: string;
  duration: string;
  /** "2 green, 1 yellow, 0 red", "no targets", or "🔴 failed; ...". */
  verdict: string;
  failed: boolean;
}

export interface GateModel {
  run?: number;
  /** "gate: failed (4 green, 4 yellow, 3 red; 1 scenario failed)". */
  line: string;
  passed: boolean;
  enabled: boolean;
}

export interface NoticeModel {
  kind: 'Checkpoint' | 'Interrupted';
  run?: number;
  text: string;
}

export interface ReportModel {
  title: string;
  multi: boolean;
  /** One result: its dates. Several: the span from the first start to the last end. */
  date: string;
  runs: Array<{ run: number; command: string; started: string }>;
  notices: NoticeModel[];
  /** A shard's or a merged result's place in a run spread over machines. */
  shardNotes: Array<{ run?: number; text: string }>;
  environment: TextTable;
  floorNotes: Array<{ run?: number; text: string }>;
  summary: SummaryRow[];
  gates: GateModel[];
  scenarios: ScenarioModel[];
  matrix: MatrixModel;
  reproduce: Array<{ run?: number; command: string }>;
}

/** The model of a report of one or more results (at least one). */
export function reportModel(results: readonly RunResult[]): ReportModel {
  const multi = results.length > 1;
  const first = results[0]!;
  const runOf = (i: number): { run?: number } => (multi ? { run: i + 1 } : {});
  let date: string;
  if (!multi) {
    date = `${formatDate(first.startedAt)} (finished ${formatDate(first.finishedAt)})`;
  } else {
    const starts = results.map((r) => r.startedAt).sort();
    const ends = results.map((r) => r.finishedAt).sort();
    date = `${formatDate(starts[0]!)} to ${formatDate(ends[ends.length - 1]!)}`;
  }
  const notices = results.flatMap((r, i): NoticeModel[] => {
    if (r.checkpoint) return [{ kind: 'Checkpoint', ...runOf(i), text: 'saved during the run, which was still going (or stopped without writing its final result).' }];
    if (r.interrupted) return [{ kind: 'Interrupted', ...runOf(i), text: 'this is a partial result; later scenarios or phases are missing.' }];
    return [];
  });
  const shardNotes = results.flatMap((r, i) => shardLines(r).map((text) => ({ ...runOf(i), text })));
  const floorNotes = results.flatMap((r, i) => {
    const text = floorNote(r);
    return text === undefined ? [] : [{ ...runOf(i), text }];
  });
  const all = sections(results);
  const summary = all.map((s): SummaryRow => {
    const counted = s.scenario.targets.length === 0 ? 'no targets' : formatCounts(countStatuses(s.scenario.targets));
    const failed = s.scenario.failure !== undefined;
    return {
      ...(multi ? { run: s.run } : {}),
      scenario: s.scenario.name,
      anchor: s.anchor,
      phases: formatCount(s.scenario.phases.length),
      duration: formatMs(s.scenario.durationMs),
      verdict: failed ? `🔴 failed; ${counted}` : counted,
      failed,
    };
  });
  const gates = results.map((r, i): GateModel => ({ ...runOf(i), line: gateLine(r.gate, r.scenarios), passed: r.gate.passed, enabled: r.gate.enabled }));
  return {
    title: `${first.tool.name} performance report`,
    multi,
    date,
    runs: results.map((r, i) => ({ run: i + 1, command: r.command, started: formatDate(r.startedAt) })),
    notices,
    shardNotes,
    environment: environmentTable(results),
    floorNotes,
    summary,
    gates,
    scenarios: all.map(scenarioModel),
    matrix: matrixModel(all, multi),
    reproduce: results.map((r, i) => ({ ...runOf(i), command: r.reproduce ?? r.command })),
  };
}

/** One point of a phase's time series: an interval, or neighbouring ones merged, ending `tS` seconds into the phase. */
export type SeriesPoint = Omit<IntervalSample, 'tMs' | 'durationMs'> & { tS: number };

/**
 * A time series for a chart: neighbouring intervals merged into at most `max` points (the
 * markdown's mermaid charts and the HTML's uPlot charts take different numbers). Throughput is
 * their operations over their time, latencies and event-loop delay the worst of them
 * (percentiles cannot be averaged; the worst is an honest bound), heap and RSS the last reading.
 */
export function bucketIntervals(intervals: readonly IntervalSample[], max: number): { points: SeriesPoint[]; span: number } {
  const span = Math.max(1, Math.ceil(intervals.length / max));
  const points: SeriesPoint[] = [];
  for (let i = 0; i < intervals.length; i += span) {
    const slice = intervals.slice(i, i + span);
    const last = slice[slice.length - 1]!;
    const prevT = i > 0 ? intervals[i - 1]!.tMs : 0;
    const seconds = (last.tMs - prevT) / 1000;
    const count = slice.reduce((a, s) => a + s.count, 0);
    const worst = (get: (s: IntervalSample) => number | undefined): number | undefined => {
      const vs = slice.map(get).filter((v): v is number => v !== undefined);
      return vs.length > 0 ? Math.max(...vs) : undefined;
    };
    const point: SeriesPoint = {
      tS: last.tMs / 1000,
      count,
      errors: slice.reduce((a, s) => a + s.errors, 0),
      throughput: span === 1 || seconds <= 0 ? last.throughput : count / seconds,
      p50: worst((s) => s.p50) ?? 0,
      p99: worst((s) => s.p99) ?? 0,
    };
    if (last.heapUsed !== undefined) point.heapUsed = last.heapUsed;
    if (last.rss !== undefined) point.rss = last.rss;
    const loop = worst((s) => s.eventLoopP99);
    if (loop !== undefined) point.eventLoopP99 = loop;
    points.push(point);
  }
  return { points, span };
}
