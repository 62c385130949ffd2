/**
 * `cluster-bench report`: re-render saved JSON results in any registered format.
 */
import { ExitCode, badInput } from '../errors.js';
import { findFormat, type Format } from '../report/registry.js';
import { BENCHMARK_TOOLS, type BenchmarkTool } from '../report/types.js';
import { readResultFile, useColor, writeFileAtomic } from './io.js';
import type { CliProcess } from './process.js';
import { unwritableFile } from './save.js';

export interface ReportFlags {
  out?: string;
  format: string;
  tool?: string;
}

function benchmarkTool(tool: string | undefined, format: Format, asGiven: string): BenchmarkTool | undefined {
  if (tool === undefined) return undefined;
  if (format.name !== 'benchmark-action') throw badInput(`--tool is for --format benchmark-action (got --format ${asGiven})`);
  if (!(BENCHMARK_TOOLS as readonly string[]).includes(tool)) {
    throw badInput(`--tool "${tool}": unknown tool (allowed: ${BENCHMARK_TOOLS.join(', ')})`);
  }
  return tool as BenchmarkTool;
}

export async function reportCommand(io: CliProcess, files: string[], flags: ReportFlags): Promise<number> {
  const format = findFormat(flags.format, '--format');
  const tool = benchmarkTool(flags.tool, format, flags.format);
  if (flags.out !== undefined) {
    const why = unwritableFile(io, flags.out);
    if (why !== undefined) throw badInput(`--out ${flags.out}: ${why}`);
  }
  const results = files.map((f) => readResultFile(io, f));
  const color = flags.out === undefined && format.color === true && useColor(io.stdout, io.env);
  const text = (await format.load()).renderAll(results, { color, ...(tool !== undefined ? { benchmarkTool: tool } : {}) });
  if (flags.out !== undefined) {
    writeFileAtomic(io, flags.out, text);
    io.stderr.write(`report written to ${flags.out}\n`);
  } else {
    io.stdout.write(text);
  }
  return ExitCode.OK;
}
