import { InputError } from '../util/input-error.js';
import { benchmarkActionRenderer } from './benchmark-action.js';
import { jsonRenderer } from './json.js';
import { markdownRenderer } from './markdown.js';
import { tableRenderer } from './table.js';
import type { Renderer } from './types.js';

export const RENDERERS: readonly Renderer[] = [tableRenderer, markdownRenderer, jsonRenderer, benchmarkActionRenderer];

export const RENDERER_NAMES: readonly string[] = RENDERERS.map((r) => r.name);

/** Throws an InputError listing the formats, since the name comes from the command line. */
export function getRenderer(name: string): Renderer {
  const renderer = RENDERERS.find((r) => r.name === name);
  if (!renderer) throw new InputError(`unknown report format "${name}" (allowed: ${RENDERER_NAMES.join(', ')})`);
  return renderer;
}
