/**
 * `cluster-bench compare <baseline.json> <current.json>`, and the comparison at the end of
 * `run --baseline`. Exit 1 only on a slowdown that is significant and beyond
 * --max-regression; exit 2 when the results cannot be compared (unreadable, nothing in
 * common, or another CPU model / Node major unless --force).
 */
import { ExitCode, badInput } from '../errors.js';
import { COMPARE_FORMATS, type CompareFormat } from '../compare/formats.js';
import { blockingDifferences, compareResults, type CompareOptions, type Comparison } from '../compare/compare.js';
import { parsePercent } from './options.js';
import { renderComparisonMarkdown, renderComparisonTable, type ComparisonLabels } from '../compare/render.js';
import type { Environment, RunResult } from '../results/types.js';
import { renderComparisonHtml } from '../report/html.js';
import { loadHtmlAssets } from '../report/html-assets.js';
import { readResultFile, useColor, writeFileAtomic } from './io.js';
import type { CliProcess } from './process.js';
import { appendStepSummary } from './save.js';

export interface GateFlags {
  maxRegression?: string;
  force?: boolean;
}

export interface CompareFlags extends GateFlags {
  noise?: string;
  json?: boolean;
  format?: string;
  out?: string;
}


/** --format, with --json as its old spelling of "json". */
function compareFormat(flags: CompareFlags): CompareFormat {
  const format = flags.format ?? (flags.json ? 'json' : 'table');
  if (!(COMPARE_FORMATS as readonly string[]).includes(format)) {
    throw badInput(`--format "${format}": unknown format (allowed: ${COMPARE_FORMATS.join(', ')})`);
  }
  if (flags.json && format !== 'json') throw badInput(`--json and --format ${format} contradict each other: give one`);
  return format as CompareFormat;
}

export function compareOptions(flags: CompareFlags): Partial<CompareOptions> {
  const opts: Partial<CompareOptions> = {};
  if (flags.maxRegression !== undefined) opts.maxRegression = parsePercent(flags.maxRegression, '--max-regression');
  if (flags.noise !== undefined) opts.noiseBand = parsePercent(flags.noise, '--noise', 100);
  return opts;
}

/**
 * Refuses (exit 2) to compare across CPU models or Node majors unless forced; forced
 * differences come back as notes for the output.
 */
export function checkEnvironments(baseline: Environment, current: Environment, labels: ComparisonLabels, force: boolean): string[] {
  const blocking = blockingDifferences(baseline, current);
  if (blocking.length > 0 && !force) {
    throw badInput(`cannot compare ${labels.current} with ${labels.baseline}: ${blocking.join('; ')} (pass --force to compare anyway)`);
  }
  return blocking.map((b) => `${b}; compared anyway (--force)`);
}

export function compareOrRefuse(baseline: RunResult, current: RunResult, labels: ComparisonLabels, flags: CompareFlags): Comparison {
  const forced = checkEnvironments(baseline.environment, current.environment, labels, flags.force === true);
  const comparison = compareResults(baseline, current, compareOptions(flags));
  if (comparison.phases.length === 0 && (comparison.capacity ?? []).length === 0) {
    const names = (r: RunResult): string => r.scenarios.map((s) => s.name).join(', ') || 'none';
    throw badInput(
      `nothing to compare: ${labels.baseline} and ${labels.current} have no scenario phase in common (baseline scenarios: ${names(baseline)}; current: ${names(current)})`,
    );
  }
  comparison.environmentNotes.unshift(...forced);
  return comparison;
}

export function compareCommand(io: CliProcess, baselineFile: string, currentFile: string, flags: CompareFlags): number {
  // Options first: a typo in a flag should not wait for two files to be read.
  compareOptions(flags);
  const format = compareFormat(flags);
  const baseline = readResultFile(io, baselineFile);
  const current = readResultFile(io, currentFile);
  const labels = { baseline: baselineFile, current: currentFile };
  const comparison = compareOrRefuse(baseline, current, labels, flags);
  const text =
    format === 'json'
      ? JSON.stringify(comparison, null, 2) + '\n'
      : format === 'markdown'
        ? renderComparisonMarkdown(comparison, labels)
        : format === 'html'
          ? renderComparisonHtml({ comparison, baseline, current, labels }, loadHtmlAssets())
          : renderComparisonTable(comparison, labels, { color: flags.out === undefined && useColor(io.stdout, io.env) });
  if (flags.out !== undefined) {
    writeFileAtomic(io, flags.out, text);
    io.stderr.write(`comparison written to ${flags.out}\n`);
  } else {
    io.stdout.write(text);
  }
  appendStepSummary(io, renderComparisonMarkdown(comparison, labels));
  return comparison.passed ? ExitCode.OK : ExitCode.TARGET_MISSED;
}
