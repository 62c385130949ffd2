/**
 * Text helpers shared by the renderers, so the terminal table and the markdown report
 * print the same figure the same way.
 */
import type {
  GateResult,
  GoodputResult,
  LatencySummary,
  PhaseResult,
  RunResult,
  ScenarioResult,
  Status,
  TargetResult,
  TokenFigures,
  ValueSummary,
} from '../results/types.js';
import { formatBytes, formatBytesDelta, formatCount, formatMs, formatNs, formatPercent, formatRate } from '../util/units.js';

export type ValueUnit = TargetResult['unit'];
export type Comparator = TargetResult['comparator'];

/** A value in its base unit, as people read it: 1234567 ns -> "1.23ms", 0.001 -> "0.1%". */
export function formatValue(unit: ValueUnit, value: number): string {
  switch (unit) {
    case 'ns':
      return formatNs(value);
    case 'per_s':
      return formatRate(value);
    case 'bytes':
      return formatBytes(value);
    case 'fraction': {
      const text = formatPercent(value);
      // formatPercent keeps 3 significant figures from 2 decimals: a real 0.001% would read "0%".
      return text === '0%' && value > 0 ? '<0.01%' : text;
    }
    case 'count':
      return formatCount(value);
  }
}

export function formatThreshold(comparator: Comparator, unit: ValueUnit, value: number): string {
  return `${comparator} ${formatValue(unit, value)}`;
}

export const NOT_MEASURED = 'n/a';

export function formatMeasured(t: TargetResult): string {
  return t.measured === null ? NOT_MEASURED : formatValue(t.unit, t.measured);
}

/** The seed report's status levels. */
export const STATUS_EMOJI: Record<Status, string> = { green: '🟢', yellow: '🟡', red: '🔴' };
export const STATUS_WORD: Record<Status, string> = { green: 'excellent', yellow: 'good', red: 'needs work' };
export const STATUS_MEANING: Record<Status, string> = {
  green: 'meets the target',
  yellow: 'meets current, not yet the target',
  red: 'misses current (or was not measured)',
};

export function statusText(status: Status): string {
  return `${STATUS_EMOJI[status]} ${STATUS_WORD[status]}`;
}

export function countStatuses(targets: readonly TargetResult[]): Record<Status, number> {
  const counts: Record<Status, number> = { green: 0, yellow: 0, red: 0 };
  for (const t of targets) counts[t.status] += 1;
  return counts;
}

export function formatCounts(counts: Record<Status, number>): string {
  return `${counts.green} green, ${counts.yellow} yellow, ${counts.red} red`;
}

/**
 * "gate: passed (7 green, 1 yellow, 0 red)". The counts are the stored gate's, so a report
 * re-rendered from JSON states the verdict the run had.
 */
export function gateLine(gate: GateResult, scenarios: readonly ScenarioResult[]): string {
  const failed = scenarios.filter((s) => s.failure !== undefined).length;
  const extras = [formatCounts(gate.counts)];
  if (failed > 0) extras.push(`${failed} scenario${failed === 1 ? '' : 's'} failed`);
  if (!gate.enabled) {
    extras.push('not enforced');
    return `gate: off (${extras.join('; ')})`;
  }
  if (gate.note !== undefined) extras.push(gate.note);
  const label = gate.strict ? 'gate (strict, yellow fails)' : 'gate';
  return `${label}: ${gate.passed ? 'passed' : 'failed'} (${extras.join('; ')})`;
}

/** How the load was generated, when not simply on the main thread: threads, and why not. */
export function executionLines(scenario: ScenarioResult): string[] {
  const e = scenario.execution;
  if (e === undefined) return [];
  const lines: string[] = [];
  if (e.mainThreadReason !== undefined) lines.push(`threads: the main thread only: ${e.mainThreadReason}`);
  else lines.push(`threads: ${e.workers} worker threads, each with its own providers and share of the load; histograms added exactly`);
  for (const note of e.notes ?? []) lines.push(`threads: ${note}`);
  return lines;
}

