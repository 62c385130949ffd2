/**
 * A capacity search for people: the steps, the capacity and its interval, the binding SLO, the
 * shape of the knee, and the curve of latency and throughput against offered rate. What it says
 * is derived once, in `capacityModel` (part of the report model the markdown and HTML reports
 * share), and only given form here (terminal text, markdown with a mermaid chart) and in html.ts
 * (uPlot charts), so no figure can read differently in two formats. Pure renderers.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { CapacityResult, CapacityStep, LatencySummary, StepVerdict } from '../results/types.js';
import { formatNs, formatPercent, formatRate } from '../util/units.js';
import { formatValue } from './format.js';
import type { Align, TextTable } from './model.js';

export const STEP_VERDICT_MARK: Record<StepVerdict, string> = { pass: '🟢 pass', fail: '🔴 fail', invalid: '⚪ invalid' };

function goodputCell(s: CapacityStep): string {
  return s.goodput ? formatPercent(s.goodput.fraction) : '-';
}

function errorCell(s: CapacityStep): string {
  if (s.count === 0) return '-';
  const text = formatPercent(s.errorRate);
  return text === '0%' && s.errorRate > 0 ? '<0.01%' : text;
}

function latencyCell(s: CapacityStep, key: 'p50' | 'p99'): string {
  return s.latency.count > 0 ? formatNs(s.latency[key]) : '-';
}

/** The cells of one step, in the order of STEP_HEAD. */
function stepCells(s: CapacityStep): string[] {
  return [
    String(s.index),
    s.stage,
    formatRate(s.rate),
    formatRate(s.achieved),
    latencyCell(s, 'p50'),
    latencyCell(s, 'p99'),
    errorCell(s),
    goodputCell(s),
    STEP_VERDICT_MARK[s.verdict],
    s.reasons.join('; '),
  ];
}

const STEP_HEAD = ['step', 'stage', 'offered', 'achieved', 'p50', 'p99', 'errors', 'goodput', 'verdict', 'why'];
const STEP_ALIGN: Align[] = ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'];
/** Where the verdict stands in a step's row: the formats colour it. */
export const STEP_VERDICT_COLUMN = STEP_HEAD.indexOf('verdict');

/** The latency statistics of a step's summary, by the names SLOs give them, in the summary's order. */
export type LatencyStat = keyof Pick<LatencySummary, 'min' | 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max'>;
const LATENCY_STATS: readonly LatencyStat[] = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'];

export type CapacitySlo = CapacityResult['slos'][number];

/** One offered rate of the curve: the worst of the valid steps at that rate. */
export interface CapacityPoint {
  rate: number;
  /** ns, the statistics of `CapacityModel.latencyStats`; absent when no step at the rate had a successful operation. */
  latency?: Partial<Record<LatencyStat, number>>;
  /** Finished operations per second. */
  achieved: number;
  /** Good requests per second, when the phase defines goodput. */
  goodputRate?: number;
}

/** One finding under the steps: "capacity: 109/s (...)", "knee: smooth — ...". */
export interface CapacityFinding {
  label: string;
  text: string;
}

/** What every format says of a capacity search. */
export interface CapacityModel {
  phase: string;
  verdict: CapacityResult['verdict'];
  /** How each step ran and what it was held to. */
  settings: string;
  /** The result's one line for people. */
  summary: string;
  findings: CapacityFinding[];
  /** Every step, in the order they ran (invalid ones too, with why). */
  steps: TextTable;
  /** The verdict of each row of `steps`. */
  stepVerdicts: StepVerdict[];
  /** Latency and throughput against offered rate, ascending; valid steps only. */
  curve: CapacityPoint[];
  /** The latency statistics on the curve: p50, p99 and those of the latency SLOs. */
  latencyStats: LatencyStat[];
  /** The SLOs with a latency ceiling, which the latency curve is held against. */
  latencySlos: CapacitySlo[];
  howToRead: string;
}

/** A measured SLO value in its unit (the unit is the SLO's, from the result's list). */
function valueText(c: CapacityResult, source: string, value: number | null): string {
  if (value === null) return 'n/a';
  const unit = c.slos.find((s) => s.source === source)?.unit ?? 'ns';
  return formatValue(unit, value);
}

