/**
 * The files every `run` leaves behind: the JSON result, the markdown and the HTML report in
 * reports/ (plus latest.json / latest.md / latest.html), and the report appended to
 * $GITHUB_STEP_SUMMARY on GitHub Actions.
 */
import { appendFileSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode, badInput } from '../errors.js';
import { renderHtmlReport, type ComparisonView } from '../report/html.js';
import { loadHtmlAssets } from '../report/html-assets.js';
import type { RunResult } from '../results/types.js';
import { writeFileAtomic } from './io.js';
import { resolvePath, type CliProcess } from './process.js';

/** Where `run` saves by default, relative to the working directory. */
export const REPORTS_DIR = 'reports';

/** "20261125-175322" (UTC, so CI machines in any zone sort the same). */
export function timestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** File-name part for the scenarios of a run: "llm-call", "llm-call+agent", "init+llm-call+3-more". */
export function scenarioLabel(names: readonly string[]): string {
  const unique = [...new Set(names)].map((n) => n.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'scenario');
  if (unique.length === 0) return 'run';
  if (unique.length <= 3) return unique.join('+');
  return `${unique.slice(0, 2).join('+')}+${unique.length - 2}-more`;
}

/** A base name in `dir` not taken by an earlier run in the same second. */
export function freeBase(io: CliProcess, dir: string, base: string): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    const taken = ['json', 'md', 'html'].some((ext) => existsSync(resolvePath(io, path.join(dir, `${candidate}.${ext}`))));
    if (!taken) return candidate;
  }
}

export interface SaveOptions {
  /** Explicit JSON path (--out): written even with --no-save. */
  out?: string;
  /** Explicit markdown path (--report): written even with --no-save. */
  report?: string;
  /** false under --no-save. */
  save: boolean;
  scenarioNames: readonly string[];
  now: Date;
  /** Base name chosen before the run (checkpoints already use it); default: the next free one. */
  base?: string;
  /** The HTML report: it goes where the markdown goes (beside --report's file, or into reports/). */
  html?: string;
}

export interface SavedFile {
  kind: 'result' | 'report';
  file: string;
}

/**
 * Writes the JSON result and the markdown (and HTML) report. By default they go to reports/
 * under a name made of the scenarios and the time, and are copied to reports/latest.json,
 * latest.md and latest.html; --out / --report send the JSON or the reports elsewhere
 * instead (then no latest copy of it is made; the HTML goes beside --report's file). Every
 * write is atomic.
 */
export function saveRunFiles(io: CliProcess, json: string, markdown: string, opts: SaveOptions): SavedFile[] {
  const saved: SavedFile[] = [];
  if (opts.out !== undefined) {
    writeFileAtomic(io, opts.out, json);
    saved.push({ kind: 'result', file: opts.out });
  }
  if (opts.report !== undefined) {
    writeFileAtomic(io, opts.report, markdown);
    saved.push({ kind: 'report', file: opts.report });
    if (opts.html !== undefined) {
      const file = htmlBeside(opts.report);
      writeFileAtomic(io, file, opts.html);
      saved.push({ kind: 'report', file });
    }
  }
  if (!opts.save || (opts.out !== undefined && opts.report !== undefined)) return saved;
  const base = opts.base ?? freeBase(io, REPORTS_DIR, `${scenarioLabel(opts.scenarioNames)}-${timestamp(opts.now)}`);
  if (opts.out === undefined) {
    const file = path.join(REPORTS_DIR, `${base}.json`);
    writeFileAtomic(io, file, json);
    writeFileAtomic(io, path.join(REPORTS_DIR, 'latest.json'), json);
    saved.push({ kind: 'result', file });
  }
  if (opts.report === undefined) {
    const file = path.join(REPORTS_DIR, `${base}.md`);
    writeFileAtomic(io, file, markdown);
    writeFileAtomic(io, path.join(REPORTS_DIR, 'latest.md'), markdown);
    saved.push({ kind: 'report', file });
  }
  if (opts.report === undefined && opts.html !== undefined) {
    const file = path.join(REPORTS_DIR, `${base}.html`);
    writeFileAtomic(io, file, opts.html);
    writeFileAtomic(io, path.join(REPORTS_DIR, 'latest.html'), opts.html);
    saved.push({ kind: 'report', file });
  }
  return saved;
}

/** --report out/r.md -> out/r.html: the HTML report beside the markdown one, never over it. */
export function htmlBeside(report: string): string {
  return `${report.replace(/\.(md|markdown)$/i, '')}.html`;
}

/**
 * The HTML report of a run (with its comparison under --baseline). A failure to render it
 * must not cost the run its JSON result and markdown report, so it comes back as a warning.
 */