/** A shard's or a merged result's place in a run spread over machines. */
export function shardLines(result: RunResult): string[] {
  if (result.shard !== undefined) {
    const s = result.shard;
    return [`shard ${s.index} of ${s.total} (0-based) of run ${s.runId}: one part of the load, no verdicts; merge the shards first (cluster-bench merge)`];
  }
  if (result.merged !== undefined) {
    const m = result.merged;
    const lines = [`merged from ${m.shards.length} of ${m.total} shards of run ${m.runId}; start skew ${m.startSkewMs.toFixed(0)} ms (clocks of different machines)`];
    if (m.incomplete) lines.push(`incomplete: shard${m.missing.length > 1 ? 's' : ''} ${m.missing.join(', ')} missing (merged with --allow-partial): the gate fails`);
    return lines;
  }
  return [];
}

export const STAT_COLUMNS: ReadonlyArray<{ key: keyof LatencySummary & string; label: string }> = [
  { key: 'min', label: 'min' },
  { key: 'p50', label: 'p50' },
  { key: 'p90', label: 'p90' },
  { key: 'p95', label: 'p95' },
  { key: 'p99', label: 'p99' },
  { key: 'p999', label: 'p99.9' },
  { key: 'max', label: 'max' },
];

export const BATCH_MARK = '†';

/** Latency cells of a phase; "-" when no operation succeeded (the summary would be zeros). */
export function latencyCells(phase: PhaseResult): string[] {
  return summaryCells(phase.latency);
}

/** A distribution's cells: durations for ns summaries, counts for tokens, rates for tokens/s. */
export function summaryCells(summary: LatencySummary | ValueSummary): string[] {
  const format =
    summary.unit === 'ns' ? formatNs : summary.unit === 'tokens' ? (v: number) => formatCount(Math.round(v)) : formatRate;
  return STAT_COLUMNS.map(({ key }) => {
    if (summary.count === 0) return '-';
    const value = summary[key];
    return typeof value === 'number' ? format(value) : '-';
  });
}

/** " (estimated)" when token counts are a local estimate rather than the server's usage. */
export function estimateMark(tokens: TokenFigures): string {
  if (tokens.source === 'usage') return '';
  if (tokens.source === 'estimate') return ' (estimated)';
  return ` (${formatCount(tokens.estimated)} of ${formatCount(tokens.operations)} estimated)`;
}

/**
 * The other distributions a phase recorded beside its latency, as table sub-rows: service
 * time (open model); the streaming LLM figures, each under one unambiguous name
 * (docs/metrics.md); tokens; and the steps by kind.
 */
export function secondaryDistributions(phase: PhaseResult): Array<{ label: string; summary: LatencySummary | ValueSummary }> {
  const rows: Array<{ label: string; summary: LatencySummary | ValueSummary }> = [];
  const est = phase.tokens !== undefined ? estimateMark(phase.tokens) : '';
  if (phase.serviceTime) rows.push({ label: 'service time', summary: phase.serviceTime });
  if (phase.ttft) rows.push({ label: 'time to first token (TTFT)', summary: phase.ttft });
  if (phase.tpot) rows.push({ label: `time per output token (TPOT)${est}`, summary: phase.tpot });
  if (phase.chunkGap) rows.push({ label: 'gap between chunks (per chunk)', summary: phase.chunkGap });
  if (phase.tokenGap) rows.push({ label: `gap per token${est}`, summary: phase.tokenGap });
  if (phase.itl) rows.push({ label: 'gap between chunks (itl, older result)', summary: phase.itl });
  const t = phase.tokens;
  if (t?.prompt) rows.push({ label: `prompt tokens per op${est}`, summary: t.prompt });
  if (t?.output) rows.push({ label: `output tokens per op${est} (in total ${formatRate(t.outputPerSecond)})`, summary: t.output });
  if (t?.outputPerSecondPerRequest) rows.push({ label: `output tokens/s per request${est}`, summary: t.outputPerSecondPerRequest });
  for (const [kind, summary] of Object.entries(phase.steps ?? {})) rows.push({ label: `${kind} step`, summary });
  return rows;
}

export function phaseLabel(phase: PhaseResult): string {
  return phase.batchTimed ? `${phase.name} ${BATCH_MARK}` : phase.name;
}

