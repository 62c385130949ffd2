/** The JSON result itself: the source of truth other tools and `compare` read back. */
import type { RunResult } from '../result.js';
import type { RenderOptions, Renderer } from './types.js';

function renderJson(result: RunResult, _opts: RenderOptions): string {
  return JSON.stringify(result, null, 2) + '\n';
}

export const jsonRenderer: Renderer = { name: 'json', render: renderJson };
