export type { BenchmarkTool, RenderOptions, Renderer } from './types.js';
export { BENCHMARK_TOOLS } from './types.js';
export { RENDERERS, RENDERER_NAMES, getRenderer } from './registry.js';
export { tableRenderer } from './table.js';
export { markdownRenderer } from './markdown.js';
export { jsonRenderer } from './json.js';
export { benchmarkActionRenderer, benchmarkEntries, type BenchmarkEntry } from './benchmark-action.js';
export { renderMarkdownReport } from './markdown.js';
