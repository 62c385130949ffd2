/**
 * A comparison as text: a terminal table (cli-table3, colours from our own Chalk) and a
 * markdown table for reports and $GITHUB_STEP_SUMMARY. Pure: comparison in, string out.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { formatChange, formatNs, formatPercent as percent, formatRate } from '../util/units.js';
import type { Comparison, PhaseComparison, StatComparison, Verdict } from './compare.js';
import { capacityLines } from './capacity.js';

export interface ComparisonLabels {
  baseline: string;
  current: string;
}

export function formatStatValue(s: StatComparison, value: number | null): string {
  if (value === null) return '-';
  return s.unit === 'ns' ? formatNs(value) : formatRate(value);
}

export function interval(s: StatComparison): string {
  if (s.lower === null || s.upper === null) return '-';
  return `${formatChange(s.lower)} … ${formatChange(s.upper)}`;
}

/** How the verdict was reached, short enough for a table cell. */
export function basis(s: StatComparison, phase: PhaseComparison): string {
  switch (s.method) {
    case 'rank test':
      return `rank test, p=${s.pValue !== null && s.pValue < 0.001 ? '<0.001' : (s.pValue ?? 1).toFixed(3)} (${phase.trials.baseline} vs ${phase.trials.current} trials)`;
    case 'bootstrap':
      return s.tested ? `histogram bootstrap, band ±${percent(s.band)}` : `band ±${percent(s.band)} only: one run cannot test a tail`;
    case 'noise band':
      return `band ±${percent(s.band)} only: one run cannot test it`;
    case 'none':
      return s.note ?? 'no data';
  }
}

export function verdictText(s: StatComparison): string {
  return s.regression ? `${s.verdict} — regression` : s.verdict;
}

export const VERDICT_EMOJI: Record<Verdict, string> = { faster: '🟢', slower: '🟠', 'no change': '⚪', inconclusive: '❔' };

const VERDICT_STYLE: Record<Verdict, 'red' | 'green' | 'dim' | 'yellow'> = { slower: 'red', faster: 'green', 'no change': 'dim', inconclusive: 'yellow' };

function paint(c: ChalkInstance, s: StatComparison, text: string): string {
  return s.regression ? c.red.bold(text) : c[VERDICT_STYLE[s.verdict]](text);
}

export function ciHeader(comparison: Comparison): string {
  return `${Math.round(comparison.options.confidence * 100)}% interval`;
}

/** The columns of a comparison table, in every format, and their alignment (l = left, r = right). */
export function comparisonHead(comparison: Comparison): string[] {
  return ['phase', 'stat', 'baseline', 'current', 'change', ciHeader(comparison), 'verdict', 'basis'];
}
export const COMPARISON_ALIGN = ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'] as const;

/** One row of a comparison table as plain text, for the formats that colour nothing (markdown, HTML). */
export function comparisonCells(p: PhaseComparison, s: StatComparison): string[] {
  return [
    `${p.scenario} › ${p.phase}`,
    s.stat,
    formatStatValue(s, s.baseline),
    formatStatValue(s, s.current),
    formatChange(s.change),
    interval(s),
    `${s.regression ? '🔴' : VERDICT_EMOJI[s.verdict]} ${verdictText(s)}`,
    basis(s, p),
  ];
}

export function headerLines(comparison: Comparison, labels: ComparisonLabels): string[] {
  const o = comparison.options;
  const side = (name: string, label: string, r: Comparison['baseline']): string =>
    `${name}: ${label} — ${r.command} (${r.startedAt}${r.gitCommit !== undefined ? `, commit ${r.gitCommit}` : ''})${r.interrupted ? ' [interrupted: partial]' : ''}`;
  return [
    side('baseline', labels.baseline, comparison.baseline),
    side('current ', labels.current, comparison.current),
    `regression: significant and > ${percent(o.maxRegression)} slower · noise band ±${percent(o.noiseBand)} · ${Math.round(o.confidence * 100)}% confidence`,
  ];
}

export function noteLines(comparison: Comparison): string[] {
  const out: string[] = [];
  for (const m of comparison.timingMismatches) out.push(`WARNING timing mode differs: ${m}`);
  for (const n of comparison.environmentNotes) out.push(`note: ${n}`);
  for (const n of comparison.workloadNotes ?? []) out.push(`note: ${n}`);
  if (comparison.baselineOnly.length > 0) out.push(`only in the baseline: ${comparison.baselineOnly.join(', ')}`);
  if (comparison.currentOnly.length > 0) out.push(`only in the current result: ${comparison.currentOnly.join(', ')}`);
  for (const p of comparison.phases) {
    if (p.errors.current > p.errors.baseline) out.push(`${p.scenario} › ${p.phase}: errors ${p.errors.baseline} -> ${p.errors.current}`);
    for (const s of p.stats) {
      if (s.note !== undefined && s.method !== 'none' && s.method !== 'noise band') out.push(`${p.scenario} › ${p.phase} ${s.stat}: ${s.note}`);
    }
  }
  return out;
}

