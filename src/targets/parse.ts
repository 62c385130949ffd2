/**
 * Target expressions: "<phase> <stat> <cmp> <current> / <cmp> <target>", e.g.
 * "sequential p99 < 50ms / < 30ms" or "load throughput > 1000/s / > 2000/s".
 * The source text is kept verbatim so reports can print it back next to the measured value.
 */
import { parseDurationNs, parseSizeBytes } from '../util/units.js';
import type { TargetResult } from '../results/types.js';
import type { TargetSpec } from './types.js';

export type TargetUnit = TargetResult['unit'];
export type Comparator = TargetResult['comparator'];

export const LATENCY_STATS = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

export const TARGET_STATS = [...LATENCY_STATS, 'throughput', 'errorRate', 'count', 'heapDelta', 'goodput', 'goodputRate', 'capacity'] as const;
export type TargetStat = (typeof TARGET_STATS)[number];

export const COMPARATORS: readonly Comparator[] = ['<', '<=', '>', '>='];

/**
 * The parsed form is the shared TargetSpec (src/targets/types.ts, what Scenario holds);
 * parseTarget guarantees its `stat` is one of TARGET_STATS and `unit` matches the stat.
 */
export type { TargetSpec };

/**
 * A malformed target expression. `detail` is the bare "what is wrong (what is allowed)" text,
 * so the scenario loader can prefix its own file and field path without repeating ours.
 */
export class TargetParseError extends Error {
  readonly detail: string;
  readonly source: string;
  constructor(source: string, detail: string) {
    super(`invalid target "${source}": ${detail}`);
    this.name = 'TargetParseError';
    this.detail = detail;
    this.source = source;
  }
}

export const TARGET_SYNTAX = '"<phase> <stat> <cmp> <current> / <cmp> <target>", e.g. "sequential p99 < 50ms / < 30ms"';

const PHASE_RE = /^[a-z0-9_-]+$/;

/** Aliases people naturally type; the canonical name is what results and reports use. */
const STAT_ALIASES: ReadonlyMap<string, TargetStat> = new Map([['p99.9', 'p999']]);

export function statUnit(stat: TargetStat): TargetUnit {
  switch (stat) {
    case 'throughput':
    case 'goodputRate':
    case 'capacity':
      return 'per_s';
    case 'errorRate':
    case 'goodput':
      return 'fraction';
    case 'count':
      return 'count';
    case 'heapDelta':
      return 'bytes';
    default:
      return 'ns';
  }
}

const VALUE_HELP: Record<TargetUnit, string> = {
  ns: 'a duration such as 250us, 5ms or 1s',
  per_s: 'a rate such as 2000/s',
  fraction: 'a percentage such as 0.1% or a fraction such as 0.001',
  count: 'a plain number such as 1000',
  bytes: 'a size such as 512KB or 20MB',
};

const NUMBER_RE = /^(?:\d+(?:\.\d+)?|\.\d+)$/;
const RATE_RE = /^((?:\d+(?:\.\d+)?|\.\d+))\s*(?:req|ops)?\s*\/\s*s$/;
const PERCENT_RE = /^((?:\d+(?:\.\d+)?|\.\d+))\s*%$/;

function parseValue(text: string, unit: TargetUnit): number | undefined {
  switch (unit) {
    case 'ns':
      return parseDurationNs(text);
    case 'bytes':
      return parseSizeBytes(text);
    case 'per_s': {
      const m = RATE_RE.exec(text);
      return m ? Number(m[1]) : undefined;
    }
    case 'count':
      return NUMBER_RE.test(text) ? Number(text) : undefined;
    case 'fraction': {
      const m = PERCENT_RE.exec(text);
      const value = m ? Number(m[1]) / 100 : NUMBER_RE.test(text) ? Number(text) : undefined;
      // A rate above 100% is always a typo ("5" meant as 5%), never a real threshold.
      // Stryker disable next-line ConditionalExpression: equivalent; undefined <= 1 is false, so dropping the undefined check changes nothing
      return value !== undefined && value <= 1 ? value : undefined;
    }
  }
}

/** "<" and "<=" want smaller values; ">" and ">=" want larger ones. */
export function wantsLess(comparator: Comparator): boolean {
  return comparator === '<' || comparator === '<=';
}

const HALF_RE = /^(<=|>=|<|>)\s*(.*)$/;

/**
 * Parses one target expression. Throws TargetParseError with a one-line reason.
 * `metric` is the matrix row the target belongs to (e.g. "LLM call response").
 */
