/**
 * A capacity search as text: the steps, the capacity and its interval, the binding SLO, the
 * shape of the knee, and (markdown) a chart of latency against offered rate. Pure renderers.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { CapacityResult, CapacityStep } from '../results/types.js';
import { formatNs, formatPercent, formatRate } from '../util/units.js';
import { formatValue } from './format.js';

const VERDICT_MARK: Record<CapacityStep['verdict'], string> = { pass: '🟢 pass', fail: '🔴 fail', invalid: '⚪ invalid' };

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
    VERDICT_MARK[s.verdict],
    s.reasons.join('; '),
  ];
}

const STEP_HEAD = ['step', 'stage', 'offered', 'achieved', 'p50', 'p99', 'errors', 'goodput', 'verdict', 'why'];

/** A measured SLO value in its unit (the unit is the SLO's, from the result's list). */
function valueText(c: CapacityResult, source: string, value: number | null): string {
  if (value === null) return 'n/a';
  const unit = c.slos.find((s) => s.source === source)?.unit ?? 'ns';
  return formatValue(unit, value);
}

/** Lines under the table: capacity, binding constraint, knee, how to read it. */
export function capacityFindings(c: CapacityResult): string[] {
  const out: string[] = [];
  if (c.verdict === 'found' && c.capacity !== undefined && c.interval) {
    out.push(`capacity: ${formatRate(c.capacity)} (the knee lies between ${formatRate(c.interval.lower)}, which passed every time, and ${formatRate(c.interval.upper)}, which failed every time)`);
  } else {
    out.push(`no capacity: ${c.summary}`);
  }
  if (c.binding) {
    const step = c.steps.find((s) => s.rate === c.binding?.rate && s.slos.some((x) => x.source === c.binding?.source && x.status === 'red'));
    const slo = step?.slos.find((x) => x.source === c.binding?.source);
    out.push(`binding constraint: ${c.binding.source} broke first, at ${formatRate(c.binding.rate)}${slo ? ` (measured ${valueText(c, slo.source, slo.measured)})` : ''}`);
    const later = (c.broken ?? []).filter((b) => b.source !== c.binding?.source);
    if (later.length > 0) out.push(`also broke: ${later.map((b) => `${b.source} at ${formatRate(b.rate)}`).join(', ')}`);
  }
  if (c.knee) {
    const k = c.knee;
    const i = c.interval;
    const change = k.ratio !== null ? ` (x${k.ratio.toFixed(1)})` : '';
    const source = c.binding?.source ?? '';
    const span = i ? ` from ${valueText(c, source, k.below)} at ${formatRate(i.lower)} to ${valueText(c, source, k.above)} at ${formatRate(i.upper)}${change}` : '';
    out.push(
      k.shape === 'cliff'
        ? `knee: cliff — ${k.stat} changed abruptly${span}: past the knee it breaks at once, so keep the load well below the capacity`
        : `knee: smooth — ${k.stat} moved gradually${span}: the capacity moves with the SLO you choose`,
    );
  }
  for (const n of c.notes ?? []) out.push(`note: ${n}`);
  if (c.verdict === 'generator-bound') {
    const bad = c.steps.filter((s) => s.verdict === 'invalid').at(-1);
    if (bad) out.push(`why: ${bad.reasons.join('; ')}`);
  }
  return out;
}

function header(c: CapacityResult): string {
  const s = c.settings;
  return (
    `capacity search on phase ${c.phase} (${c.op}); each step ${formatNs(s.warmupMs * 1e6)} warm-up + ${formatNs(s.stepDurationMs * 1e6)} measured at one offered rate ` +
    `(open model, latency from the scheduled start); SLOs: ${c.slos.map((s) => s.source).join('; ')}`
  );
}

/** Terminal text: the steps table and the findings. */
export function renderCapacityText(c: CapacityResult, opts: { color: boolean }): string {
  const ch: ChalkInstance = new Chalk({ level: opts.color ? 1 : 0 });
  const table = new Table({
    head: STEP_HEAD.map((h) => ch.bold(h)),
    colAligns: ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    style: { head: [], border: [], compact: true },
  });
  for (const s of c.steps) {
    const cells = stepCells(s);
    const paint = s.verdict === 'pass' ? ch.green : s.verdict === 'fail' ? ch.red : ch.yellow;
    cells[8] = paint(cells[8] as string);
    table.push(cells);
  }
  const findings = capacityFindings(c);
  const lines = [ch.dim(header(c)), table.toString()];
  lines.push(...findings.map((l, i) => (i === 0 ? ch.bold(l) : l)));
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

/** The lowest latency SLO threshold (ms), for the chart's guide line. */
function latencyThresholdMs(c: CapacityResult): number | undefined {
  const ms = c.slos.filter((s) => s.unit === 'ns' && (s.comparator === '<' || s.comparator === '<=')).map((s) => s.current / 1e6);
  return ms.length > 0 ? Math.min(...ms) : undefined;
}

/**
 * Latency against offered rate as a mermaid chart: p50 and p99 per rate (the worst of the
 * measurements at that rate), and the SLO threshold as a flat line. Overloaded steps reach
 * seconds; the axis stops at 4x the threshold so the knee stays readable.
 */
export function capacityChart(c: CapacityResult): string[] {
  const valid = c.steps.filter((s) => s.verdict !== 'invalid' && s.latency.count > 0);
  const rates = [...new Set(valid.map((s) => s.rate))].sort((a, b) => a - b);
  if (rates.length < 2) return [];
  const worst = (rate: number, key: 'p50' | 'p99'): number => Math.max(...valid.filter((s) => s.rate === rate).map((s) => s.latency[key] / 1e6));
  const p99 = rates.map((r) => worst(r, 'p99'));
  const p50 = rates.map((r) => worst(r, 'p50'));
  const threshold = latencyThresholdMs(c);
  const cap = threshold !== undefined ? threshold * 4 : Number.POSITIVE_INFINITY;
  const clip = (v: number): number => Math.min(v, cap);
  const top = niceTop(Math.min(Math.max(...p99), cap));
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title "${c.phase}: latency (ms) against offered rate (/s)"`,
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
export function renderCapacityMarkdown(c: CapacityResult): string[] {
  const out: string[] = ['### Capacity', ''];
  out.push(cell(header(c)), '');
  out.push(`**${cell(c.summary)}**`, '');
  for (const line of capacityFindings(c)) out.push(`- ${cell(line)}`);
  out.push('');
  out.push(`| ${STEP_HEAD.join(' | ')} |`);
  out.push(`| ${STEP_HEAD.map((_, i) => (i === 1 || i >= 8 ? '---' : '---:')).join(' | ')} |`);
  for (const s of c.steps) out.push(`| ${stepCells(s).map(cell).join(' | ')} |`);
  out.push('');
  const chart = capacityChart(c);
  if (chart.length > 0) out.push(...chart, '');
  out.push(
    'How to read it: each step offers one rate whatever the system does (open model) and counts latency from each request\'s scheduled start, so queueing shows. ' +
      'The capacity is the highest rate that meets every SLO; a step the load generator could not drive is invalid, never a knee.',
    '',
  );
  return out;
}