/** "compare: passed — ..." / "compare: failed — ...": the last line, the one CI users read. */
export function verdictLine(comparison: Comparison): string {
  const all = comparison.phases.flatMap((p) => p.stats);
  const count = (v: Verdict): number => all.filter((s) => s.verdict === v).length;
  const mismatched = comparison.timingMismatches.length;
  const tally =
    `${count('slower')} slower, ${count('faster')} faster, ${count('no change')} no change, ${count('inconclusive')} inconclusive` +
    (mismatched > 0 ? `; ${mismatched} phase${mismatched === 1 ? '' : 's'} timed differently: latency not compared` : '');
  const fell = (comparison.capacity ?? []).filter((c) => c.regression);
  if (!comparison.passed && fell.length > 0 && comparison.regressions.length === 0) {
    return `compare: failed — ${fell.map((c) => `${c.scenario} › ${c.phase}: ${c.text}`).join('; ')}`;
  }
  if (!comparison.passed) {
    const which = [
      ...comparison.regressions.map((r) => `${r.scenario} › ${r.phase} ${r.stat} ${formatChange(r.change)}`),
      ...fell.map((c) => `${c.scenario} › ${c.phase} capacity ${formatChange(c.change)}`),
    ].join(', ');
    const n = comparison.regressions.length + fell.length;
    return `compare: failed — ${n} significant slowdown${n === 1 ? '' : 's'} beyond ${percent(comparison.options.maxRegression)}: ${which} (${tally})`;
  }
  if ((comparison.capacity ?? []).length > 0 && comparison.phases.length === 0) {
    return `compare: passed — no capacity fall beyond ${percent(comparison.options.maxRegression)}`;
  }
  return `compare: passed — no significant slowdown beyond ${percent(comparison.options.maxRegression)} (${tally})`;
}

export function renderComparisonTable(comparison: Comparison, labels: ComparisonLabels, opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const table = new Table({
    head: comparisonHead(comparison).map((h) => c.bold(h)),
    colAligns: COMPARISON_ALIGN.map((a) => (a === 'r' ? 'right' : 'left')),
    style: { head: [], border: [], compact: true },
  });
  for (const p of comparison.phases) {
    p.stats.forEach((s, i) => {
      table.push([
        i === 0 ? `${p.scenario} › ${p.phase}` : '',
        s.stat,
        formatStatValue(s, s.baseline),
        formatStatValue(s, s.current),
        paint(c, s, formatChange(s.change)),
        interval(s),
        paint(c, s, verdictText(s)),
        c.dim(basis(s, p)),
      ]);
    });
  }
  const out = [...headerLines(comparison, labels).map((l) => c.dim(l))];
  if (comparison.phases.length > 0) out.push(table.toString());
  for (const line of capacityLines(comparison.capacity ?? [])) out.push(line);
  for (const n of noteLines(comparison)) out.push(c.yellow(n));
  const line = verdictLine(comparison);
  out.push(comparison.passed ? c.green.bold(line) : c.red.bold(line));
  return out.join('\n') + '\n';
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderComparisonMarkdown(comparison: Comparison, labels: ComparisonLabels): string {
  const out: string[] = ['## Comparison with the baseline', ''];
  for (const l of headerLines(comparison, labels)) out.push(`- ${mdCell(l.replace(/^current /, 'current'))}`);
  out.push('');
  const capacity = capacityLines(comparison.capacity ?? []);
  if (capacity.length > 0) {
    for (const line of capacity) out.push(`- **${mdCell(line)}**`);
    out.push('');
  }
  if (comparison.phases.length > 0) {
    out.push(`| ${comparisonHead(comparison).join(' | ')} |`);
    out.push(`| ${COMPARISON_ALIGN.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`);
  }
  for (const p of comparison.phases) {
    for (const s of p.stats) out.push(`| ${comparisonCells(p, s).map(mdCell).join(' | ')} |`);
  }
  out.push('');
  const notes = noteLines(comparison);
  if (notes.length > 0) {
    for (const n of notes) out.push(`- ${mdCell(n)}`);
    out.push('');
  }
  out.push(`**${verdictLine(comparison)}**`, '');
  return out.join('\n');
}
