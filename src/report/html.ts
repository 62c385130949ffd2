/**
 * The HTML report: one self-contained file that opens offline in any browser. Every script,
 * style and data point is inlined (uPlot from node_modules, see html-assets.ts); a Content
 * Security Policy forbids the page any request, so nothing can leak out of it or break when
 * a host moves.
 *
 * What it says comes from the same model as the markdown report (model.ts): header,
 * environment, gate, target-metrics matrix, each scenario's tables. What only a page can
 * show is added around it: one percentile spectrum per phase (latency against percentile on
 * a log axis of 1/(1−p), p0 to p99.999, computed here in Node from the encoded histograms,
 * target thresholds as dashed lines), time series of long phases, capacity searches (latency
 * and throughput against offered rate, the SLOs and the knee marked, every step), overlays of
 * several runs and of a baseline. Every chart has its numbers in a table beside it; hovering a
 * chart reads exact values. Pure: results and assets in, a string out.
 */
import type { Comparison, PhaseComparison } from '../compare/compare.js';
import {
  COMPARISON_ALIGN,
  VERDICT_EMOJI,
  comparisonCells,
  comparisonHead,
  headerLines,
  noteLines,
  verdictLine,
  verdictText,
  type ComparisonLabels,
} from '../compare/render.js';
import { DRIFT_MIN_OPS_PER_THIRD } from '../metrics/series.js';
import { percentileSpectrum, type Spectrum } from '../metrics/spectrum.js';
import type { CapacityResult, LatencySummary, PhaseResult, RunResult, ScenarioResult, StepVerdict, TargetResult } from '../results/types.js';
import { InputError } from '../util/input-error.js';
import { formatBytes, formatChange, formatCount, formatNs, formatRate } from '../util/units.js';
import { STEP_VERDICT_COLUMN, type CapacityPoint } from './capacity.js';
import { formatMeasured, formatThreshold, formatValue, secondaryDistributions, statusText } from './format.js';
import { loadHtmlAssets, type HtmlAssets } from './html-assets.js';
import { REPORT_CSS, REPORT_JS } from './html-client.js';
import {
  bucketIntervals,
  environmentTable,
  reportModel,
  type GateModel,
  type MatrixModel,
  type ReportModel,
  type ScenarioModel,
  type SeriesPoint,
  type TextTable,
} from './model.js';
import type { RenderOptions, Renderer } from './types.js';

// ---------------------------------------------------------------------------------------
// Markup helpers

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function code(text: string): string {
  return `<code>${esc(text)}</code>`;
}

/** A table; `cells` may hold markup already (escaped by the caller), plain cells are escaped here. */
type Cell = string | { html: string };

