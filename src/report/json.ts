/** The JSON result itself: the source of truth other tools and `compare` read back. */
import type { RunResult } from '../results/types.js';
import type { RenderOptions, Renderer } from './types.js';

function renderJson(result: RunResult, _opts: RenderOptions): string {
  return JSON.stringify(result, null, 2) + '\n';
}

/** One result stays the result itself (so it can be read back); several become a list. */
function renderAllJson(results: readonly RunResult[], opts: RenderOptions): string {
  return results.length === 1 ? renderJson(results[0]!, opts) : JSON.stringify(results, null, 2) + '\n';
}

export const jsonRenderer: Renderer = { render: renderJson, renderAll: renderAllJson };