export function runHtmlReport(result: RunResult, comparison: ComparisonView | undefined): { html?: string; warning?: string } {
  try {
    return { html: renderHtmlReport([result], loadHtmlAssets(), comparison !== undefined ? { comparison } : {}) };
  } catch (e) {
    return { warning: `warning: the HTML report was not written: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Everything a finished run or capacity search writes, in one go and before anything is
 * printed (an interrupted or failing run still leaves its files): the JSON result, the
 * markdown report, the HTML page beside it when saving, and the step summary on GitHub.
 * Returns the lines that say where they went, for the caller to print after its tables.
 */
export function saveResultFiles(
  io: CliProcess,
  result: RunResult,
  files: { json: string; markdown: string; comparison?: ComparisonView },
  opts: Omit<SaveOptions, 'html'>,
): string[] {
  const html = opts.save ? runHtmlReport(result, files.comparison) : {};
  const saved = saveRunFiles(io, files.json, files.markdown, { ...opts, ...(html.html !== undefined ? { html: html.html } : {}) });
  if (html.warning !== undefined) io.stderr.write(`${html.warning}\n`);
  const summary = opts.save ? appendStepSummary(io, files.markdown) : undefined;
  return [
    ...saved.map((f) => `${f.kind} written to ${f.file}`),
    ...(summary !== undefined ? [`report appended to $GITHUB_STEP_SUMMARY (${summary})`] : []),
  ];
}

/**
 * GitHub Actions shows whatever a step appends to the file $GITHUB_STEP_SUMMARY names.
 * Returns the file, or undefined when the variable is not set.
 */
export function appendStepSummary(io: CliProcess, markdown: string): string | undefined {
  const file = io.env['GITHUB_STEP_SUMMARY'];
  if (file === undefined || file === '') return undefined;
  try {
    appendFileSync(resolvePath(io, file), markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new CliError(`$GITHUB_STEP_SUMMARY ${file}: cannot append the report (${code})`, ExitCode.RUN_FAILED);
  }
  return file;
}

/** The nearest existing ancestor of `dir` (itself included), or undefined when one is not a directory. */
function existingDir(dir: string): { dir: string } | { notDir: string } {
  let d = dir;
  for (;;) {
    try {
      return statSync(d).isDirectory() ? { dir: d } : { notDir: d };
    } catch {
      const up = path.dirname(d);
      if (up === d) return { dir: d };
      d = up;
    }
  }
}

/**
 * Whether a file can be created in `dir` (created on the way if missing): by creating and
 * removing an empty file, since permission bits alone say nothing to root or to a read-only
 * mount. Returns the error code, or undefined when it can.
 */
function probeWrite(dir: string): string | undefined {
  const found = existingDir(dir);
  if ('notDir' in found) return `${found.notDir} is not a directory`;
  const probe = path.join(found.dir, `.cluster-bench-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    return `cannot create files in ${found.dir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  rmSync(probe, { force: true });
  return undefined;
}

/** Why `file` cannot be written as a whole file (atomically: temporary file + rename), or undefined. */
export function unwritableFile(io: CliProcess, file: string): string | undefined {
  if (file === '') return 'an empty path';
  const abs = resolvePath(io, file);
  try {
    const st = statSync(abs);
    if (st.isDirectory()) return 'is a directory; give a file path, e.g. ' + path.join(file, 'result.json');
    // A rename over a device or a pipe would replace it (as root, /dev/null itself).
    if (!st.isFile()) return 'is not a regular file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot be checked (${code ?? String(e)})`;
  }
  return probeWrite(path.dirname(abs));
}

export interface OutputPlan {
  out?: string;
  report?: string;
  save: boolean;
}

/**
 * Checks every file a run will write before it offers any load, so that a bad path costs a
 * second, not a benchmark: --out and --report (not directories, not the same file, in a
 * directory that takes new files), reports/ when the run saves there, and
 * $GITHUB_STEP_SUMMARY. Throws the one-line bad-input error (exit 2).
 */
export function preflightOutputs(io: CliProcess, plan: OutputPlan): void {
  const check = (what: string, file: string): void => {
    const why = unwritableFile(io, file);
    if (why !== undefined) throw badInput(`${what} ${file}: ${why}`);
  };
  if (plan.out !== undefined) check('--out', plan.out);
  if (plan.report !== undefined) check('--report', plan.report);
  if (plan.out !== undefined && plan.report !== undefined && resolvePath(io, plan.out) === resolvePath(io, plan.report)) {
    throw badInput(`--report ${plan.report}: the same file as --out; the JSON result and the markdown report need two files`);
  }
  if (plan.save && (plan.out === undefined || plan.report === undefined)) {
    const dir = resolvePath(io, REPORTS_DIR);
    // Found by the fuzz test: `--report reports` passed the check while reports/ did not exist
    // yet, then the run made it a directory for its JSON and the report could not be written.
    for (const [flag, file] of [['--out', plan.out], ['--report', plan.report]] as const) {
      if (file !== undefined && resolvePath(io, file) === dir) {
        throw badInput(`${flag} ${file}: is the directory the run saves its other files in (${REPORTS_DIR}/); name a file, e.g. ${REPORTS_DIR}/${flag === '--out' ? 'result.json' : 'report.md'}`);
      }
    }
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw badInput(`${REPORTS_DIR}/: exists and is not a directory; the run saves its files there (or pass --no-save, --out and --report)`);
    const why = probeWrite(dir);
    if (why !== undefined) throw badInput(`${REPORTS_DIR}/: the run saves its files there but ${why} (pass --no-save, or --out and --report elsewhere)`);
    for (const latest of [plan.out === undefined ? 'latest.json' : undefined, plan.report === undefined ? 'latest.md' : undefined]) {
      if (latest !== undefined) check(`${REPORTS_DIR}/`, path.join(REPORTS_DIR, latest));
    }
  }
  if (plan.save) {
    const summary = io.env['GITHUB_STEP_SUMMARY'];
    if (summary !== undefined && summary !== '') {
      const why = unwritableFile(io, summary);
      if (why !== undefined) throw badInput(`$GITHUB_STEP_SUMMARY ${summary}: ${why}`);
    }
  }
}
