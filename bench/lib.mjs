// Shared helpers of the benchmarks. They import the compiled tool (dist/), like a user would.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function ns(v) {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} ms`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} us`;
  if (v >= 100) return `${Math.round(v)} ns`;
  return `${v.toFixed(1)} ns`;
}

export const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
export const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

/** A plain aligned table: first column left, the others right. */
export function table(head, rows) {
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(all[0]), line(w.map((n) => '-'.repeat(n))), ...all.slice(1).map(line)].join('\n');
}

/** Sections run as child processes hand their figures back through this file. */
export function report(figures) {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) writeFileSync(file, JSON.stringify(figures));
}

export const noEvents = {
  scenario: 'bench',
  index: 0,
  phases: 1,
  onEvent: () => undefined,
  stopped: () => false,
  stopSignal: new Promise(() => undefined),
  graceMs: 0,
};
