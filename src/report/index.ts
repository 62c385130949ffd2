export type { RenderOptions, Renderer } from './types.js';
export { RENDERERS, RENDERER_NAMES, getRenderer } from './registry.js';
export { tableRenderer } from './table.js';
export { markdownRenderer } from './markdown.js';
export { jsonRenderer } from './json.js';
