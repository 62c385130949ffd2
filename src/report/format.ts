/**
 * Text helpers shared by the renderers, so the terminal table and the markdown report
 * print the same figure the same way.
 */
import type {
  Environment,
  GateResult,
  LatencySummary,
  PhaseResult,
  ScenarioResult,
  Status,
  TargetResult,
} from '../results/types.js';
import { formatBytes, formatNs, formatPercent, formatRate } from '../util/units.js';

export type ValueUnit = TargetResult['unit'];
export type Comparator = TargetResult['comparator'];

export function formatCount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

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

/** Signed, because a heap delta that shrank is news too. */
export function formatBytesDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

export function formatMs(ms: number): string {
  return formatNs(ms * 1e6);
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
  const label = gate.strict ? 'gate (strict, yellow fails)' : 'gate';
  return `${label}: ${gate.passed ? 'passed' : 'failed'} (${extras.join('; ')})`;
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

export function summaryCells(summary: LatencySummary): string[] {
  return STAT_COLUMNS.map(({ key }) => {
    if (summary.count === 0) return '-';
    const value = summary[key];
    return typeof value === 'number' ? formatNs(value) : '-';
  });
}

/**
 * The other distributions a phase recorded beside its latency, as table sub-rows:
 * service time (open model), time to first token and inter-token latency (streaming LLM),
 * and the agent's steps by kind.
 */
export function secondaryDistributions(phase: PhaseResult): Array<{ label: string; summary: LatencySummary }> {
  const rows: Array<{ label: string; summary: LatencySummary }> = [];
  if (phase.serviceTime) rows.push({ label: 'service time', summary: phase.serviceTime });
  if (phase.ttft) rows.push({ label: 'time to first token', summary: phase.ttft });
  if (phase.itl) rows.push({ label: 'inter-token latency', summary: phase.itl });
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

/** The providers a scenario ran against, by their own names; undefined for results that lack them. */
export function providersLine(providers: ScenarioResult['providers']): string | undefined {
  const n = providers.names;
  return n === undefined ? undefined : `providers: LLM ${n.llm} · memory ${n.memory} · agent ${n.agent}`;
}

export function environmentRows(env: Environment): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['CPU', `${env.cpu} (${env.cores} cores)`],
    ['memory', formatBytes(env.memoryBytes)],
    ['OS', `${env.os} ${env.arch}`],
    ['Node.js', `${env.node} (V8 ${env.v8})`],
  ];
  if (env.hostname !== undefined) rows.push(['host', env.hostname]);
  if (env.gitCommit !== undefined) rows.push(['git commit', env.gitCommit]);
  rows.push(['CI', env.ci ? 'yes' : 'no']);
  return rows;
}

/** Heap growth of each snapshot over 'baseline', when the scenario has one. */
export function heapDeltaFromBaseline(scenario: ScenarioResult, heapUsed: number): number | undefined {
  const baseline = scenario.memory.find((m) => m.label === 'baseline');
  return baseline ? heapUsed - baseline.heapUsed : undefined;
}
