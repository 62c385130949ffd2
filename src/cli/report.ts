/**
 * `cluster-bench report`: re-render saved JSON results in any registered format.
 */
import { ExitCode, badInput } from '../errors.js';
import { getRenderer } from '../report/registry.js';
import { BENCHMARK_TOOLS, type BenchmarkTool } from '../report/types.js';
import { readResultFile, useColor, writeFileAtomic } from './io.js';
import type { CliProcess } from './process.js';
import { unwritableFile } from './save.js';

export const REPORT_FORMATS = ['md', 'markdown', 'json', 'benchmark-action', 'table'] as const;

export interface ReportFlags {
  out?: string;
  format: string;
  tool?: string;
}

function rendererName(format: string): string {
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw badInput(`--format "${format}": unknown format (allowed: ${REPORT_FORMATS.join(', ')})`);
  }
  return format === 'md' ? 'markdown' : format;
}

function benchmarkTool(tool: string | undefined, format: string): BenchmarkTool | undefined {
  if (tool === undefined) return undefined;
  if (format !== 'benchmark-action') throw badInput(`--tool is for --format benchmark-action (got --format ${format})`);
  if (!(BENCHMARK_TOOLS as readonly string[]).includes(tool)) {
    throw badInput(`--tool "${tool}": unknown tool (allowed: ${BENCHMARK_TOOLS.join(', ')})`);
  }
  return tool as BenchmarkTool;
}

export function reportCommand(io: CliProcess, files: string[], flags: ReportFlags): number {
  const name = rendererName(flags.format);
  const tool = benchmarkTool(flags.tool, flags.format);
  if (flags.out !== undefined) {
    const why = unwritableFile(io, flags.out);
    if (why !== undefined) throw badInput(`--out ${flags.out}: ${why}`);
  }
  const results = files.map((f) => readResultFile(io, f));
  const color = flags.out === undefined && name === 'table' && useColor(io.stdout, io.env);
  const text = getRenderer(name).renderAll(results, { color, ...(tool !== undefined ? { benchmarkTool: tool } : {}) });
  if (flags.out !== undefined) {
    writeFileAtomic(io, flags.out, text);
    io.stderr.write(`report written to ${flags.out}\n`);
  } else {
    io.stdout.write(text);
  }
  return ExitCode.OK;
}