export function errorsCell(phase: PhaseResult): string {
  return phase.errors === 0 ? '0' : `${formatCount(phase.errors)} (${formatValue('fraction', phase.errorRate)})`;
}

/** Footnote for batch-timed phases, or undefined when there are none. */
export function batchFootnote(phases: readonly PhaseResult[]): string | undefined {
  const batched = phases.filter((p) => p.batchTimed);
  if (batched.length === 0) return undefined;
  const which = batched
    .map((p) => (p.batchSize !== undefined ? `${p.name}: batches of ${formatCount(p.batchSize)}` : p.name))
    .join(', ');
  return (
    `${BATCH_MARK} batch-timed (${which}): operations too fast to time one by one; ` +
    'each recorded value is the mean of a batch, so min, max and the tail are smoothed'
  );
}

/**
 * One line per noteworthy fact about a phase that the latency table cannot hold: error kinds,
 * late or dropped starts of an open-model phase.
 */
export function phaseNotes(phase: PhaseResult): string[] {
  const notes: string[] = [];
  const kinds = Object.entries(phase.errorsByKind).filter(([, n]) => n > 0);
  if (kinds.length > 0) {
    const list = kinds
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, n]) => `${kind} ${formatCount(n)}`)
      .join(', ');
    notes.push(`${phase.name}: errors by kind: ${list}`);
  }
  if (phase.goodput) notes.push(`${phase.name}: ${goodputText(phase.goodput)}`);
  if (phase.interrupted) notes.push(`${phase.name}: interrupted: the figures cover the operations that finished`);
  if (phase.clamped !== undefined && phase.clamped > 0) {
    notes.push(`${phase.name}: ${formatCount(phase.clamped)} latencies outside the histogram's range (1 ns to 1 h) were clamped into it`);
  }
  if (phase.leak && phase.leak.verdict !== 'insufficient data') {
    const l = phase.leak;
    notes.push(
      `${phase.name}: leak: ${l.verdict} (post-GC heap over the last half: ${formatBytesDelta(l.slopeBytesPerHour)}/h, r² ${l.r2.toFixed(2)}, ` +
        `threshold ${formatBytes(l.thresholdBytesPerHour)}/h, ${l.samples} samples)`,
    );
  }
  if (phase.drift && phase.drift.verdict !== 'insufficient data') {
    const d = phase.drift;
    notes.push(
      `${phase.name}: drift: ${d.verdict} (p99 ${formatNs(d.firstThirdP99Ns)} in the first third, ${formatNs(d.lastThirdP99Ns)} in the last, ` +
        `x${d.ratio.toFixed(2)}; threshold x${d.threshold})`,
    );
  }
  for (const w of phase.health?.warnings ?? []) notes.push(`${phase.name}: warning: ${w}`);
  const s = phase.schedule;
  if (s && (s.late > 0 || s.dropped > 0)) {
    notes.push(
      `${phase.name}: ${formatCount(s.late)} late start${s.late === 1 ? '' : 's'} (max ${formatNs(s.maxLateNs)} late), ` +
        `${formatCount(s.dropped)} dropped (max in flight reached); latency counts from the scheduled start`,
    );
  }
  return notes;
}

/** "goodput 97.3% (389/s): requests that succeeded with latency ≤ 50ms and ttft ≤ 200ms". */
export function goodputText(g: GoodputResult): string {
  const parts: string[] = [];
  if (g.latencyNs !== undefined) parts.push(`latency ≤ ${formatNs(g.latencyNs)}`);
  if (g.ttftNs !== undefined) parts.push(`ttft ≤ ${formatNs(g.ttftNs)}`);
  return `goodput ${formatValue('fraction', g.fraction)} (${formatRate(g.rate)}): requests that succeeded with ${parts.join(' and ')}`;
}

function injectedFaults(config: Record<string, unknown>): string[] {
  const faults: string[] = [];
  const num = (key: string): number => {
    const v = config[key];
    return typeof v === 'number' ? v : 0;
  };
  if (num('errorRate') > 0) faults.push(`errors ${formatValue('fraction', num('errorRate'))}`);
  if (num('timeoutRate') > 0) faults.push(`timeouts ${formatValue('fraction', num('timeoutRate'))}`);
  if (num('stallEvery') > 0) {
    faults.push(`a ${formatMs(num('stallForMs'))} stall every ${formatCount(num('stallEvery'))} calls`);
  }
  return faults;
}