function htmlTable(head: readonly Cell[], rows: ReadonlyArray<readonly Cell[]>, align?: ReadonlyArray<'l' | 'r'>, rowClass?: (i: number) => string | undefined): string {
  const cls = (i: number): string => (align?.[i] === 'r' ? ' class="r"' : '');
  const cell = (c: Cell): string => (typeof c === 'string' ? esc(c) : c.html);
  const body = rows
    .map((r, i) => {
      const rc = rowClass?.(i);
      return `<tr${rc !== undefined ? ` class="${rc}"` : ''}>${r.map((c, j) => `<td${cls(j)}>${cell(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table>\n<thead><tr>${head.map((h, i) => `<th${cls(i)}>${cell(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function textTable(t: TextTable): string {
  // Sub-rows ("↳ service time") are dimmed under their phase.
  return htmlTable(t.head, t.rows, t.align, (i) => (t.rows[i]?.[0]?.startsWith('↳') ? 'sub' : undefined));
}

function statusHtml(status: TargetResult['status'] | undefined): { html: string } {
  if (status === undefined) return { html: '-' };
  return { html: `<span class="status-${status}">${esc(statusText(status))}</span>` };
}

/** Inline JSON in a <script>: "<" escaped, so no text in the data can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline code in a <script>: a "</script" inside it would end the element early. */
function scriptText(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

// ---------------------------------------------------------------------------------------
// Charts: specs embedded as JSON, drawn by html-client.ts

type ChartUnit = 'ns' | 'per_s' | 'bytes';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /**
   * Data, a threshold line (dashed): the 🟡 current or the 🟢 target of a target or SLO, or a
   * reference line (dashed, muted) to read the data against, such as "achieved = offered".
   */
  kind: 'data' | 'current' | 'target' | 'reference';
  /** Index into the data palette. */
  color: number;
}

/**
 * A vertical mark on a line chart: a line at `at` and/or a shaded band over `band`, with its
 * label (a capacity and the interval its knee lies in; the rate at which the generator gave out).
 */
export interface ChartMark {
  label: string;
  at?: number;
  band?: [number, number];
}

export interface ChartSpec {
  id: string;
  type: 'spectrum' | 'line';
  unit: ChartUnit;
  /** Line charts: what x counts, seconds into a phase (the default) or an offered rate. */
  xUnit?: 'seconds' | 'per_s';
  /** Line charts: a log y axis, for latencies that reach from milliseconds to the seconds of an overload. */
  yLog?: boolean;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: ChartSeries[];
  marks?: ChartMark[];
}

/** Collects the charts of one page, numbering them in order. */
class Charts {
  readonly specs: ChartSpec[] = [];
  add(spec: Omit<ChartSpec, 'id'>): string {
    const id = `chart-${this.specs.length + 1}`;
    this.specs.push({ id, ...spec });
    return id;
  }
}

/** 6 significant figures: plenty for a plot and a hover, and the file stays small. */
function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : 0;
}

/** Colours of data curves (CSS --c0 ... --c5); a seventh curve reuses the first. */
const PALETTE_SIZE = 6;

/** A column header that doubles as the legend (printed pages have no hover): the curve's colour, then its name. */
function swatched(label: string, color: number): Cell {
  return { html: `<span class="sw c${color % PALETTE_SIZE}"></span>${esc(label)}` };
}

function figure(id: string, caption: string, table: string, notes: readonly string[], label: string): string {
  return [
    '<figure>',
    `<figcaption>${caption}</figcaption>`,
    '<div class="fig-body">',
    `<div class="chart" data-chart="${id}" role="img" aria-label="${esc(label)}"></div>`,
    `<div class="fig-table">${table}</div>`,
    '</div>',
    ...notes.map((n) => `<p class="fig-note note">${n}</p>`),
    '</figure>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------
// Percentile spectra

/** Rows of a spectrum's table; the chart holds every point, the hover reads each. */
const TABLE_PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99, 99.999] as const;

const LATENCY_STATS = new Set(['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']);

interface Curve {
  label: string;
  summary: LatencySummary;
}

/** A target's or a capacity SLO's thresholds: all a chart needs to draw them. */
type Thresholds = Pick<TargetResult, 'stat' | 'comparator' | 'unit' | 'current' | 'target'>;

/** Dashed lines for latency targets or SLOs: the current threshold and the target. */
function thresholdSeries(targets: readonly Thresholds[], xs: readonly number[]): ChartSeries[] {
  const lines: ChartSeries[] = [];
  for (const t of targets) {
    const stat = t.stat === 'p999' ? 'p99.9' : t.stat;
    const flat = (v: number): Array<number | null> => xs.map(() => v);
    if (t.current === t.target) {
      lines.push({ label: `target = current: ${stat} ${formatThreshold(t.comparator, t.unit, t.target)}`, values: flat(t.target), kind: 'target', color: 0 });
    } else {
      lines.push({ label: `current: ${stat} ${formatThreshold(t.comparator, t.unit, t.current)}`, values: flat(t.current), kind: 'current', color: 0 });
      lines.push({ label: `target: ${stat} ${formatThreshold(t.comparator, t.unit, t.target)}`, values: flat(t.target), kind: 'target', color: 0 });
    }
  }
  return lines;
}

export function latencyTargets(scenario: ScenarioResult, phase: string): TargetResult[] {
  return scenario.targets.filter((t) => t.phase === phase && t.unit === 'ns' && LATENCY_STATS.has(t.stat));
}

function targetWords(t: TargetResult): string {
  return `${code(t.source)}: measured ${esc(formatMeasured(t))}, ${statusHtml(t.status).html}`;
}

/**
 * One spectrum chart of several curves (a phase's latency and its secondary distributions,
 * or the same phase in several runs) with the thresholds of `targets`, and its table.
 */
function spectrumFigure(charts: Charts, title: string, curves: readonly Curve[], targets: readonly TargetResult[], notes: readonly string[]): string {
  // A histogram that cannot be decoded (a damaged or hand-edited result) costs its curve, not the report.
  const undecodable: string[] = [];
  const decoded = curves
    .filter((c) => c.summary.count > 0)
    .flatMap((c) => {
      try {
        return [{ curve: c, spectrum: percentileSpectrum(c.summary.histogram) }];
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        undecodable.push(c.label);
        return [];
      }
    });
  const lost = undecodable.length > 0 ? `The histogram of ${undecodable.join(', ')} cannot be decoded (is the result file damaged?): no curve for it.` : undefined;
  if (decoded.length === 0) {
    const why = lost ?? 'no successful operation, so no latency spectrum.';
    return `<p class="note"><strong>${esc(title)}</strong>: ${esc(why)}</p>`;
  }
  const drawn = decoded.map((d) => d.curve);
  const spectra: Spectrum[] = decoded.map((d) => d.spectrum);
  const longest = spectra.reduce((a, s) => (s.points.length > a.points.length ? s : a));
  const xs = longest.points.map((p) => p.x);
  const series: ChartSeries[] = [
    ...drawn.map((c, i): ChartSeries => ({
      label: c.label,
      values: xs.map((_, j) => spectra[i]!.points[j]?.value ?? null),
      kind: 'data',
      color: i % PALETTE_SIZE,
    })),
    ...thresholdSeries(targets, xs),
  ];
  const id = charts.add({ type: 'spectrum', unit: 'ns', xLabel: 'percentile (log scale of 1/(1−p))', yLabel: 'latency (log scale)', x: xs, series });

  const rows: string[][] = [['min', ...drawn.map((c) => formatNs(c.summary.min))]];
  for (const p of TABLE_PERCENTILES) {
    const cells = spectra.map((s) => s.points.find((pt) => pt.percentile === p)?.value);
    if (cells.every((v) => v === undefined)) continue;
    rows.push([`${p}%`, ...cells.map((v) => (v === undefined ? '-' : formatNs(v)))]);
  }
  rows.push(['max', ...drawn.map((c) => formatNs(c.summary.max))]);
  rows.push(['count', ...drawn.map((c) => formatCount(c.summary.count))]);
  const table = htmlTable(['percentile', ...drawn.map((c, i) => swatched(c.label, i))], rows, ['l', ...drawn.map((): 'r' => 'r')]);

  const caption =
    `<strong>${esc(title)}</strong> — latency against percentile, p0 to p99.999 on a log scale of 1/(1−p). ` +
    'A curve ends where its data does: n values say nothing beyond 1/(1−p) = n.';
  const allNotes = [...notes, ...(lost !== undefined ? [esc(lost)] : [])];
  if (targets.length > 0) allNotes.push(`Dashed lines, the latency targets (🟢 target, 🟡 current): ${targets.map(targetWords).join('; ')}.`);
  return figure(id, caption, table, allNotes, `${title}: percentile spectrum`);
}

function phaseCurves(phase: PhaseResult): Curve[] {
  const open = phase.executor.kind === 'rate';
  return [
    { label: open ? 'latency (from scheduled start)' : 'latency', summary: phase.latency },
    // Token counts and rates are not latencies: they have no place on a latency spectrum.
    ...secondaryDistributions(phase).flatMap(({ label, summary }) => (summary.unit === 'ns' ? [{ label, summary }] : [])),
  ];
}

function phaseSpectrum(charts: Charts, scenario: ScenarioResult, phase: PhaseResult): string {
  const notes: string[] = [];
  if (phase.executor.kind === 'rate') {
    notes.push(
      'Open model: latency counts from each operation’s scheduled start, service time from its actual start; ' +
        'where the curves part, operations waited to start (a stall the closed model would hide).',
    );
  }
  if (phase.steps !== undefined) notes.push('Agent phase: the step curves are the LLM calls, tool calls and memory stores inside the executions.');
  if (phase.batchTimed) notes.push('† Batch-timed: each recorded value is the mean of a batch, so the tail is smoothed.');
  const latency = latencyTargets(scenario, phase.name);
  const others = scenario.targets.filter((t) => t.phase === phase.name && !latency.includes(t));
  if (others.length > 0) notes.push(`Other targets of this phase: ${others.map(targetWords).join('; ')}.`);
  return spectrumFigure(charts, `${scenario.name} › ${phase.name}`, phaseCurves(phase), latency, notes);
}

// ---------------------------------------------------------------------------------------
// Time series of long phases

/** Most points of a time-series chart (and rows of its table): intervals beyond it are merged. */
export const MAX_SERIES_POINTS = 120;

interface LineSeries<P> {
  label: string;
  get: (p: P) => number | undefined;
  /** A reference line is drawn, dashed, but not tabulated: its values are the x column's. */
  reference?: true;
}

/** The x of a line chart: where a point lies, and how its table column reads. */
interface XAxis<P> {
  unit: 'seconds' | 'per_s';
  label: string;
  head: string;
  get: (p: P) => number;
  format: (v: number) => string;
}

const TIME_AXIS: XAxis<SeriesPoint> = { unit: 'seconds', label: 'time since the phase started', head: 'time', get: (p) => p.tS, format: (v) => formatNs(v * 1e9) };

interface LineChart<P> {
  title: string;
  x: XAxis<P>;
  unit: ChartUnit;
  yLabel: string;
  yLog?: boolean;
  points: readonly P[];
  lines: ReadonlyArray<LineSeries<P>>;
  notes?: readonly string[];
  thresholds?: readonly Thresholds[];
  marks?: ChartMark[];
}

/** A line chart (time series, or a curve against offered rate) and the table of its numbers. */
function lineFigure<P>(charts: Charts, chart: LineChart<P>): string {
  const { title, unit, points } = chart;
  const shown = chart.lines.filter((l) => points.some((p) => l.get(p) !== undefined));
  const data = shown.filter((l) => l.reference !== true);
  if (data.length === 0) return '';
  const x = points.map((p) => round(chart.x.get(p)));
  const values = (l: LineSeries<P>): Array<number | null> =>
    points.map((p) => {
      const v = l.get(p);
      return v === undefined ? null : round(v);
    });
  const series: ChartSeries[] = [
    ...data.map((l, i): ChartSeries => ({ label: l.label, values: values(l), kind: 'data', color: i % PALETTE_SIZE })),
    ...shown.filter((l) => l.reference === true).map((l): ChartSeries => ({ label: l.label, values: values(l), kind: 'reference', color: 0 })),
    ...thresholdSeries(chart.thresholds ?? [], x),
  ];
  const spec: Omit<ChartSpec, 'id'> = { type: 'line', unit, xLabel: chart.x.label, yLabel: chart.yLabel, x, series };
  if (chart.x.unit !== 'seconds') spec.xUnit = chart.x.unit;
  if (chart.yLog === true) spec.yLog = true;
  if (chart.marks !== undefined && chart.marks.length > 0) spec.marks = chart.marks;
  const id = charts.add(spec);
  const fmt = (v: number | undefined): string => (v === undefined ? '-' : unit === 'ns' ? formatNs(v) : unit === 'bytes' ? formatBytes(v) : formatValue('per_s', v));
  const rows = points.map((p) => [chart.x.format(chart.x.get(p)), ...data.map((l) => fmt(l.get(p)))]);
  const table = htmlTable([chart.x.head, ...data.map((l, i) => swatched(l.label, i))], rows, ['r', ...data.map((): 'r' => 'r')]);
  return figure(id, `<strong>${esc(title)}</strong>`, table, chart.notes ?? [], title);
}

function verdictNote(kind: 'leak' | 'drift', phase: PhaseResult): string | undefined {
  if (kind === 'leak' && phase.leak !== undefined) {
    const l = phase.leak;
    if (l.verdict === 'insufficient data') {
      return `<span class="verdict">Leak: insufficient data</span> (${l.samples} heap samples; it needs a minute of them, and heap is sampled only with intervals of 1s or more).`;
    }
    const mark = l.verdict === 'no leak' ? '🟢' : '🔴';
    return (
      `<span class="verdict">${mark} Leak: ${esc(l.verdict)}</span> — post-GC heap over the last half of the run grows ` +
      `${esc(formatBytes(l.slopeBytesPerHour))}/h (r² ${l.r2.toFixed(2)}; threshold ${esc(formatBytes(l.thresholdBytesPerHour))}/h; ${l.samples} samples).`
    );
  }
  if (kind === 'drift' && phase.drift !== undefined) {
    const d = phase.drift;
    if (d.verdict === 'insufficient data') {
      return `<span class="verdict">Drift: insufficient data</span> (${d.samples} intervals; it needs two or more in each third and ${formatCount(DRIFT_MIN_OPS_PER_THIRD)} operations in the first and the last third).`;
    }
    const mark = d.verdict === 'slower' ? '🔴' : '🟢';
    return (
      `<span class="verdict">${mark} Drift: ${esc(d.verdict)}</span> — median per-interval p99 ${esc(formatNs(d.firstThirdP99Ns))} in the first third, ` +
      `${esc(formatNs(d.lastThirdP99Ns))} in the last (x${d.ratio.toFixed(2)}; threshold x${d.threshold}).`
    );
  }
  return undefined;
}

function timeSeries(charts: Charts, scenario: ScenarioResult): string {
  const phases = scenario.phases.filter((p) => (p.intervals?.length ?? 0) >= 2);
  if (phases.length === 0) return '';
  const out: string[] = ['<h3>Over time</h3>'];
  for (const phase of phases) {
    const intervals = phase.intervals ?? [];
    const { points, span } = bucketIntervals(intervals, MAX_SERIES_POINTS);
    const title = `${scenario.name} › ${phase.name}`;
    out.push(`<h4>${esc(phase.name)}</h4>`);
    out.push(
      `<p class="note">${formatCount(intervals.length)} intervals${phase.intervalMs !== undefined ? ` of ${esc(formatNs(phase.intervalMs * 1e6))}` : ''}` +
        (span > 1 ? `, ${span} per point (throughput: their rate; latencies and event-loop delay: the worst of them; heap and RSS: the last reading)` : '') +
        '; time from the start of the phase.</p>',
    );
    const drift = verdictNote('drift', phase);
    const leak = verdictNote('leak', phase);
    const over = { x: TIME_AXIS, points };
    out.push(lineFigure(charts, { ...over, title: `${title}: throughput`, unit: 'per_s', yLabel: 'operations/s', lines: [{ label: 'throughput', get: (p) => p.throughput }] }));
    out.push(
      lineFigure(charts, {
        ...over,
        title: `${title}: latency per interval`,
        unit: 'ns',
        yLabel: 'latency',
        lines: [
          { label: 'p50', get: (p) => (p.count > p.errors ? p.p50 : undefined) },
          { label: 'p99', get: (p) => (p.count > p.errors ? p.p99 : undefined) },
        ],
        notes: drift !== undefined ? [drift] : [],
      }),
    );
    out.push(
      lineFigure(charts, {
        ...over,
        title: `${title}: memory`,
        unit: 'bytes',
        yLabel: 'bytes',
        lines: [
          { label: 'heap after GC', get: (p) => p.heapUsed },
          { label: 'RSS', get: (p) => p.rss },
        ],
        notes: leak !== undefined ? [leak] : [],
      }),
    );
    out.push(lineFigure(charts, { ...over, title: `${title}: event-loop delay`, unit: 'ns', yLabel: 'delay', lines: [{ label: 'event-loop p99', get: (p) => p.eventLoopP99 }] }));
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// Capacity searches

const RATE_AXIS: XAxis<CapacityPoint> = { unit: 'per_s', label: 'offered rate (operations/s)', head: 'offered', get: (p) => p.rate, format: formatRate };

const STEP_VERDICT_CLASS: Record<StepVerdict, string> = { pass: 'status-green', fail: 'status-red', invalid: 'muted' };

/** Where the search ended, on the rate axis: the capacity in its knee interval, or the rate the generator gave out at. */
function capacityMarks(c: CapacityResult): ChartMark[] {
  if (c.capacity !== undefined && c.interval !== undefined) {
    return [{ label: `capacity ${formatRate(c.capacity)}`, at: c.capacity, band: [c.interval.lower, c.interval.upper] }];
  }
  if (c.interval !== undefined) return [{ label: 'knee, unconfirmed', band: [c.interval.lower, c.interval.upper] }];
  if (c.generatorBoundAt !== undefined) return [{ label: `generator-bound at ${formatRate(c.generatorBoundAt)}`, at: c.generatorBoundAt }];
  return [];
}

function marksNote(marks: readonly ChartMark[]): string[] {
  const m = marks[0];
  if (m === undefined) return [];
  if (m.band !== undefined && m.at !== undefined) return ['The red line is the capacity, the shaded band the interval its knee lies in.'];
  if (m.band !== undefined) return ['The shaded band is where the knee seemed to lie, unconfirmed.'];
  return ['The red line is the rate at which the load generator, not the system, became the limit: steps there are invalid and off the curve.'];
}

/**
 * A capacity search: what it found (capacity and interval, binding SLO, knee, or why there is
 * none), latency and throughput against offered rate with the SLOs and the knee marked, and
 * every step. The figures come from the model the markdown report renders (capacity.ts).
 */
function capacitySection(charts: Charts, m: ScenarioModel): string {
  const cap = m.capacity;
  const c = m.scenario.capacity;
  if (cap === undefined || c === undefined) return '';
  const title = `${m.scenario.name} › ${cap.phase}`;
  const out: string[] = ['<h3>Capacity</h3>', `<p class="note">${esc(cap.settings)}</p>`];
  out.push(`<p class="capacity-verdict" data-capacity="${esc(cap.verdict)}"><strong>${esc(cap.summary)}</strong></p>`);
  out.push('<ul class="capacity-findings">', ...cap.findings.map((f) => `<li><strong>${esc(f.label)}</strong>: ${esc(f.text)}</li>`), '</ul>');
  const marks = capacityMarks(c);
  const each = 'One point per offered rate: the worst of its valid steps (steps the load generator could not drive are in the table below, not on the curve).';
  out.push(
    lineFigure(charts, {
      title: `${title}: latency against offered rate`,
      x: RATE_AXIS,
      unit: 'ns',
      yLabel: 'latency (log scale)',
      yLog: true,
      points: cap.curve,
      lines: cap.latencyStats.map((k) => ({ label: k === 'p999' ? 'p99.9' : k, get: (p: CapacityPoint) => p.latency?.[k] })),
      thresholds: cap.latencySlos,
      marks,
      notes: [
        `${each} Latency counts from each request’s scheduled start, so a queue shows.`,
        ...(cap.latencySlos.length > 0 ? [`Dashed lines, the latency SLOs (a step passes when it meets the current threshold): ${cap.latencySlos.map((s) => code(s.source)).join('; ')}.`] : []),
        ...marksNote(marks),
      ],
    }),
  );
  out.push(
    lineFigure(charts, {
      title: `${title}: throughput against offered rate`,
      x: RATE_AXIS,
      unit: 'per_s',
      yLabel: 'operations/s',
      points: cap.curve,
      lines: [
        { label: 'achieved', get: (p) => p.achieved },
        { label: 'goodput (good requests/s)', get: (p) => p.goodputRate },
        { label: 'achieved = offered', get: (p) => p.rate, reference: true },
      ],
      marks,
      notes: [`${each} The dashed diagonal is the offered rate: where achieved falls below it, the system no longer keeps up.`],
    }),
  );
  const rows = cap.steps.rows.map((r, i) =>
    r.map((text, j): Cell => (j === STEP_VERDICT_COLUMN ? { html: `<span class="${STEP_VERDICT_CLASS[cap.stepVerdicts[i]!]}">${esc(text)}</span>` } : text)),
  );
  out.push('<h4>Steps</h4>', htmlTable(cap.steps.head, rows, cap.steps.align, (i) => `capacity-step step-${cap.stepVerdicts[i]!}`));
  out.push(`<p class="note">${esc(cap.howToRead)}</p>`);
  return out.filter((x) => x !== '').join('\n');
}

// ---------------------------------------------------------------------------------------
// Sections from the shared model

function gateBanner(g: GateModel): string {
  const cls = !g.enabled ? 'off' : g.passed ? 'passed' : 'failed';
  const mark = !g.enabled ? '⚪' : g.passed ? '✅' : '❌';
  return `<div class="gate ${cls}" data-gate="${cls}">${mark} ${g.run !== undefined ? `run ${g.run}: ` : ''}${esc(g.line)}</div>`;
}

function headerHtml(model: ReportModel): string {
  const out: string[] = ['<header>', `<h1>${esc(model.title)}</h1>`, ...model.gates.map(gateBanner)];
  out.push(`<p class="meta"><strong>Date</strong>: ${esc(model.date)}</p>`);
  if (!model.multi) {
    out.push(`<p class="meta"><strong>Command</strong>: ${code(model.runs[0]!.command)}</p>`);
  } else {
    out.push(`<p class="meta"><strong>Runs</strong>: ${model.runs.length}</p><ul>`);
    for (const r of model.runs) out.push(`<li>run ${r.run}: ${code(r.command)}, ${esc(r.started)}</li>`);
    out.push('</ul>');
  }
  for (const n of model.notices) out.push(`<p class="notice">⚠️ <strong>${n.kind}</strong>${n.run !== undefined ? ` (run ${n.run})` : ''}: ${esc(n.text)}</p>`);
  for (const n of model.shardNotes) out.push(`<p class="notice">${n.run !== undefined ? `run ${n.run}: ` : ''}${esc(n.text)}</p>`);
  out.push('</header>');
  return out.join('\n');
}

function summaryHtml(model: ReportModel): string {
  const head = [...(model.multi ? ['run'] : []), 'scenario', 'phases', 'duration', 'targets'];
  const rows = model.summary.map((s) => [
    ...(s.run !== undefined ? [String(s.run)] : []),
    { html: `<a href="#${esc(s.anchor)}">${esc(s.scenario)}</a>` },
    s.phases,
    s.duration,
    s.verdict,
  ]);
  const align: Array<'l' | 'r'> = [...(model.multi ? ['r' as const] : []), 'l', 'r', 'r', 'l'];
  return ['<section id="summary">', '<h2>Summary</h2>', htmlTable(head, rows, align), '</section>'].join('\n');
}

function matrixHtml(matrix: MatrixModel): string {
  const rows = matrix.rows.map((r) => [
    r.metric,
    r.seedCurrent,
    r.seedTarget,
    r.measuredBy === undefined ? 'not covered' : { html: `${esc(r.measuredBy.scenario)}: ${code(r.measuredBy.source)}` },
    r.measured,
    statusHtml(r.status),
  ]);
  const out = [
    '<section id="target-metrics-matrix">',
    '<h2>Target-metrics matrix</h2>',
    "<p>The rows of the seed report's matrix and the targets of this report that measure them.</p>",
    htmlTable(['metric', 'seed current', 'seed target', 'measured by', 'measured', 'status'], rows, ['l', 'r', 'r', 'l', 'r', 'l'], (i) =>
      matrix.rows[i]?.status !== undefined ? `matrix-row status-row-${matrix.rows[i]!.status}` : 'matrix-row',
    ),
  ];
  if (matrix.outside.length > 0) out.push(`<p>Targets outside the seed matrix: ${esc(matrix.outside.join(', '))}.</p>`);
  out.push('<p class="note">Status levels: ' + matrix.levels.map((l) => `${l.emoji} <strong>${esc(l.word)}</strong>: ${esc(l.meaning)}`).join(' · ') + '</p>');
  out.push('</section>');
  return out.join('\n');
}

function environmentHtml(model: ReportModel): string {
  const out = ['<section id="test-environment">', '<h2>Test environment</h2>', textTable(model.environment)];
  for (const f of model.floorNotes) out.push(`<p class="note">${f.run !== undefined ? `run ${f.run}: ` : ''}${esc(f.text)}</p>`);
  out.push('</section>');
  return out.join('\n');
}

function scenarioSection(charts: Charts, m: ScenarioModel): string {
  const { scenario } = m;
  const out: string[] = [`<section id="${esc(m.anchor)}">`, `<h2>${esc(m.heading)}</h2>`];
  if (m.description !== '') out.push(`<p>${esc(m.description)}</p>`);
  out.push('<ul>');
  out.push(`<li><strong>Source</strong>: ${code(m.source)}</li>`);
  out.push(`<li><strong>Started</strong>: ${esc(m.started)}, took ${esc(m.took)}</li>`);
  if (m.trials !== undefined) out.push(`<li><strong>Trials</strong>: ${m.trials}</li>`);
  out.push('</ul>');
  out.push(`<p class="notice">${esc(m.llmLine)}</p>`);
  if (m.providersLine !== undefined) out.push(`<p class="notice">${esc(m.providersLine)}</p>`);
  if (m.pluginLine !== undefined) out.push(`<p class="notice">${esc(m.pluginLine)}</p>`);
  for (const line of m.executionLines) out.push(`<p class="notice">${esc(line)}</p>`);
  if (m.failure !== undefined) out.push(`<p class="notice bad">🔴 <strong>Failed</strong>: ${esc(m.failure)}</p>`);
  if (m.latency !== undefined) {
    out.push('<h3>What it did</h3>', '<ul>', ...m.whatItDid.map((w) => `<li>${code(w.phase)} (${esc(w.op)}): ${esc(w.text)}</li>`), '</ul>');
    out.push('<h3>Latency</h3>', textTable(m.latency));
    if (m.batchFootnote !== undefined) out.push(`<p class="note">${esc(m.batchFootnote)}</p>`);
    if (m.notes.length > 0) out.push('<ul>', ...m.notes.map((n) => `<li>${esc(n)}</li>`), '</ul>');
    out.push('<h3>Percentile spectra</h3>');
    for (const phase of scenario.phases) out.push(phaseSpectrum(charts, scenario, phase));
  }
  if (m.trialsTable !== undefined) out.push('<h3>Trials</h3>', `<p>${esc(m.trialsTable.intro)}</p>`, textTable(m.trialsTable.table));
  out.push(timeSeries(charts, scenario));
  out.push(capacitySection(charts, m));
  if (m.memory !== undefined) out.push('<h3>Memory</h3>', textTable(m.memory));
  if (m.targets.length > 0) {
    out.push('<h3>Targets</h3>');
    const rows = m.targets.map((t) => [t.metric, t.measured, t.current, t.target, statusHtml(t.status), { html: code(t.source) }]);
    out.push(htmlTable(['metric', 'measured', 'current', 'target', 'status', 'source'], rows, ['l', 'r', 'r', 'r', 'l', 'l']));
    out.push(`<p>Targets: ${esc(m.targetCounts)}.</p>`);
  }
  out.push('</section>');
  return out.filter((s) => s !== '').join('\n');
}

// ---------------------------------------------------------------------------------------
// Overlays: several runs, a baseline and the current run

function findPhase(result: RunResult, scenario: string, phase: string): { scenario: ScenarioResult; phase: PhaseResult } | undefined {
  for (const s of result.scenarios) {
    if (s.name !== scenario) continue;
    const p = s.phases.find((x) => x.name === phase);
    if (p !== undefined) return { scenario: s, phase: p };
  }
  return undefined;
}

/** `report a.json b.json`: every phase that two or more runs have, their latency on one spectrum. */
function overlaySection(charts: Charts, results: readonly RunResult[]): string {
  const keys: Array<{ scenario: string; phase: string }> = [];
  for (const r of results) {
    for (const s of r.scenarios) {
      for (const p of s.phases) if (!keys.some((k) => k.scenario === s.name && k.phase === p.name)) keys.push({ scenario: s.name, phase: p.name });
    }
  }
  const figures: string[] = [];
  for (const k of keys) {
    const found = results.map((r, i) => ({ run: i + 1, hit: findPhase(r, k.scenario, k.phase) })).filter((f) => f.hit !== undefined && f.hit.phase.latency.count > 0);
    if (found.length < 2) continue;
    const curves = found.map((f) => ({ label: `run ${f.run}`, summary: f.hit!.phase.latency }));
    const withTargets = found.find((f) => latencyTargets(f.hit!.scenario, k.phase).length > 0);
    const targets = withTargets !== undefined ? latencyTargets(withTargets.hit!.scenario, k.phase) : [];
    const notes = withTargets !== undefined && found.length > 1 ? [`Threshold lines from run ${withTargets.run}.`] : [];
    figures.push(spectrumFigure(charts, `${k.scenario} › ${k.phase}`, curves, targets, notes));
  }
  if (figures.length === 0) return '';
  return ['<section id="runs-side-by-side">', '<h2>Runs side by side</h2>', '<p>Each phase that several runs have: their latency spectra on one chart.</p>', ...figures, '</section>'].join('\n');
}

/** What an HTML comparison needs: the comparison, both results (for their histograms) and their names. */
export interface ComparisonView {
  comparison: Comparison;
  baseline: RunResult;
  current: RunResult;
  labels: ComparisonLabels;
}

function comparisonTable(comparison: Comparison, phases: readonly PhaseComparison[]): string {
  const rows = phases.flatMap((p) => p.stats.map((s) => comparisonCells(p, s)));
  return htmlTable(comparisonHead(comparison), rows, COMPARISON_ALIGN);
}

function comparisonSection(charts: Charts, view: ComparisonView): string {
  const { comparison, labels } = view;
  const passed = comparison.passed;
  const out: string[] = ['<section id="comparison-with-the-baseline">', '<h2>Comparison with the baseline</h2>'];
  out.push(`<div class="gate ${passed ? 'passed' : 'failed'}" data-gate="${passed ? 'passed' : 'failed'}">${passed ? '✅' : '❌'} ${esc(verdictLine(comparison))}</div>`);
  out.push('<ul>', ...headerLines(comparison, labels).map((l) => `<li>${esc(l.replace(/^current /, 'current'))}</li>`), '</ul>');
  const notes = noteLines(comparison);
  if (notes.length > 0) out.push('<ul>', ...notes.map((n) => `<li class="note">${esc(n)}</li>`), '</ul>');
  out.push(comparisonTable(comparison, comparison.phases));
  for (const p of comparison.phases) {
    const base = findPhase(view.baseline, p.scenario, p.phase);
    const cur = findPhase(view.current, p.scenario, p.phase);
    if (base === undefined || cur === undefined) continue;
    const curves = [
      // "current run", not "current": a target's "current" threshold is drawn on the same chart.
      { label: 'baseline run', summary: base.phase.latency },
      { label: 'current run', summary: cur.phase.latency },
    ];
    const verdicts = p.stats.map((s) => `${esc(s.stat)}: ${s.regression ? '🔴' : VERDICT_EMOJI[s.verdict]} ${esc(verdictText(s))} (${esc(formatChange(s.change))})`).join('; ');
    out.push(spectrumFigure(charts, `${p.scenario} › ${p.phase}: baseline and current`, curves, latencyTargets(cur.scenario, p.phase), [`Verdict: ${verdicts}.`]));
  }
  out.push('</section>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// The page

/** No request of any kind may leave the page: only the inlined script and style run. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function page(title: string, body: string, charts: Charts, assets: HtmlAssets, footer: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<link rel="icon" href="data:,">',
    `<title>${esc(title)}</title>`,
    `<style>\n${assets.uplotCss}\n${REPORT_CSS}\n</style>`,
    '</head>',
    '<body>',
    body,
    `<footer>\n${footer}\n<p>Charts drawn with uPlot ${esc(assets.uplotVersion)} (MIT licence), inlined: this file loads nothing from the network. ` +
      'Hover a chart to read its exact values; every chart has its numbers in the table beside it.</p>\n</footer>',
    '<noscript><p>The charts need JavaScript; the tables beside them hold every figure.</p></noscript>',
    `<script type="application/json" id="cb-data">${scriptJson({ charts: charts.specs })}</script>`,
    `<script>\n/*\nuPlot ${scriptText(assets.uplotVersion)}\n${scriptText(assets.uplotLicense.replace(/\*\//g, '* /'))}\n*/\n${scriptText(assets.uplotJs)}\n</script>`,
    `<script>${scriptText(REPORT_JS)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface HtmlReportOptions {
  /** `run --baseline`: the comparison, shown after the header. */
  comparison?: ComparisonView;
}

/** The HTML report of one or more results (several: their spectra overlaid too). */
export function renderHtmlReport(results: readonly RunResult[], assets: HtmlAssets, opts: HtmlReportOptions = {}): string {
  if (results.length === 0) throw new Error('renderHtmlReport needs at least one result');
  const model = reportModel(results);
  const charts = new Charts();
  const body: string[] = [headerHtml(model)];
  const contents = [
    ['summary', 'Summary'],
    ['target-metrics-matrix', 'Target-metrics matrix'],
    ['test-environment', 'Test environment'],
  ];
  // Sections are rendered in page order, so charts are numbered top to bottom.
  const sectionsHtml: string[] = [summaryHtml(model), matrixHtml(model.matrix), environmentHtml(model)];
  if (opts.comparison !== undefined) {
    contents.push(['comparison-with-the-baseline', 'Comparison with the baseline']);
    sectionsHtml.push(comparisonSection(charts, opts.comparison));
  }
  if (model.multi) {
    const overlay = overlaySection(charts, results);
    if (overlay !== '') {
      contents.push(['runs-side-by-side', 'Runs side by side']);
      sectionsHtml.push(overlay);
    }
  }
  for (const s of model.scenarios) {
    contents.push([s.anchor, s.heading]);
    sectionsHtml.push(scenarioSection(charts, s));
  }
  body.push(`<nav><p>${contents.map(([id, label]) => `<a href="#${esc(id!)}">${esc(label!)}</a>`).join(' · ')}</p></nav>`);
  body.push(...sectionsHtml);
  const footer = model.reproduce.map((r) => `<p>Reproduce${r.run !== undefined ? ` run ${r.run}` : ''}: ${code(r.command)}</p>`).join('\n');
  return page(model.title, body.join('\n'), charts, assets, footer);
}

/** `compare a.json b.json --format html`: both runs' environments, the verdicts, and every common phase overlaid. */
export function renderComparisonHtml(view: ComparisonView, assets: HtmlAssets): string {
  const charts = new Charts();
  const env = environmentTable([view.baseline, view.current]);
  env.head = ['', `baseline: ${view.labels.baseline}`, `current: ${view.labels.current}`];
  const title = `${view.current.tool.name} comparison`;
  const body = [
    '<header>',
    `<h1>${esc(title)}</h1>`,
    `<p class="meta"><strong>Baseline</strong>: ${esc(view.labels.baseline)} — ${code(view.baseline.command)}</p>`,
    `<p class="meta"><strong>Current</strong>: ${esc(view.labels.current)} — ${code(view.current.command)}</p>`,
    '</header>',
    comparisonSection(charts, view),
    '<section id="test-environment">',
    '<h2>Test environment</h2>',
    textTable(env),
    '</section>',
  ];
  const footer = `<p>Reproduce the baseline: ${code(view.baseline.command)}</p>\n<p>Reproduce the current run: ${code(view.current.command)}</p>`;
  return page(title, body.join('\n'), charts, assets, footer);
}

/** The registry's entry: the same renderer, with uPlot read from node_modules (once per process). */
export const htmlRenderer: Renderer = {
  render: (result: RunResult, _opts: RenderOptions) => renderHtmlReport([result], loadHtmlAssets()),
  renderAll: (results: readonly RunResult[], _opts: RenderOptions) => renderHtmlReport(results, loadHtmlAssets()),
};