export function parseTarget(source: string, metric: string): TargetSpec {
  const fail = (detail: string): TargetParseError => new TargetParseError(source, detail);
  const text = source.trim();
  if (text === '') throw fail(`empty expression (expected ${TARGET_SYNTAX})`);

  // The halves are split at a "/" followed by a comparator, because rates ("2000/s") also contain "/".
  // A spaced " / " without a comparator after it still marks the split, so the error can
  // name the half that lacks its comparator instead of claiming the half is missing.
  const sep =
    /\s*\/\s*(?=[<>])/.exec(text) ??
    // Stryker disable next-line Regex: equivalent; how much whitespace around the "/" this match takes only moves whitespace that the halves' trim() drops
    /\s+\/(?:\s+|$)/.exec(text);
  if (!sep) throw fail(`missing "/ <cmp> <target>" half (expected ${TARGET_SYNTAX})`);
  const left = text.slice(0, sep.index);
  const right = text.slice(sep.index + sep[0].length);
  // Stryker disable next-line MethodExpression: equivalent; text is trimmed and sep takes the whitespace after "/", so right is never blank but empty
  if (right.trim() === '') throw fail(`missing target after "/" (expected ${TARGET_SYNTAX})`);

  // "capacity > 300/s / > 400/s": the capacity `cluster-bench capacity` found, whichever phase it searched.
  const phaseless = /^(capacity)\s*([<>].*)$/.exec(left);
  const head = phaseless ? [phaseless[0], '', phaseless[1], phaseless[2]] : /^([^\s<>]+)\s+([^\s<>]+)\s*(.*)$/.exec(left);
  if (!head) throw fail(`expected a phase name and a statistic before the comparator (expected ${TARGET_SYNTAX})`);
  // Stryker disable next-line StringLiteral: equivalent; every group of a successful match is defined, the defaults only satisfy the type checker
  const [, phase = '', rawStat = '', currentHalf = ''] = head;

  if (!phaseless && !PHASE_RE.test(phase)) {
    throw fail(`invalid phase name "${phase}" (allowed: lowercase letters, digits, "_" and "-")`);
  }
  const stat: TargetStat | undefined =
    STAT_ALIASES.get(rawStat) ?? (TARGET_STATS as readonly string[]).find((s): s is TargetStat => s === rawStat);
  if (stat === undefined) {
    throw fail(`unknown statistic "${rawStat}" (allowed: ${TARGET_STATS.join(', ')})`);
  }
  const unit = statUnit(stat);

  // Stryker disable MethodExpression: equivalent; these trim() calls guard against whitespace that text.trim() and the regexes above already strip
  const halves: Array<{ name: 'current' | 'target'; text: string }> = [
    { name: 'current', text: currentHalf.trim() },
    { name: 'target', text: right.trim() },
  ];
  const parsed = halves.map(({ name, text: half }) => {
    if (half === '') throw fail(`missing ${name} threshold (expected ${TARGET_SYNTAX})`);
    const m = HALF_RE.exec(half);
    if (!m) throw fail(`${name} "${half}" must start with a comparator (allowed: ${COMPARATORS.join(', ')})`);
    // Stryker disable next-line StringLiteral: equivalent; both groups are defined whenever HALF_RE matches
    const [, comparator = '', valueText = ''] = m;
    if (valueText === '') throw fail(`missing ${name} value after "${comparator}" (expected ${VALUE_HELP[unit]})`);
    const value = parseValue(valueText.trim(), unit);
    if (value === undefined) throw fail(`invalid ${name} value "${valueText.trim()}" for ${stat} (expected ${VALUE_HELP[unit]})`);
    return { comparator: comparator as Comparator, value, text: valueText.trim() };
  });
  // Stryker restore MethodExpression
  const [cur, tgt] = parsed as [(typeof parsed)[number], (typeof parsed)[number]];

  // One comparator per target keeps the verdict unambiguous (TargetResult carries one).
  if (cur.comparator !== tgt.comparator) {
    const why = wantsLess(cur.comparator) === wantsLess(tgt.comparator) ? 'the same comparator' : 'the same direction';
    throw fail(`current and target must use ${why} (got "${cur.comparator}" and "${tgt.comparator}")`);
  }
  const comparator = cur.comparator;
  const stricter = wantsLess(comparator) ? tgt.value <= cur.value : tgt.value >= cur.value;
  if (!stricter) {
    throw fail(
      `target ${comparator} ${tgt.text} is looser than current ${comparator} ${cur.text} ` +
        `(the target must be at least as strict as current)`,
    );
  }

  return { metric, source, phase, stat, unit, comparator, current: cur.value, target: tgt.value };
}
