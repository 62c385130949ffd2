// `npm run mutation [module ...] [--summary]`: StrykerJS once per module of mutation/modules.mjs (each with
// only its own test files), then one table of mutation scores per module and the survivors.
// Not part of `npm test`: it takes tens of minutes. Reports: reports/mutation/<module>.html/.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES } from './modules.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STRYKER = path.join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');

// --summary: only print the table from the reports the last runs left in reports/mutation/.
const summaryOnly = process.argv.includes('--summary');
const wanted = process.argv.slice(2).filter((a) => a !== '--summary');
const unknown = wanted.filter((w) => !(w in MODULES));
if (unknown.length > 0) {
  console.error(`unknown module(s) ${unknown.join(', ')}; choose from ${Object.keys(MODULES).join(', ')}`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : Object.keys(MODULES);

/** Counts by status from a mutation-testing-report-schema JSON report. */
export function tally(report) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  const survivors = [];
  for (const [file, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${m.status}${m.replacement !== undefined ? ` -> ${JSON.stringify(m.replacement).slice(0, 60)}` : ''}`);
      }
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { counts, survivors, score: valid > 0 ? (detected / valid) * 100 : NaN };
}

const rows = [];
for (const name of names) {
  const file = path.join(ROOT, 'reports', 'mutation', `${name}.json`);
  if (summaryOnly) {
    if (existsSync(file)) rows.push({ name, minutes: Number.NaN, ...tally(JSON.parse(readFileSync(file, 'utf8'))) });
    else rows.push({ name, failed: 'no report yet', minutes: Number.NaN });
    continue;
  }
  console.log(`\n=== ${name}: ${MODULES[name].what} ===`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [STRYKER, 'run', 'stryker.config.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: name },
  });
  const minutes = (performance.now() - t0) / 60_000;
  if (r.status !== 0 || !existsSync(file)) {
    rows.push({ name, failed: `stryker exit ${r.status ?? r.signal}`, minutes });
    continue;
  }
  rows.push({ name, minutes, ...tally(JSON.parse(readFileSync(file, 'utf8'))) });
}

console.log('\nMutation score per module (killed + timed out) / (killed + timed out + survived + no coverage)\n');
const head = ['module', 'score', 'killed', 'timeout', 'survived', 'no cov', 'ignored', 'errors', 'minutes'];
const body = rows.map((r) =>
  r.failed
    ? [r.name, r.failed, '', '', '', '', '', '', Number.isNaN(r.minutes) ? '' : r.minutes.toFixed(1)]
    : [
        r.name,
        `${r.score.toFixed(1)} %`,
        r.counts.Killed,
        r.counts.Timeout,
        r.counts.Survived,
        r.counts.NoCoverage,
        r.counts.Ignored,
        r.counts.CompileError + r.counts.RuntimeError,
        Number.isNaN(r.minutes) ? '' : r.minutes.toFixed(1),
      ],
);
const all = [head, ...body].map((row) => row.map(String));
const w = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
for (const [k, row] of all.entries()) {
  console.log('  ' + row.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
  if (k === 0) console.log('  ' + w.map((n) => '-'.repeat(n)).join('  '));
}
for (const r of rows) {
  if (!r.failed && r.survivors.length > 0) console.log(`\n${r.name}: ${r.survivors.length} not killed\n  ${r.survivors.join('\n  ')}`);
}
console.log('\nEquivalent mutants are marked in the source with "// Stryker disable ... : <reason>" (counted as ignored).');
process.exitCode = rows.some((r) => r.failed) ? 1 : 0;