/**
 * Says plainly what the LLM figures are: with a simulated transport they measure this
 * harness and the providers around the model, never a model, and readers must not mistake
 * them for one.
 */
export function llmLine(llm: ScenarioResult['providers']['llm']): string {
  if (!llm.simulated) {
    return `LLM: ${llm.transport} transport (not simulated) — figures include the model's own latency`;
  }
  const faults = injectedFaults(llm.config);
  const transport = llm.transport.startsWith('simulated') ? llm.transport : `simulated ${llm.transport}`;
  const injected = faults.length > 0 ? `; injected ${faults.join(', ')}` : '';
  return `LLM: ${transport}${injected} — no model behind it: figures measure the harness and providers`;
}

/**
 * Names the providers that were the user's own code (plugin modules), by the name each
 * provider gave itself, so a table never leaves unclear whose code the figures measure.
 */
export function pluginLine(providers: ScenarioResult['providers']): string | undefined {
  const plugins = providers.plugins ?? [];
  if (plugins.length === 0) return undefined;
  const file = (module: string): string => module.split(/[\\/]/).pop() ?? module;
  return `Plugins: ${plugins.map((p) => `${p.kind} "${p.name}" (${file(p.module)})`).join(', ')}`;
}

/** The providers a scenario ran against, by their own names; undefined for results that lack them. */
export function providersLine(providers: ScenarioResult['providers']): string | undefined {
  const n = providers.names;
  return n === undefined ? undefined : `providers: LLM ${n.llm} · memory ${n.memory} · agent ${n.agent}`;
}

/** What the LLM of a run was, over all its scenarios. */
export function llmSummary(result: RunResult): string {
  const simulated = [...new Set(result.scenarios.filter((s) => s.providers.llm.simulated).map((s) => s.providers.llm.transport))];
  const real = [...new Set(result.scenarios.filter((s) => !s.providers.llm.simulated).map((s) => s.providers.llm.transport))];
  if (simulated.length === 0 && real.length === 0) return '-';
  const sim = simulated.map((t) => t.replace(/^simulated\s*/, '')).join('; ');
  if (real.length === 0) return `simulated, no model behind it: ${sim}`;
  if (simulated.length === 0) return `not simulated: ${real.join('; ')}`;
  return `mixed: simulated (${sim}) and not simulated (${real.join('; ')})`;
}

export interface EnvironmentRow {
  label: string;
  /** undefined when the run did not know it (no git checkout, no host name). */
  value(result: RunResult): string | undefined;
  /** What a table that has a cell for every row says when the value is unknown. */
  unknown?: string;
}

/** The test environment of a run, row by row: every renderer's environment comes from here. */
export const ENVIRONMENT_ROWS: readonly EnvironmentRow[] = [
  { label: 'CPU', value: (r) => r.environment.cpu },
  { label: 'cores', value: (r) => String(r.environment.cores) },
  { label: 'memory', value: (r) => formatBytes(r.environment.memoryBytes) },
  { label: 'OS', value: (r) => `${r.environment.os} ${r.environment.arch}` },
  { label: 'Node.js', value: (r) => `${r.environment.node} (V8 ${r.environment.v8})` },
  { label: 'tool', value: (r) => `${r.tool.name} ${r.tool.version} (result schema v${r.schemaVersion})` },
  { label: 'git commit', value: (r) => r.environment.gitCommit, unknown: 'not in a git repository' },
  { label: 'seed', value: (r) => String(r.seed) },
  { label: 'LLM', value: llmSummary },
  { label: 'host', value: (r) => r.environment.hostname, unknown: '-' },
  { label: 'CI', value: (r) => (r.environment.ci ? 'yes' : 'no') },
];

/** Heap growth of each snapshot over 'baseline', when the scenario has one. */
export function heapDeltaFromBaseline(scenario: ScenarioResult, heapUsed: number): number | undefined {
  const baseline = scenario.memory.find((m) => m.label === 'baseline');
  return baseline ? heapUsed - baseline.heapUsed : undefined;
}
