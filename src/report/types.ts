import type { RunResult } from '../results/types.js';

/** github-action-benchmark's two custom tools: one file of entries for each direction. */
export type BenchmarkTool = 'customSmallerIsBetter' | 'customBiggerIsBetter';
export const BENCHMARK_TOOLS: readonly BenchmarkTool[] = ['customSmallerIsBetter', 'customBiggerIsBetter'];

export interface RenderOptions {
  /** ANSI colours; the caller decides (TTY, NO_COLOR), so renderers stay deterministic. */
  color: boolean;
  /** benchmark-action only: which of the two entry sets to write (default: smaller is better). */
  benchmarkTool?: BenchmarkTool;
}

/** One output format (its name and help live in registry.ts). Renderers are pure: they return the text, the CLI writes it. */
export interface Renderer {
  render(result: RunResult, opts: RenderOptions): string;
  /** Several results as one output (`cluster-bench report a.json b.json`). */
  renderAll(results: readonly RunResult[], opts: RenderOptions): string;
}