/** Under the table: the capacity, the binding constraint, the knee, notes, and why the generator was the limit. */
function capacityFindings(c: CapacityResult): CapacityFinding[] {
  const out: CapacityFinding[] = [];
  if (c.verdict === 'found' && c.capacity !== undefined && c.interval) {
    out.push({
      label: 'capacity',
      text: `${formatRate(c.capacity)} (the knee lies between ${formatRate(c.interval.lower)}, which passed every time, and ${formatRate(c.interval.upper)}, which failed every time)`,
    });
  } else {
    out.push({ label: 'no capacity', text: c.summary });
  }
  if (c.binding) {
    // The search's own reading of the binding SLO, taken from a valid step: an invalid step at the
    // same rate measured the load generator, not the system.
    const measured = c.binding.measured !== null ? ` (measured ${valueText(c, c.binding.source, c.binding.measured)})` : '';
    out.push({ label: 'binding constraint', text: `${c.binding.source} broke first, at ${formatRate(c.binding.rate)}${measured}` });
    const later = (c.broken ?? []).filter((b) => b.source !== c.binding?.source);
    if (later.length > 0) out.push({ label: 'also broke', text: later.map((b) => `${b.source} at ${formatRate(b.rate)}`).join(', ') });
  }
  if (c.knee) {
    const k = c.knee;
    const i = c.interval;
    const change = k.ratio !== null ? ` (x${k.ratio.toFixed(1)})` : '';
    const source = c.binding?.source ?? '';
    const span = i ? ` from ${valueText(c, source, k.below)} at ${formatRate(i.lower)} to ${valueText(c, source, k.above)} at ${formatRate(i.upper)}${change}` : '';
    out.push({
      label: 'knee',
      text:
        k.shape === 'cliff'
          ? `cliff — ${k.stat} changed abruptly${span}: past the knee it breaks at once, so keep the load well below the capacity`
          : `smooth — ${k.stat} moved gradually${span}: the capacity moves with the SLO you choose`,
    });
  }
  for (const n of c.notes ?? []) out.push({ label: 'note', text: n });
  if (c.verdict === 'generator-bound') {
    const bad = c.steps.filter((s) => s.verdict === 'invalid').at(-1);
    if (bad) out.push({ label: 'why', text: bad.reasons.join('; ') });
  }
  return out;
}

function settingsLine(c: CapacityResult): string {
  const s = c.settings;
  return (
    `capacity search on phase ${c.phase} (${c.op}); each step ${formatNs(s.warmupMs * 1e6)} warm-up + ${formatNs(s.stepDurationMs * 1e6)} measured at one offered rate ` +
    `(open model, latency from the scheduled start); SLOs: ${c.slos.map((s) => s.source).join('; ')}`
  );
}

/**
 * One point per offered rate: the worst of the valid steps at it (the highest latency, the lowest
 * achieved and good rate). The rates measured more than once are the ends of the bracket, where
 * the worst reading is the honest one. Invalid steps measured the load generator, not the system:
 * they stay in the steps table, off the curve.
 */
function capacityCurve(c: CapacityResult, stats: readonly LatencyStat[]): CapacityPoint[] {
  const valid = c.steps.filter((s) => s.verdict !== 'invalid');
  const rates = [...new Set(valid.map((s) => s.rate))].sort((a, b) => a - b);
  return rates.map((rate) => {
    const at = valid.filter((s) => s.rate === rate);
    const point: CapacityPoint = { rate, achieved: Math.min(...at.map((s) => s.achieved)) };
    const measured = at.filter((s) => s.latency.count > 0);
    if (measured.length > 0) point.latency = Object.fromEntries(stats.map((k) => [k, Math.max(...measured.map((s) => s.latency[k]))]));
    const good = at.flatMap((s) => (s.goodput ? [s.goodput.rate] : []));
    if (good.length > 0) point.goodputRate = Math.min(...good);
    return point;
  });
}

const HOW_TO_READ =
  "How to read it: each step offers one rate whatever the system does (open model) and counts latency from each request's scheduled start, so queueing shows. " +
  'The capacity is the highest rate that meets every SLO; a step the load generator could not drive is invalid, never a knee.';

export function capacityModel(c: CapacityResult): CapacityModel {
  const latencySlos = c.slos.filter((s) => s.unit === 'ns' && (LATENCY_STATS as readonly string[]).includes(s.stat) && (s.comparator === '<' || s.comparator === '<='));
  const latencyStats = LATENCY_STATS.filter((k) => k === 'p50' || k === 'p99' || latencySlos.some((s) => s.stat === k));
  return {
    phase: c.phase,
    verdict: c.verdict,
    settings: settingsLine(c),
    summary: c.summary,
    findings: capacityFindings(c),
    steps: { head: [...STEP_HEAD], rows: c.steps.map(stepCells), align: [...STEP_ALIGN] },
    stepVerdicts: c.steps.map((s) => s.verdict),
    curve: capacityCurve(c, latencyStats),
    latencyStats,
    latencySlos,
    howToRead: HOW_TO_READ,
  };
}

