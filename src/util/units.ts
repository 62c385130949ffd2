/**
 * Parsing and formatting of the units scenario files and targets use:
 * durations ("5ms", "1.5s", "1h", "250us", "10m"), sizes ("20MB", "512KB") and rates ("2000/s").
 * Durations are returned in nanoseconds (the unit of every histogram) or milliseconds.
 *
 * Every figure the tool prints goes through the formatters here, so a duration reads the same
 * in the terminal, the report, the calibration table and a warning: one spelling, the one
 * scenario files take ("286ns", "12.3us", "1.5ms", "2s"), 3 significant figures.
 */

const DURATION_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  min: 60e9,
  h: 3600e9,
};

export const DURATION_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|min|m|h)\s*$/;

/** "5ms" -> 5_000_000. Returns undefined when the text is not a duration. */
export function parseDurationNs(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  const unit = DURATION_NS[m[2] as string];
  if (unit === undefined) return undefined;
  return Number(m[1]) * unit;
}

export function parseDurationMs(text: string): number | undefined {
  const ns = parseDurationNs(text);
  return ns === undefined ? undefined : ns / 1e6;
}

export const DURATION_HELP = 'a duration such as 250us, 5ms, 1.5s, 10m or 1h';

const SIZE_B: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i;

/** "20MB" -> 20971520 (binary units, like the seed's "MB" of process memory). */
export function parseSizeBytes(text: string): number | undefined {
  const m = SIZE_RE.exec(text);
  if (!m) return undefined;
  const unit = SIZE_B[(m[2] as string).toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Human duration from nanoseconds with 3 significant figures: 1234567 -> "1.23ms", 286 -> "286ns". */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${trim(ns)}ns`;
  if (abs < 1e6) return `${trim(ns / 1e3)}us`;
  if (abs < 1e9) return `${trim(ns / 1e6)}ms`;
  if (abs < 60e9) return `${trim(ns / 1e9)}s`;
  if (abs < 3600e9) return `${trim(ns / 60e9)}m`;
  return `${trim(ns / 3600e9)}h`;
}

/** formatNs for a duration in milliseconds: 1500 -> "1.5s". */
export function formatMs(ms: number): string {
  return formatNs(ms * 1e6);
}

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)}B`;
  if (abs < 1024 ** 2) return `${trim(bytes / 1024)}KB`;
  if (abs < 1024 ** 3) return `${trim(bytes / 1024 ** 2)}MB`;
  return `${trim(bytes / 1024 ** 3)}GB`;
}

/** Signed, because a heap delta that shrank is news too: "+1.5MB", "-512KB". */
export function formatBytesDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** A count as people read it: 12345 -> "12,345"; fractions keep 2 decimals. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
  return `${trim(perSecond)}/s`;
}

export function formatPercent(fraction: number): string {
  return `${trim(fraction * 100)}%`;
}

/**
 * A relative change with its sign and one decimal, so a 0.4% drift is not rounded into
 * "no figure": +19.1%, -0.4%, 0%; "-" when there is none.
 */
export function formatChange(change: number | null): string {
  if (change === null || !Number.isFinite(change)) return '-';
  const pct = change * 100;
  const text = Math.abs(pct) >= 100 ? pct.toFixed(0) : pct.toFixed(1);
  if (Number(text) === 0) return '0%';
  return `${pct > 0 ? '+' : ''}${text}%`;
}

/** A plain number rounded to `digits` significant figures (for machines: charts, JSON); 0 when not finite. */
export function significant(value: number, digits: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)) : 0;
}

/** 3 significant figures without trailing zeros: 1.50 -> "1.5", 123.4 -> "123". */
export function trim(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}