function findingLine(f: CapacityFinding): string {
  return `${f.label}: ${f.text}`;
}

/** Terminal text: the steps table and the findings. */
export function renderCapacityText(c: CapacityResult, opts: { color: boolean }): string {
  const m = capacityModel(c);
  const ch: ChalkInstance = new Chalk({ level: opts.color ? 1 : 0 });
  const table = new Table({
    head: m.steps.head.map((h) => ch.bold(h)),
    colAligns: m.steps.align.map((a) => (a === 'r' ? 'right' : 'left')),
    style: { head: [], border: [], compact: true },
  });
  m.steps.rows.forEach((row, i) => {
    const cells = [...row];
    const verdict = m.stepVerdicts[i];
    const paint = verdict === 'pass' ? ch.green : verdict === 'fail' ? ch.red : ch.yellow;
    cells[STEP_VERDICT_COLUMN] = paint(cells[STEP_VERDICT_COLUMN] ?? '');
    table.push(cells);
  });
  const lines = [ch.dim(m.settings), table.toString()];
  lines.push(...m.findings.map((f, i) => (i === 0 ? ch.bold(findingLine(f)) : findingLine(f))));
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A round axis top above the largest value: 1, 2, 2.5 or 5 times a power of ten. */
function niceTop(max: number): number {
  if (!(max > 0)) return 1;
  const target = max * 1.1;
  const pow = Math.pow(10, Math.floor(Math.log10(target)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= target) return Number((m * pow).toPrecision(3));
  return Number((10 * pow).toPrecision(3));
}

function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '0';
}

/**
 * Latency against offered rate as a mermaid chart: p50 and p99 of the curve, and the lowest
 * latency SLO as a flat line. Mermaid has no log axis and overloaded steps reach seconds: the
 * axis stops at 4x the threshold so the knee stays readable (the HTML report draws a log axis).
 */
function capacityChart(m: CapacityModel): string[] {
  const points = m.curve.filter((p) => p.latency !== undefined);
  if (points.length < 2) return [];
  const rates = points.map((p) => p.rate);
  const p99 = points.map((p) => (p.latency?.p99 ?? 0) / 1e6);
  const p50 = points.map((p) => (p.latency?.p50 ?? 0) / 1e6);
  const threshold = m.latencySlos.length > 0 ? Math.min(...m.latencySlos.map((s) => s.current / 1e6)) : undefined;
  const cap = threshold !== undefined ? threshold * 4 : Number.POSITIVE_INFINITY;
  const clip = (v: number): number => Math.min(v, cap);
  const top = niceTop(Math.min(Math.max(...p99), cap));
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title "${m.phase}: latency (ms) against offered rate (/s)"`,
    `    x-axis "offered rate (/s)" [${rates.map(num).join(', ')}]`,
    `    y-axis "ms" 0 --> ${num(top)}`,
    `    line [${p99.map(clip).map(num).join(', ')}]`,
    `    line [${p50.map(clip).map(num).join(', ')}]`,
  ];
  if (threshold !== undefined) lines.push(`    line [${rates.map(() => num(threshold)).join(', ')}]`);
  lines.push('```');
  const clipped = p99.some((v) => v > cap);
  return [
    ...lines,
    '',
    `Lines, top to bottom at the right: p99, p50${threshold !== undefined ? ', and the latency SLO (flat)' : ''}; the worst measurement at each rate${clipped ? `; values above ${num(cap)} ms are drawn at ${num(cap)} ms` : ''}.`,
  ];
}

/** The markdown section of a capacity search. */
export function renderCapacityMarkdown(m: CapacityModel): string[] {
  const out: string[] = ['### Capacity', ''];
  out.push(cell(m.settings), '');
  out.push(`**${cell(m.summary)}**`, '');
  for (const f of m.findings) out.push(`- ${cell(findingLine(f))}`);
  out.push('');
  out.push(`| ${m.steps.head.join(' | ')} |`);
  out.push(`| ${m.steps.align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`);
  for (const row of m.steps.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
  out.push('');
  const chart = capacityChart(m);
  if (chart.length > 0) out.push(...chart, '');
  out.push(m.howToRead, '');
  return out;
}
